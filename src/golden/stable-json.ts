/** Deterministic JSON: object keys sorted, undefined properties left out. Pure. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sortKeys(item);
    }
    return out;
  }
  return value;
}

/** Equal as golden values: addresses by their normalised text, anything else by stable JSON. */
export function sameValue(a: unknown, b: unknown): boolean {
  const na = addressText(a);
  const nb = addressText(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  return stableStringify(a) === stableStringify(b);
}

function addressText(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { normalized?: unknown }).normalized === 'string') {
    return (value as { normalized: string }).normalized;
  }
  return undefined;
}
