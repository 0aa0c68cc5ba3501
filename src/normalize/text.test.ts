import { describe, it, expect } from 'vitest';
import {
  cellText,
  isPlaceholder,
  normalizeAmount,
  normalizeInteger,
  numberText,
  parseChineseNumeral,
  stripSpaces,
  toSimplified,
} from './text.js';

describe('cellText', () => {
  it.each<[unknown, string]>([
    [null, ''],
    ['', ''],
    ['  张伟  ', '张伟'],
    ['\u3000张伟\u3000', '张伟'], // ideographic space
    ['\uFEFF姓名', '姓名'], // BOM left on the first header
    ['张\u200B伟', '张伟'],
    ['ＡＢＣ１２３', 'ABC123'],
    ['（元）', '(元)'],
    [45, '45'],
    [-3, '-3'],
    [13812345678, '13812345678'],
    [Number('410105199003071234'), '410105199003071000'], // an 18-digit number cell: shown as Excel shows it, no exponent
    [1e21, '1000000000000000000000'],
    [1.5, '1.5'],
    [0.1 + 0.2, '0.3'],
    [Number.NaN, ''],
    [true, 'TRUE'],
    [false, 'FALSE'],
    [new Date(Date.UTC(1985, 2, 12)), '1985-03-12'],
    [new Date(Number.NaN), ''],
  ])('%j → %j', (input, text) => {
    expect(cellText(input as never)).toBe(text);
  });
});

describe('numberText', () => {
  it.each([
    [0, '0'],
    [123456789012345, '123456789012345'],
    [4.10105e17, '410105000000000000'],
    [Number.POSITIVE_INFINITY, ''],
  ])('%d → %s', (n, s) => {
    expect(numberText(n)).toBe(s);
  });
});

describe('isPlaceholder', () => {
  it.each([
    ['', true], ['无', true], ['暂无', true], ['/', true], ['-', true], ['——', true], ['NULL', true], ['null', true],
    ['N/A', true], ['张伟', false], ['0', false], ['不详', false],
  ])('%j → %s', (text, yes) => {
    expect(isPlaceholder(text)).toBe(yes);
  });
});

describe('stripSpaces', () => {
  it('removes every kind of whitespace', () => {
    expect(stripSpaces(' a\tb\nc\u3000d\u00A0e ')).toBe('abcde');
  });
});

describe('toSimplified', () => {
  it.each([
    ['張偉', '张伟'],
    ['陳', '陈'],
    ['劉', '刘'],
    ['黃', '黄'],
    ['吳', '吴'],
    ['趙', '赵'],
    ['鄭州市金水區', '郑州市金水区'],
    ['為', '为'], // Taiwan/Hong Kong variant forms
    ['溫', '温'],
    // Kept: valid simplified characters that OpenCC would change.
    ['昇', '昇'],
    ['乾', '乾'],
    ['於', '於'],
    ['著', '著'],
    ['喆堃淼', '喆堃淼'],
    // Not Han: untouched.
    ['Zhang Wei 123', 'Zhang Wei 123'],
    ['张伟', '张伟'],
    ['', ''],
  ])('%j → %j', (input, out) => {
    expect(toSimplified(input)).toBe(out);
  });

  it('keeps the length in characters (one character for one)', () => {
    const s = '張偉陳麗華歐陽鐘後發髮';
    expect([...toSimplified(s)]).toHaveLength([...s].length);
  });
});

describe('parseChineseNumeral', () => {
  it.each<[string, number | undefined]>([
    ['一', 1], ['二', 2], ['两', 2], ['十', 10], ['十二', 12], ['二十', 20], ['二十一', 21], ['九十九', 99],
    ['一百', 100], ['一百零五', 105], ['三百二十', 320], ['四〇一', 401], ['四零一', 401], ['〇', 0],
    ['', undefined], ['三a', undefined], ['abc', undefined],
  ])('%j → %s', (text, n) => {
    expect(parseChineseNumeral(text)).toBe(n);
  });
});

describe('normalizeInteger', () => {
  it.each<[unknown, number]>([
    [45, 45], ['45', 45], ['45岁', 45], ['45 岁', 45], ['45周岁', 45], ['４５', 45], [' 45 ', 45], ['45.0', 45],
    [45.0, 45], ['0', 0], ['2个', 2], ['3人', 3], ['两个', 2], ['三', 3], ['十二', 12], ['1,200', 1200], ['-3', -3],
  ])('%j → %d', (input, n) => {
    expect(normalizeInteger(input as never)).toEqual({ ok: true, value: n });
  });

  it.each<[unknown]>([[45.5], ['45.5'], ['abc'], ['45 46'], ['1,20'], [true], [new Date(0)], ['99999999999999999999']])('%j → error', (input) => {
    expect(normalizeInteger(input as never).ok).toBe(false);
  });

  it('names the value in the reason', () => {
    expect(normalizeInteger('四十五岁半')).toEqual({ ok: false, reason: 'not a whole number: "四十五岁半"' });
  });

  it.each([[null], [''], ['  '], ['无'], ['/']])('%j → empty', (input) => {
    expect(normalizeInteger(input)).toEqual({ ok: 'empty' });
  });
});

describe('normalizeAmount', () => {
  it.each<[unknown, number]>([
    [500, 500], [512.5, 512.5], [0.1 + 0.2, 0.3], ['500', 500], ['1,234.50', 1234.5], ['1,234,567.89', 1234567.89],
    ['￥500', 500], ['¥500', 500], ['￥1,234.50元', 1234.5], ['500元', 500], ['500.00', 500], ['RMB 500.00', 500],
    ['人民币500元', 500], ['５００', 500], ['1，234.50', 1234.5], ['.5', 0.5], ['-50', -50], ['0', 0],
  ])('%j → %d', (input, n) => {
    expect(normalizeAmount(input as never)).toEqual({ ok: true, value: n });
  });

  it.each<[unknown]>([['abc'], ['1.2.3'], ['12,34'], ['500美元'], ['500 600'], [Number.NaN], [true], [new Date(0)]])('%j → error', (input) => {
    expect(normalizeAmount(input as never).ok).toBe(false);
  });

  it('names the value in the reason', () => {
    expect(normalizeAmount('五百')).toEqual({ ok: false, reason: 'not an amount: "五百"' });
  });

  it.each([[null], [''], ['  '], ['无']])('%j → empty', (input) => {
    expect(normalizeAmount(input)).toEqual({ ok: 'empty' });
  });
});
