/**
 * The normalisers remember results by cell text and take shortcuts for the usual cells (plain
 * text, valid 18-digit ID numbers, ISO dates, bare mobiles). These tests check that neither
 * changes an answer: a remembered result equals the first one and cannot be changed through a
 * copy, and a shortcut gives what the general rules give.
 */
import { describe, expect, it } from 'vitest';
import { parseAddress } from './address.js';
import {
  normalizeEthnicity,
  normalizeEthnicityShared,
  normalizeMaritalStatus,
  normalizeMaritalStatusShared,
  normalizePersonStatus,
  normalizePersonStatusShared,
  normalizeRelationship,
  normalizeRelationshipShared,
  normalizeSex,
  normalizeSexShared,
} from './codes.js';
import { parseDate } from './date.js';
import { normalizeIdNumber } from './id-number.js';
import { normalizeName, normalizeNameShared } from './name.js';
import { normalizePhone } from './phone.js';
import { cellText, isPlainText, normalizeInteger, toSimplified } from './text.js';

const NAMES = ['张伟', '欧阳娜娜', '王', '單于曉明', '張偉', '无', '司马', '尉迟恭', '买买提·艾力', '李 娜', 'Zhang Wei', '王芳(已故)'];
const ADDRESSES = [
  '河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401',
  '陕西省西安市雁塔区胡湾路256号5号楼4单元1102',
  '金水区北大街道西湖社区和谐佳苑1号楼2单元101',
  '河南省鄭州市金水區經三路3號樓2單元401',
  '郑州市金水区幸福小区8栋3单元602室',
  '幸福小区1号楼1-401',
  '金水区文化路1号',
  '北京市东城区某胡同1号',
  '无',
];

describe('results remembered by cell text', () => {
  it.each([
    ['normalizeName', normalizeName, NAMES],
    ['parseAddress', parseAddress, ADDRESSES],
    ['normalizeSex', normalizeSex, ['男', '女', '1', 'F', '未知', '其他', '无']],
    ['normalizeEthnicity', normalizeEthnicity, ['汉族', '漢', '01', '1', '维族', '火星族']],
    ['normalizeMaritalStatus', normalizeMaritalStatus, ['已婚', '離婚', '20', '2', '单身', '?']],
    ['normalizeRelationship', normalizeRelationship, ['户主', '之子', '户主之女', '20', '2', '邻居']],
    ['normalizePersonStatus', normalizePersonStatus, ['正常', '已迁出', '死亡', '失踪']],
  ] as const)('%s: the second answer equals the first and is a copy', (_name, normalize, inputs) => {
    for (const input of inputs) {
      const first = (normalize as (v: string) => unknown)(input);
      const firstSnapshot = structuredClone(first);
      if (first !== null && typeof first === 'object') {
        // Changing what a caller got must not change what the next caller gets.
        const target = first as Record<string, unknown>;
        for (const key of Object.keys(target)) {
          const value = target[key];
          if (value !== null && typeof value === 'object') (value as Record<string, unknown>).code = 'changed';
          else target[key] = 'changed';
        }
      }
      const second = (normalize as (v: string) => unknown)(input);
      expect(second).toEqual(firstSnapshot);
      expect(Object.keys(second ?? {})).toEqual(Object.keys(firstSnapshot ?? {}));
    }
  });

  it('the …Shared variants give the same results (shared, for the adapters)', () => {
    for (const name of NAMES) expect(normalizeNameShared(name)).toEqual(normalizeName(name));
    for (const v of ['男', '2', '不详', '?']) expect(normalizeSexShared(v)).toEqual(normalizeSex(v));
    for (const v of ['汉族', '漢', '98', '?']) expect(normalizeEthnicityShared(v)).toEqual(normalizeEthnicity(v));
    for (const v of ['已婚', '2', '?']) expect(normalizeMaritalStatusShared(v)).toEqual(normalizeMaritalStatus(v));
    for (const v of ['户主之子', '20', '?']) expect(normalizeRelationshipShared(v)).toEqual(normalizeRelationship(v));
    for (const v of ['正常', '注销', '?']) expect(normalizePersonStatusShared(v)).toEqual(normalizePersonStatus(v));
  });

  it('numbers and dates are not remembered by text but read the same way', () => {
    expect(normalizeSex(1)).toEqual(normalizeSex('1'));
    expect(normalizeName(null)).toBeNull();
    expect(parseAddress(12)).toEqual(parseAddress('12'));
  });
});

describe('shortcuts give what the general rules give', () => {
  it('cellText: plain text is only trimmed', () => {
    for (let code = 0; code < 0x80; code++) expect(isPlainText(String.fromCharCode(code))).toBe(true);
    for (const text of ['张伟', 'abc 123', '河南省郑州市', '、。「」', '—…']) {
      expect(cellText(text)).toBe(text.normalize('NFKC').replace(/[\u200B-\u200D\u2060\uFEFF]/g, '').trim());
    }
    // Not plain: full-width forms, ideographic space, invisible characters, combining marks.
    for (const text of ['ＡＢＣ', '张\u3000伟', '张\u200B伟', 'e\u0301', '\u302A']) expect(isPlainText(text)).toBe(false);
  });

  it('toSimplified: text without a character to convert comes back as is', () => {
    expect(toSimplified('张伟')).toBe('张伟');
    expect(toSimplified('張偉')).toBe('张伟');
    expect(toSimplified('乾隆')).toBe('乾隆');
    expect(toSimplified('𠮷野')).toBe('𠮷野');
  });

  it('names: a plain Han name reads as the same name with padding', () => {
    for (const name of ['张伟', '欧阳娜娜', '王', '尉迟恭', '单雄信', '张伟伟伟']) {
      // The padded form goes through the general rules (trimming, spaces); the plain one does not.
      expect(normalizeName(name)).toEqual(normalizeName(` ${name}\u3000`));
    }
  });

  it('addresses: a plain address parses as the same address with padding', () => {
    for (const address of ADDRESSES.slice(0, 8)) {
      expect(parseAddress(address)).toEqual(parseAddress(`\u3000${address} `));
    }
  });

  it('ID numbers: a valid number reads as the same number written with spaces', () => {
    for (const id of ['410105199003071234', '11010519491231002X', '61011319851027566X', '410105199003071235', '410105000000000000']) {
      const plain = normalizeIdNumber(id);
      const spaced = normalizeIdNumber(`${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`);
      expect({ ...plain, original: '' }).toEqual({ ...spaced, original: '' });
    }
  });

  it('dates: ISO and compact dates read as the longer forms do', () => {
    const pairs: [string, string][] = [
      ['1985-03-12', '1985-03-12 00:00:00'],
      ['19850312', '1985年3月12日'],
      ['2023-02-29', '2023-02-29T00:00'],
      ['0999-01-01', '0999-01-01 00:00'],
      ['20231301', '2023年13月01日'],
    ];
    for (const [short, long] of pairs) {
      const a = parseDate(short);
      const b = parseDate(long);
      if (a.ok === true || b.ok === true) expect(a).toEqual(b);
      else expect(a.ok).toBe(b.ok);
    }
  });

  it('phones and integers: the usual cells read as the general rules read them', () => {
    expect(normalizePhone('13812345678')).toEqual(normalizePhone(' 138 1234 5678 '));
    expect(normalizePhone('12812345678')).toEqual({ ok: false, reason: 'not a phone number: "12812345678"' });
    expect(normalizeInteger('045')).toEqual(normalizeInteger('45岁'));
    expect(normalizeInteger('999999999999999')).toEqual({ ok: true, value: 999999999999999 });
  });
});
