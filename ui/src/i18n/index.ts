import { useEffect, useState } from 'preact/hooks';
import { en } from './en.js';
import { zhCN, type MessageKey } from './zh-CN.js';

export type Lang = 'zh-CN' | 'en';
export type { MessageKey };

const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const STORAGE = 'rh-lang';

let current: Lang = localStorage.getItem(STORAGE) === 'en' ? 'en' : 'zh-CN';
const listeners = new Set<() => void>();
document.documentElement.lang = current;

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE, next);
  document.documentElement.lang = next;
  for (const l of listeners) l();
}

/** The message in the current language, `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = dictionaries[current][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

/**
 * The message `key` when there is one, else `fallback`: for codes the API gives that this UI may
 * not know yet (a new reason, kind or role) — shown as they come rather than as a message key.
 */
export function messageOr(key: string, fallback: string): string {
  const text = t(key as MessageKey);
  return text === key ? fallback : text;
}

/** The name of `code` among the messages under `prefix` ('conflicts.kind.'), or the code itself. */
export function codeName(prefix: string, code: string): string {
  return messageOr(`${prefix}${code}`, code);
}

/** Re-renders the component when the language changes; returns t. */
export function useT(): typeof t {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return t;
}

/** Numbers and dates in the current language. */
export function formatNumber(n: number): string {
  return n.toLocaleString(current);
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(current, { dateStyle: 'medium', timeStyle: 'short' });
}
