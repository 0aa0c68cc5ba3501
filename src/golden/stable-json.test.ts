import { describe, expect, it } from 'vitest';
import { isKeySorted, sameValue, sortKeys, stableStringify } from './stable-json.js';

describe('stableStringify', () => {
  it('sorts keys at every depth and leaves undefined properties out', () => {
    expect(stableStringify({ b: 1, a: { d: undefined, c: [undefined, 2] } })).toBe('{"a":{"c":[null,2]},"b":1}');
    expect(stableStringify(undefined)).toBe('null');
  });

  it('writes the same text whether or not the keys were already in order', () => {
    const values: unknown[] = [
      { a: 1, b: { c: [1, { d: 2, e: undefined }], f: null } },
      { b: 1, a: 2 },
      { a: { c: 1, b: 2 } },
      [{ a: 1 }, { c: 1, b: 2 }],
      { a: new Date(0), b: 'x' },
      { 10: 'a', 9: 'b', x: 1 },
      { é: 1, z: 2 },
      null,
      'text',
    ];
    for (const value of values) expect(stableStringify(value)).toBe(JSON.stringify(sortKeys(value)) ?? 'null');
    expect(values.map(isKeySorted)).toEqual([true, false, false, false, true, false, false, true, true]);
  });

  it('compares addresses by their normalised text', () => {
    expect(sameValue({ original: '甲', normalized: 'x' }, { original: '乙', normalized: 'x' })).toBe(true);
    expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
  });
});
