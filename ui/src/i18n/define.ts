/** A page's messages in both languages; the English must have every key the Chinese has. */
export function defineMessages<const Z extends Record<string, string>>(zh: Z, en: { [K in keyof Z]: string }): { zh: Z; en: { [K in keyof Z]: string } } {
  return { zh, en };
}
