import { describe, expect, it } from 'vitest';
import { RecordBuilder } from './define-adapter.js';

/** What `o[key] = value` in order gives. */
function plain(pairs: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [key, value] of pairs) o[key] = value;
  return o;
}

describe('RecordBuilder', () => {
  it('builds what keyed assignments in order build, key order included, row after row', () => {
    const builder = new RecordBuilder();
    const keys = Array.from({ length: 40 }, (_, i) => `field${i}`);
    for (let row = 0; row < 300; row++) {
      // Rows differ in which keys they have, repeat shapes, repeat a key, use integer-like keys.
      const pairs: [string, unknown][] = [];
      for (const [i, key] of keys.entries()) if ((row * 7 + i * 3) % (2 + (row % 5)) !== 0) pairs.push([key, `${row}:${i}`]);
      if (row % 3 === 0) pairs.push(['field1', 'again'], ['2024', row], ['toString', 'own']);
      for (const [key, value] of pairs) builder.set(key, value);
      const built = builder.build();
      const expected = plain(pairs);
      expect(built).toEqual(expected);
      expect(Object.keys(built)).toEqual(Object.keys(expected));
      expect(Object.getPrototypeOf(built)).toBe(Object.prototype);
    }
  });

  it('reset() drops a row abandoned half-way', () => {
    const builder = new RecordBuilder();
    builder.set('a', 1);
    builder.reset();
    builder.set('b', 2);
    expect(builder.build()).toEqual({ b: 2 });
    expect(builder.build()).toEqual({});
  });
});
