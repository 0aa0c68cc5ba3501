import { describe, expect, it } from 'vitest';
import { codePoints, hamming, isAdjacentTransposition, isOneInsertion, isOneSubstitution, levenshtein } from './text-distance.js';

// 𠈌 (U+2020C) lies outside the BMP: two UTF-16 units, one code point, one character.
const EXT_B = '\u{2020C}';

describe('codePoints', () => {
  it.each([
    ['', []],
    ['abc', [0x61, 0x62, 0x63]],
    ['张伟', [0x5f20, 0x4f1f]],
    [`张${EXT_B}`, [0x5f20, 0x2020c]],
    [`${EXT_B}${EXT_B}`, [0x2020c, 0x2020c]],
  ])('%j → %j', (text, expected) => {
    expect(codePoints(text)).toEqual(expected);
  });
});

describe('levenshtein', () => {
  it.each([
    ['', '', 0],
    ['', '张伟', 2],
    ['张伟', '', 2],
    ['张伟', '张伟', 0],
    ['张伟', '张玮', 1],
    ['陈小红', '陈红', 1],
    ['陈红', '陈小红', 1],
    ['王建国', '王国建', 2],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['410105198503121234', '410105198503121243', 2],
    [`张${EXT_B}`, '张伟', 1],
    [`张${EXT_B}明`, '张明', 1],
    ['买买提艾力', '买买提·艾力', 1],
    ['abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789', 'bcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01234567890', 2],
  ])('%j ↔ %j = %i', (a, b, d) => {
    expect(levenshtein(a, b)).toBe(d);
    expect(levenshtein(b, a)).toBe(d);
    expect(levenshtein(codePoints(a), codePoints(b))).toBe(d);
  });

  it.each([
    ['kitten', 'sitting', 1, 2],
    ['kitten', 'sitting', 2, 3],
    ['kitten', 'sitting', 3, 3],
    ['张伟', '张伟明华', 1, 2],
    ['张伟', '张玮', 0, 1],
    ['张伟', '张伟', 0, 0],
  ])('%j ↔ %j bounded by %i = %i', (a, b, max, d) => {
    expect(levenshtein(a, b, max)).toBe(d);
  });
});

describe('hamming', () => {
  it.each([
    ['', '', 0],
    ['张伟', '张伟', 0],
    ['张伟', '张玮', 1],
    ['410105198503121234', '410105198503121243', 2],
    ['张伟', '张伟明', -1],
    [`张${EXT_B}`, '张伟', 1],
  ])('%j ↔ %j = %i', (a, b, d) => {
    expect(hamming(a, b)).toBe(d);
  });
});

describe('isOneSubstitution', () => {
  it.each([
    ['张伟', '张玮', true],
    ['刘晓明', '刘晓朋', true],
    ['刘晓明', '赵晓明', true],
    ['张伟', '张伟', false],
    ['张伟', '李玮', false],
    ['张伟', '张伟明', false],
    ['', '', false],
    [`张${EXT_B}`, '张伟', true],
    ['410105198503121234', '410105198503121274', true],
  ])('%j ↔ %j → %s', (a, b, expected) => {
    expect(isOneSubstitution(a, b)).toBe(expected);
    expect(isOneSubstitution(codePoints(b), codePoints(a))).toBe(expected);
  });
});

describe('isOneInsertion', () => {
  it.each([
    ['陈小红', '陈红', true],
    ['陈红', '陈小红', true],
    ['陈红', '陈红小', true],
    ['陈红', '小陈红', true],
    ['张', '', true],
    ['陈红', '陈红', false],
    ['陈红', '陈小小红', false],
    ['陈小红', '陈大红', false],
    ['陈小红', '李红', false],
    [`陈${EXT_B}华`, `陈${EXT_B}`, true],
    [`陈${EXT_B}华`, '陈华', true],
  ])('%j ↔ %j → %s', (a, b, expected) => {
    expect(isOneInsertion(a, b)).toBe(expected);
    expect(isOneInsertion(codePoints(b), codePoints(a))).toBe(expected);
  });
});

describe('isAdjacentTransposition', () => {
  it.each([
    ['410105198503121234', '401105198503121234', true],
    ['410105198503121234', '410105198503121243', true], // last two
    ['410105198503121234', '140105198503121234', true], // first two
    ['王建国', '王国建', true],
    ['王建国', '建王国', true],
    ['410105198503121234', '410105198503121234', false], // equal
    ['410105198503121234', '410105198503121235', false], // one digit
    ['410105198503121234', '410105198503124231', false], // swap at distance 3
    ['410105198503121234', '401105198503121243', false], // two swaps
    ['abc', 'bca', false],
    ['ab', 'ba', true],
    ['a', 'a', false],
    ['', '', false],
    ['ab', 'abc', false],
    [`${EXT_B}伟`, `伟${EXT_B}`, true],
  ])('%j ↔ %j → %s', (a, b, expected) => {
    expect(isAdjacentTransposition(a, b)).toBe(expected);
    expect(isAdjacentTransposition(codePoints(b), codePoints(a))).toBe(expected);
  });
});
