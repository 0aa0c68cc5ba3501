import { describe, expect, it } from 'vitest';
import { sameValue, stableStringify } from './stable-json.js';

describe('stableStringify', () => {
  it('sorts keys at every depth and leaves undefined properties out', () => {
    expect(stableStringify({ b: 1, a: { d: undefined, c: [undefined, 2] } })).toBe('{"a":{"c":[null,2]},"b":1}');
    expect(stableStringify(undefined)).toBe('null');
  });

  it('compares addresses by their normalised text', () => {
    expect(sameValue({ original: '甲', normalized: 'x' }, { original: '乙', normalized: 'x' })).toBe(true);
    expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
  });
});
