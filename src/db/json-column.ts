/**
 * A json column's value: node-postgres parses json into objects, PGlite's adapter may hand
 * the text over; both come out as the parsed value.
 */
export function fromJsonColumn<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
