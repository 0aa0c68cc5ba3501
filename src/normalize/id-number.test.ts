import { describe, it, expect } from 'vitest';
import { computeCheckChar, isValidIdNumber, normalizeIdNumber, upgradeIdNumber15 } from './id-number.js';
import type { IdNumberResult } from './types.js';

// Synthetic numbers only: made-up sequences with a correct check character.
const id = (first17: string): string => first17 + computeCheckChar(first17);
const MALE = id('41010519900307123'); // 41010519900307123X
const FEMALE = id('41010520010615002'); // sequence 002: even → female
const LAIWU = id('37120219751103051'); // Laiwu (3712xx), abolished 2019: still valid
const FULL_WIDTH = (s: string): string => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('computeCheckChar', () => {
  it.each([
    ['11010519491231002', 'X'], // the standard's own example
    ['13050319670401001', '6'],
    ['41010519900307123', 'X'],
    ['41010520010615002', '4'], // checked by hand: sum 162, 162 mod 11 = 8 → '4'
  ])('%s → %s', (first17, check) => {
    expect(computeCheckChar(first17)).toBe(check);
  });

  it.each(['', '1234', '4101051990030712X', '410105199003071234'])('rejects %j', (bad) => {
    expect(() => computeCheckChar(bad)).toThrow(RangeError);
  });

  it('every check character occurs', () => {
    const seen = new Set<string>();
    for (let seq = 0; seq < 200; seq++) seen.add(computeCheckChar(`4101051990030${String(seq).padStart(4, '0')}`));
    expect([...seen].sort().join('')).toBe('0123456789X');
  });
});

describe('isValidIdNumber', () => {
  it.each([
    ['11010519491231002X', true],
    [MALE, true],
    [LAIWU, true],
    ['11010519491231002x', false], // canonical form only: upper-case X
    ['110105194912310021', false], // wrong check
    ['99010519491231002X', false], // no province 99
    [id('11010519490231002'), false], // 1949-02-31
    [id('11010518890101002'), false], // before 1890
    [id('11010520310101002'), false], // after 2030
    ['130503670401001', false], // 15 digits: upgrade first
  ])('%s → %s', (s, ok) => {
    expect(isValidIdNumber(s)).toBe(ok);
  });
});

describe('upgradeIdNumber15', () => {
  it.each([
    ['130503670401001', '130503196704010016'],
    ['110105491231002', '11010519491231002X'],
  ])('%s → %s', (s15, s18) => {
    expect(upgradeIdNumber15(s15)).toBe(s18);
  });

  it('rejects anything but 15 digits', () => {
    expect(() => upgradeIdNumber15('13050367040100')).toThrow(RangeError);
  });
});

describe('normalizeIdNumber', () => {
  const cases: [string, unknown, Partial<IdNumberResult>][] = [
    ['standard example', '11010519491231002X', { status: 'valid', value: '11010519491231002X', birthDate: '1949-12-31', sex: '2', regionCode: '110105' }],
    ['lower-case x', '11010519491231002x', { status: 'valid', value: '11010519491231002X' }],
    ['full-width digits and Ｘ', FULL_WIDTH(MALE), { status: 'valid', value: MALE }],
    ['full-width lower-case ｘ', FULL_WIDTH(MALE).replace('Ｘ', 'ｘ'), { status: 'valid', value: MALE }],
    ['spaces inside', `${MALE.slice(0, 6)} ${MALE.slice(6, 14)} ${MALE.slice(14)}`, { status: 'valid', value: MALE }],
    ['surrounding spaces and tab', `\t ${MALE}  `, { status: 'valid', value: MALE }],
    ['ideographic space', `\u3000${MALE}\u3000`, { status: 'valid', value: MALE }],
    ['leading apostrophe', `'${MALE}`, { status: 'valid', value: MALE }],
    ['="…" CSV wrapper', `="${MALE}"`, { status: 'valid', value: MALE }],
    ['× typed for X', MALE.replace('X', '×'), { status: 'valid', value: MALE }],
    ['dashes', `${MALE.slice(0, 6)}-${MALE.slice(6, 14)}-${MALE.slice(14)}`, { status: 'valid', value: MALE }],
    ['male from odd sequence', MALE, { sex: '1', birthDate: '1990-03-07', regionCode: '410105' }],
    ['female from even sequence', FEMALE, { status: 'valid', sex: '2', birthDate: '2001-06-15' }],
    ['historical region code', LAIWU, { status: 'valid', regionCode: '371202' }],
    ['Hong Kong resident (81)', id('81000019850312004'), { status: 'valid', regionCode: '810000' }],
    ['legacy 15-digit text', '130503670401001', { status: 'upgraded', value: '130503196704010016', birthDate: '1967-04-01', sex: '1', regionCode: '130503' }],
    ['legacy 15-digit number cell', 130503670401001, { status: 'upgraded', value: '130503196704010016' }],
    ['legacy 15-digit shown as E+14 in full', '1.30503670401001E+14', { status: 'upgraded', value: '130503196704010016' }],
    ['wrong check character', `${MALE.slice(0, 17)}5`, { status: 'bad_check', value: `${MALE.slice(0, 17)}5`, birthDate: '1990-03-07', sex: '1' }],
    ['two digits swapped', `${MALE.slice(0, 15)}${MALE[16]}${MALE[15]}X`, { status: 'bad_check' }],
    ['impossible birth date', id('41010519900230123'), { status: 'bad_date', value: id('41010519900230123') }],
    ['month 13', id('41010519901301123'), { status: 'bad_date' }],
    ['born before 1890', id('41010518851201123'), { status: 'bad_date' }],
    ['legacy number with impossible date', '130503670231001', { status: 'bad_date', value: '130503670231001' }],
    ['number cell of an 18-digit ID', Number('410105199003071234'), { status: 'lost_digits', original: '410105199003071000', survivingDigits: '410105199003071', birthDate: '1990-03-07', regionCode: '410105' }],
    ['number cell already rounded', 410105199003071000, { status: 'lost_digits', survivingDigits: '410105199003071' }],
    ['scientific notation, 6 digits shown', '4.10105E+17', { status: 'lost_digits', survivingDigits: '410105', regionCode: '410105' }],
    ['scientific notation, 15 digits shown', '4.10105199003071E+17', { status: 'lost_digits', survivingDigits: '410105199003071', birthDate: '1990-03-07' }],
    ['scientific notation, lower-case e', '4.10105e+17', { status: 'lost_digits', survivingDigits: '410105' }],
    ['scientific notation without +', '4.10105E17', { status: 'lost_digits', survivingDigits: '410105' }],
    ['legacy number shown as 1.30504E+14', '1.30504E+14', { status: 'lost_digits', survivingDigits: '130504' }],
    ['18 digits ending 000 with a failing check', '410105199003071000', { status: 'lost_digits', survivingDigits: '410105199003071' }],
    ['17 digits', MALE.slice(0, 17), { status: 'malformed', value: MALE.slice(0, 17) }],
    ['19 digits', `${MALE.slice(0, 17)}12`, { status: 'malformed' }],
    ['letters inside', '41010519900307A23X', { status: 'malformed' }],
    ['X not last', '4101051990030712X3', { status: 'malformed' }],
    ['no such province', id('99010519900307123'), { status: 'malformed' }],
    ['scientific notation of another size', '1.2E+5', { status: 'malformed' }],
    ['small number', 12345, { status: 'malformed', value: '12345' }],
    ['fractional number', 1.5, { status: 'malformed' }],
    ['Date cell', new Date(Date.UTC(1990, 2, 7)), { status: 'malformed' }],
    ['boolean cell', true, { status: 'malformed' }],
    ['null', null, { status: 'empty', original: '' }],
    ['blank text', '   ', { status: 'empty' }],
    ['placeholder 无', '无', { status: 'empty' }],
    ['placeholder /', '/', { status: 'empty' }],
  ];

  it.each(cases)('%s', (_label, input, expected) => {
    expect(normalizeIdNumber(input as never)).toMatchObject(expected);
  });

  it('keeps the original text as found', () => {
    expect(normalizeIdNumber(` '${MALE.toLowerCase()}`).original).toBe(` '${MALE.toLowerCase()}`);
  });

  it('has no value for lost digits', () => {
    const r = normalizeIdNumber('4.10105E+17');
    expect(r.value).toBeUndefined();
    expect(r.sex).toBeUndefined();
  });

  it('has no derived fields for malformed input', () => {
    const r = normalizeIdNumber('abc');
    expect(r).toEqual({ status: 'malformed', original: 'abc', value: 'abc' });
  });
});
