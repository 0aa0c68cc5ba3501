import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { computeCheckChar } from '../normalize/index.js';
import { addressCloseness, classifyText, planSearch, readAddress, readIdNumber, readName, type SearchParams } from './query.js';

// Synthetic numbers, check characters computed.
const id = (first17: string) => first17 + computeCheckChar(first17);
const ID = id('41010519900307123');
const LEGACY = '410105900307123'; // the same person's 15-digit number (YYMMDD, no check character)

function validationMessage(params: SearchParams): string {
  try {
    planSearch(params);
  } catch (err) {
    if (isAppError(err) && err.code === 'RH_ERR_VALIDATION') return err.message;
    throw err;
  }
  throw new Error('expected a validation error');
}

describe('readIdNumber', () => {
  const fullWidth = ID.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  it.each([
    ['18 digits', ID],
    ['15-digit legacy number', LEGACY],
    ['full-width digits', fullWidth],
    ['lower-case x and spaces', `${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14).toLowerCase()}`],
  ])('reads the %s as the canonical number', (_what, text) => {
    expect(readIdNumber(text)).toBe(upgraded(text));
  });

  it('refuses an Excel-damaged number and text that is none', () => {
    expect(() => readIdNumber('4.10105E+17')).toThrow(/lost its last digits/);
    expect(() => readIdNumber('  ')).toThrow(/not an ID number/);
  });
});

/** The expected canonical form: what the 15-digit number upgrades to, or the 18 as written. */
function upgraded(text: string): string {
  const compact = text.normalize('NFKC').replace(/\s/g, '').toUpperCase();
  if (compact.length === 18) return compact;
  const first17 = `${compact.slice(0, 6)}19${compact.slice(6)}`;
  return first17 + computeCheckChar(first17);
}

describe('readName', () => {
  it('reads characters: typed form, match form (traditional → simplified) and pinyin for homophones', () => {
    expect(readName(' 張偉 ')).toEqual({ typed: '張偉', script: 'han', matchForm: '张伟', readings: ['zhang wei'], rankText: '张伟' });
  });

  it('reads pinyin with or without spaces and tones', () => {
    for (const text of ['zhang wei', 'ZhangWei', 'zhāng wěi', 'zhang1wei3']) {
      const q = readName(text);
      expect(q.script, text).toBe('pinyin');
      expect(q.readings, text).toContain('zhang wei');
      expect(q.rankText, text).toBe('zhangwei');
    }
  });

  it('refuses Latin text that is no pinyin', () => {
    expect(() => readName('qwrtz')).toThrow(/neither Chinese characters nor pinyin/);
  });
});

describe('classifyText', () => {
  it.each([
    [ID, 'idNumber'],
    [LEGACY, 'idNumber'],
    [`${ID.slice(0, 17)}x`, 'idNumber'],
    ['1990-03-07', 'birthDate'],
    ['19900307', 'birthDate'],
    ['1990年3月7日', 'birthDate'],
    ['张伟', 'name'],
    ['欧阳娜娜', 'name'],
    ['zhang wei', 'name'],
    ['买买提·艾力', 'name'],
    ['西湖社区', 'address'],
    ['湾高村', 'address'],
    ['金水区北大街道西湖社区广电南路58号院1号楼', 'address'],
    ['王小楼', 'name'],
  ])('%s is %s', (text, kind) => {
    expect(classifyText(text)).toBe(kind);
  });
});

describe('planSearch', () => {
  it('needs at least one criterion', () => {
    expect(validationMessage({})).toMatch(/at least one/);
    expect(validationMessage({ name: '  ', q: '' })).toMatch(/at least one/);
  });

  it('combines explicit criteria and records their kinds only', () => {
    const plan = planSearch({ id_number: LEGACY, name: '张伟', birth_date: '1990/3/7', community: '西湖社区居委会' });
    expect(plan.idNumber).toBe(ID);
    expect(plan.name?.matchForm).toBe('张伟');
    expect(plan.birthDate).toBe('1990-03-07');
    expect(plan.community).toBe('西湖');
    expect(plan.kinds).toEqual(['idNumber', 'name', 'birthDate', 'community']);
    expect(JSON.stringify(plan.kinds)).not.toContain('张伟');
  });

  it('reads q as whatever it is, an address as its community and the part below it', () => {
    expect(planSearch({ q: ID.toLowerCase() })).toMatchObject({ idNumber: ID, qKind: 'idNumber', kinds: ['idNumber'] });
    const address = planSearch({ q: '北大街道西湖社区广电南路58号院1号楼' });
    expect(address).toMatchObject({ community: '西湖', address: { estate: '广电南路58号院', road: '广电南路58号', building: '1', unit: null, room: null }, qKind: 'address', kinds: ['community', 'address'] });
  });

  it('refuses q that repeats a criterion given on its own, and an address without a community', () => {
    expect(validationMessage({ name: '张伟', q: '李娜' })).toMatch(/q reads as a name/);
    expect(validationMessage({ q: '河南省郑州市金水区广电南路58号院' })).toMatch(/needs its community/);
    expect(validationMessage({ birth_date: '1990-13-45' })).toMatch(/birth_date/);
  });
});


describe('addressCloseness', () => {
  const { address: q } = readAddress('金水区北大街道西湖社区广电南路58号院1号楼2单元101');
  it.each([
    ['another compound', { estate: '纬五路12号院', building: '1', unit: '2', room: '101' }, 0],
    ['the same compound', { estate: '广电南路58号院', building: '3' }, 1],
    ['the same compound by its road number', { road: '广电南路58号', building: '3' }, 1],
    ['the same building', { estate: '广电南路58号院', building: '1', unit: '1' }, 2],
    ['the same unit', { estate: '广电南路58号院', building: '1', unit: '2', room: '502' }, 3],
    ['the same flat', { estate: '广电南路58号院', building: '1', unit: '2', room: '101' }, 4],
    ['no address', null, 0],
  ])('%s', (_what, address, closeness) => {
    expect(addressCloseness(q, address)).toBe(closeness);
  });

  it('stops where the query stops', () => {
    const { address: compound } = readAddress('西湖社区广电南路58号院');
    expect(addressCloseness(compound, { estate: '广电南路58号院', building: '1', unit: '2', room: '101' })).toBe(1);
  });
});
