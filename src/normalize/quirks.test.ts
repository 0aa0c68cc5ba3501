/**
 * Every form in the quirk table and the per-source notes of /work/shared/source-formats.md,
 * through the barrel (so this also checks what index.ts exports).
 */
import { describe, it, expect } from 'vitest';
import * as N from './index.js';

const id = (first17: string): string => first17 + N.computeCheckChar(first17);
const SYNTHETIC = id('41010519900307123'); // made up, correct check character
const FULL_WIDTH = (s: string): string => s.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('quirk: ID numbers as numbers — detect, never match, report', () => {
  it.each<[string, unknown, string]>([
    ['text 4.10105E+17', '4.10105E+17', '410105'],
    ['text with last digits lost', '410105199003071000', '410105199003071'],
    ['number cell', Number('410105199003071234'), '410105199003071'], // Number(): the precision loss is the point
    ['number cell, as read back', 410105199003071000, '410105199003071'],
  ])('%s', (_label, input, surviving) => {
    const r = N.normalizeIdNumber(input as never);
    expect(r.status).toBe('lost_digits');
    expect(r.value).toBeUndefined(); // nothing to match on
    expect(r.survivingDigits).toBe(surviving);
  });
});

describe('quirk: ID number forms — normalise, upgrade 15 → 18', () => {
  it.each<[string, string, N.IdNumberStatus, string]>([
    ['lower-case x', SYNTHETIC.toLowerCase(), 'valid', SYNTHETIC],
    ['full-width digits', FULL_WIDTH(SYNTHETIC), 'valid', SYNTHETIC],
    ['spaces', ` ${SYNTHETIC.slice(0, 6)} ${SYNTHETIC.slice(6)} `, 'valid', SYNTHETIC],
    ["leading '", `'${SYNTHETIC}`, 'valid', SYNTHETIC],
    ['legacy 15-digit', '130503670401001', 'upgraded', '130503196704010016'],
  ])('%s', (_label, input, status, value) => {
    expect(N.normalizeIdNumber(input)).toMatchObject({ status, value });
  });
});

describe('quirk: dates — one ISO date; an impossible date is a field error', () => {
  it.each<[unknown]>([
    ['19850312'], ['1985-03-12'], ['1985/3/12'], ['1985年3月12日'], ['1985.03.12'], [31118], [new Date(Date.UTC(1985, 2, 12))], [19850312],
  ])('%j → 1985-03-12', (input) => {
    expect(N.parseDate(input as never)).toEqual({ ok: true, value: '1985-03-12' });
  });

  it('an impossible date is an error result, not an exception', () => {
    expect(N.parseDate('19850230').ok).toBe(false);
  });
});

describe('quirk: codes or words — one code list', () => {
  it.each<[(v: never) => N.ParseResult<string>, unknown, string]>([
    [N.normalizeSex, '男', '1'],
    [N.normalizeSex, '女', '2'],
    [N.normalizeSex, '1', '1'],
    [N.normalizeSex, '2', '2'],
    [N.normalizeEthnicity, '汉族', '01'],
    [N.normalizeEthnicity, '汉', '01'],
    [N.normalizeEthnicity, '01', '01'],
    [N.normalizeEthnicity, '5', '05'], // unpadded
    [N.normalizeMaritalStatus, '已婚', '20'],
    [N.normalizeMaritalStatus, '20', '20'],
  ])('%o(%j) → %s', (f, input, code) => {
    expect(f(input as never)).toEqual({ ok: true, value: code });
  });
});

describe('quirk: text noise — normalise for matching, keep the original', () => {
  it.each<[string, string]>([
    ['  张伟 ', '张伟'],
    ['张\u3000伟', '张伟'],
    ['Ｌｉ Ｎａ', 'lina'],
    ['买买提·艾力', '买买提艾力'],
    ['买买提•艾力', '买买提艾力'],
    ['买买提.艾力', '买买提艾力'],
    ['張偉', '张伟'],
  ])('%j → %s', (input, matchForm) => {
    const r = N.normalizeName(input);
    expect(r?.matchForm).toBe(matchForm);
    expect(r?.original).toBe(input.trim().replace(/\s+/g, ' '));
  });

  it('a traditional name and its simplified form look the same to matching', () => {
    expect(N.normalizeName('張偉')?.pinyinKey).toBe(N.normalizeName('张伟')?.pinyinKey);
    expect(N.normalizeName('張偉')?.wasTraditional).toBe(true);
  });
});

describe('police export', () => {
  it.each<[unknown, string]>([
    ['户主', '02'], ['配偶', '10'], ['长子', '22'], ['次女', '33'], ['之子', '20'], ['父亲', '51'], ['孙子', '41'],
    // YHZGX column: GB/T 4761 codes
    ['02', '02'], ['10', '10'], ['20', '20'], ['30', '30'], ['51', '51'], ['52', '52'],
  ])('与户主关系 %j → %s', (input, code) => {
    expect(N.normalizeRelationship(input as never)).toMatchObject({ ok: true, value: { code } });
  });

  it.each([['正常', 'active'], ['迁出', 'moved_out'], ['死亡', 'deceased']])('人员状态 %s → %s', (input, status) => {
    expect(N.normalizePersonStatus(input)).toEqual({ ok: true, value: status });
  });

  it.each<[(v: never) => N.ParseResult<string>, unknown, string]>([
    [N.normalizeSex, 1, '1'], // XB
    [N.normalizeSex, 2, '2'],
    [N.normalizeEthnicity, '01', '01'], // MZ
    [N.normalizeMaritalStatus, '10', '10'], // HYZK
    [N.normalizeMaritalStatus, 20, '20'],
  ])('coded column %o(%j) → %s', (f, input, code) => {
    expect(f(input as never)).toEqual({ ok: true, value: code });
  });

  it('住址 splits into levels', () => {
    expect(N.parseAddress('河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401')).toMatchObject({
      district: '金水区', community: '西湖社区', building: '3', unit: '2', room: '401',
    });
  });

  it('出生日期 usually YYYYMMDD', () => {
    expect(N.parseDate('19490101')).toEqual({ ok: true, value: '1949-01-01' });
  });
});

describe('family-planning export', () => {
  it.each<[unknown, N.PhoneResult]>([
    ['13812345678', { value: '13812345678', kind: 'mobile' }],
    ['0371-65432100', { value: '0371-65432100', kind: 'landline' }],
  ])('联系电话 %j', (input, value) => {
    expect(N.normalizePhone(input as never)).toEqual({ ok: true, value });
  });

  it('young children often have an empty ID number', () => {
    expect(N.normalizeIdNumber('').status).toBe('empty');
    expect(N.normalizeIdNumber(null).status).toBe('empty');
  });

  it('homophones share pinyin (张玮 for 张伟)', () => {
    expect(N.normalizeName('张玮')?.pinyinKey).toBe(N.normalizeName('张伟')?.pinyinKey);
  });
});

describe('minimum-allowance export', () => {
  it.each<[string, string]>([
    ['本人', '01'], ['配偶', '10'], ['子', '20'], ['女', '30'], ['父亲', '51'], ['母亲', '52'], ['孙子女', '40'], ['其他', '80'],
  ])('与户主关系 %s → %s', (input, code) => {
    expect(N.normalizeRelationship(input)).toMatchObject({ ok: true, value: { code } });
  });

  it.each<[unknown, number]>([[45, 45], ['45', 45], ['45岁', 45]])('年龄 %j → %d', (input, age) => {
    expect(N.normalizeInteger(input as never)).toEqual({ ok: true, value: age });
  });

  it.each<[unknown, number]>([[512.5, 512.5], ['512.50', 512.5], ['1,024.00', 1024], ['￥600', 600]])('月保障金额（元） %j → %d', (input, amount) => {
    expect(N.normalizeAmount(input as never)).toEqual({ ok: true, value: amount });
  });

  it('an age agrees with the ID number on the export date', () => {
    const birth = N.normalizeIdNumber(SYNTHETIC).birthDate ?? '';
    expect(N.ageOn(birth, '2026-10-31')).toBe(36);
  });
});

describe('barrel', () => {
  it('exports every normaliser', () => {
    for (const name of [
      'cellText', 'toSimplified', 'normalizeInteger', 'normalizeAmount', 'normalizeIdNumber', 'computeCheckChar',
      'isValidIdNumber', 'upgradeIdNumber15', 'normalizeName', 'parseDate', 'ageOn', 'isValidIsoDate', 'normalizeSex',
      'normalizeMaritalStatus', 'normalizeEthnicity', 'normalizeRelationship', 'normalizePersonStatus', 'sexLabel',
      'maritalLabel', 'ethnicityLabel', 'normalizePhone', 'parseAddress',
    ]) {
      expect(typeof (N as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
