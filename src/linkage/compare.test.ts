import { describe, expect, it } from 'vitest';
import { adapters, type SourceName } from '../../adapters/index.js';
import type { CellValue } from '../ingest/types.js';
import { ageOn, computeCheckChar } from '../normalize/index.js';
import {
  ADDRESS_LEVELS,
  BIRTH_DATE_LEVELS,
  COMPARISON_FIELDS,
  COMPARISON_LEVELS,
  HOUSEHOLD_LEVELS,
  ID_NUMBER_LEVELS,
  NAME_LEVELS,
  PHONE_LEVELS,
  SEX_LEVELS,
  communityCore,
  compareAddress,
  compareBirthDate,
  compareHousehold,
  compareIdNumber,
  compareName,
  comparePhone,
  compareRecords,
  compareSex,
  toComparable,
  type ComparableRecord,
} from './compare.js';

// Synthetic people only: made-up names, ID numbers built with a real region code and the
// GB 11643 check character, so that they pass or fail validation exactly as intended.

const P = 'police';
const FP = 'family-planning';
const FL = 'floating-population';
const MA = 'minimum-allowance';
const EXPORT_DATE = '2026-10-31';

type Cells = Record<string, CellValue>;
type Side = readonly [SourceName, Cells];

/** The record's normalised data exactly as the source's adapter builds it on import. */
function dataOf(source: SourceName, cells: Cells, exportDate = EXPORT_DATE): Record<string, unknown> {
  const result = adapters[source].toRecord({ rowNumber: 2, get: (key) => cells[key] }, { exportDate });
  if (!result.ok) throw new Error(`test record rejected: ${JSON.stringify(result.reasons)}`);
  return result.data;
}

function rec(source: SourceName, cells: Cells, householdKey?: string | null, exportDate = EXPORT_DATE): ComparableRecord {
  return toComparable(source, dataOf(source, cells, exportDate), householdKey);
}

function side([source, cells]: Side): ComparableRecord {
  return rec(source, cells);
}

/** An 18-digit number: region, YYYYMMDD, 3-digit sequence (odd = male), check character. */
function makeId(region: string, birth: string, seq: string): string {
  const body = `${region}${birth}${seq}`;
  return body + computeCheckChar(body);
}

/** The number with the character at pos replaced. */
function withChar(id: string, pos: number, ch: string): string {
  return id.slice(0, pos) + ch + id.slice(pos + 1);
}

/** The number with the characters at pos and pos + 1 swapped. */
function swapped(id: string, pos: number): string {
  return id.slice(0, pos) + id.charAt(pos + 1) + id.charAt(pos) + id.slice(pos + 2);
}

function wrongCheck(id: string): string {
  const right = id.charAt(17);
  return withChar(id, 17, right === '1' ? '2' : '1');
}

const ID_A = makeId('410105', '19850312', '123'); // a man born 1985-03-12
const ID_A_TWIN = makeId('410105', '19850312', '125'); // his twin brother
const ID_B = makeId('410102', '19900721', '246'); // a woman born 1990-07-21
const ID_X = makeId('110105', '19901231', '006'); // check character X
const ID_A_LEGACY15 = `410105850312123`; // ID_A's 15-digit form
const ID_A_DIGIT = withChar(ID_A, 15, ID_A.charAt(15) === '9' ? '0' : String(Number(ID_A.charAt(15)) + 1));
const ID_A_SWAP = swapped(ID_A, 14); // '12' → '21'
const ID_A_SCI = `${ID_A.charAt(0)}.${ID_A.slice(1, 15)}E+17`; // 15 significant digits survive

describe('test IDs are what they claim to be', () => {
  it.each([
    [ID_A, 'valid'],
    [ID_A_TWIN, 'valid'],
    [ID_B, 'valid'],
    [ID_X, 'valid'],
    [ID_A_LEGACY15, 'upgraded'],
    [ID_A_DIGIT, 'bad_check'],
    [ID_A_SWAP, 'bad_check'],
    [wrongCheck(ID_A), 'bad_check'],
    [ID_A_SCI, 'lost_digits'],
    [Number(ID_A), 'lost_digits'],
  ])('%j is %s', (id, status) => {
    expect(dataOf(P, { name: '测试', idNumber: id }).idNumberStatus).toBe(status);
  });
});

describe('level lists', () => {
  it.each(Object.entries(COMPARISON_LEVELS))('%s: distinct, ends with missing/none', (_field, levels) => {
    expect(new Set(levels).size).toBe(levels.length);
    expect(['missing', 'none']).toContain(levels[levels.length - 1]);
  });

  it('fields in ComparisonVector order', () => {
    expect(COMPARISON_FIELDS).toEqual(['name', 'idNumber', 'birthDate', 'sex', 'phone', 'address', 'household']);
    const v = compareRecords(rec(P, { name: '张伟' }), rec(P, { name: '张伟' }));
    expect(Object.keys(v)).toEqual(COMPARISON_FIELDS);
  });
});

describe('compareName', () => {
  it.each<[string, Cells, Cells, (typeof NAME_LEVELS)[number]]>([
    ['same name', { name: '张伟' }, { name: '张伟' }, 'exact'],
    ['same with spaces trimmed', { name: ' 张伟 ' }, { name: '张伟' }, 'exact'],
    ['traditional characters', { name: '張偉' }, { name: '张伟' }, 'simplified'],
    ['padding inside', { name: '张\u3000伟' }, { name: '张伟' }, 'simplified'],
    ['minority-name separator', { name: '买买提·艾力' }, { name: '买买提艾力' }, 'simplified'],
    ['separator variants', { name: '买买提•艾力' }, { name: '买买提.艾力' }, 'simplified'],
    ['remark in brackets', { name: '李娜（小）' }, { name: '李娜' }, 'simplified'],
    ['name = other former name', { name: '李兰' }, { name: '李秀兰', formerName: '李兰' }, 'former_name'],
    ['former name = other name', { name: '王子涵', formerName: '王小丫' }, { name: '王小丫' }, 'former_name'],
    ['former name in traditional', { name: '陳靜', formerName: '陳小靜' }, { name: '陈小静' }, 'former_name'],
    ['homophone', { name: '张玮' }, { name: '张伟' }, 'pinyin'],
    ['homophone surname', { name: '章伟' }, { name: '张伟' }, 'pinyin'],
    ['pinyin written in Latin', { name: 'Zhang Wei' }, { name: '张伟' }, 'pinyin'],
    ['look-alike character', { name: '刘晓明' }, { name: '刘晓朋' }, 'one_char'],
    ['twins: one character apart', { name: '李思远' }, { name: '李思进' }, 'one_char'],
    ['compound surname, one char', { name: '欧阳明' }, { name: '欧阳敏' }, 'one_char'],
    ['typo in the surname', { name: '赵晓明' }, { name: '钱晓明' }, 'one_char'],
    ['character dropped', { name: '陈小红' }, { name: '陈红' }, 'dropped_char'],
    ['character added', { name: '陈红' }, { name: '陈红红' }, 'dropped_char'],
    ['rare character outside the BMP', { name: '陈\u{2020C}华' }, { name: '陈\u{2020C}' }, 'dropped_char'],
    ['single-character name never one_char', { name: '张' }, { name: '李' }, 'different'],
    ['surname only', { name: '赵丽' }, { name: '赵强' }, 'surname_only'],
    ['surname only, three characters', { name: '赵丽华' }, { name: '赵强国' }, 'surname_only'],
    ['two characters, surname differs', { name: '赵丽' }, { name: '钱丽' }, 'different'],
    ['same surname, lengths 2 and 4', { name: '赵丽' }, { name: '赵国强明' }, 'surname_only'],
    ['different', { name: '孙磊' }, { name: '周杰' }, 'different'],
    ['one side has no name', { idNumber: ID_A }, { name: '张伟' }, 'missing'],
  ])('%s', (_label, a, b, level) => {
    expect(compareName(rec(P, a), rec(P, b))).toBe(level);
    expect(compareName(rec(P, b), rec(P, a))).toBe(level);
  });
});

describe('compareIdNumber', () => {
  it.each<[string, CellValue, CellValue, (typeof ID_NUMBER_LEVELS)[number]]>([
    ['same valid number', ID_A, ID_A, 'exact'],
    ['lower-case x and full-width digits', '１１０１０５１９９０１２３１００６x', ID_X, 'exact'],
    ['legacy 15-digit vs its 18-digit form', ID_A_LEGACY15, ID_A, 'exact'],
    ['one wrong digit', ID_A_DIGIT, ID_A, 'one_digit'],
    ['two adjacent digits swapped', ID_A_SWAP, ID_A, 'transposed'],
    ['swap of the last digit and the check character', swapped(ID_A, 16), ID_A, 'transposed'],
    ['check character differs', wrongCheck(ID_A), ID_A, 'check_char'],
    ['same mistyped number on both sides', ID_A_DIGIT, ID_A_DIGIT, 'check_char'],
    ['Excel number, surviving digits agree', Number(ID_A), ID_A, 'lost_digits_agree'],
    ['scientific text, surviving digits agree', ID_A_SCI, ID_A, 'lost_digits_agree'],
    ['tail lost when typed (16 digits)', ID_A.slice(0, 16), ID_A, 'lost_digits_agree'],
    ['tail lost when typed (17 digits)', ID_A.slice(0, 17), ID_A, 'lost_digits_agree'],
    ['both Excel-damaged, same digits', ID_A_SCI, Number(ID_A), 'lost_digits_agree'],
    ['lost digits against a mistyped number', ID_A_SCI, ID_A_DIGIT, 'lost_digits_agree'],
    ['lost digits, other person', ID_A_SCI, ID_B, 'lost_digits_disagree'],
    ['lost digits, twin (sequence digits lost too)', ID_A_SCI, ID_A_TWIN, 'lost_digits_agree'],
    ['tail lost, other person', ID_A.slice(0, 17), ID_B, 'lost_digits_disagree'],
    ['twins: both valid, different', ID_A_TWIN, ID_A, 'different_valid'],
    ['two valid numbers', ID_B, ID_A, 'different_valid'],
    ['mistyped number vs another person', ID_A_DIGIT, ID_B, 'different'],
    ['impossible date vs another person', withChar(ID_A, 10, '1'), ID_B, 'different'],
    ['impossible date, one digit from the number', withChar(ID_A, 10, '1'), ID_A, 'one_digit'],
    ['too few digits survived (region only)', '4.10105E+17', ID_A, 'missing'],
    ['junk', '12345', ID_A, 'missing'],
    ['one side has none', null, ID_A, 'missing'],
  ])('%s', (_label, a, b, level) => {
    const ra = rec(P, { name: '测试', idNumber: a });
    const rb = rec(P, { name: '测试', idNumber: b });
    expect(compareIdNumber(ra, rb)).toBe(level);
    expect(compareIdNumber(rb, ra)).toBe(level);
  });
});

describe('compareBirthDate', () => {
  it.each<[string, Side, Side, (typeof BIRTH_DATE_LEVELS)[number]]>([
    ['same date', [P, { birthDate: '19850312' }], [FP, { birthDate: '1985-03-12' }], 'exact'],
    ['date from the ID number', [P, { birthDate: '19850312' }], [FL, { idNumber: ID_A }], 'exact'],
    ['own date wins over the ID number', [P, { birthDate: '19850313', idNumber: ID_A }], [FP, { birthDate: '1985-03-13' }], 'exact'],
    ['date from an Excel-damaged ID number', [P, { birthDate: '19850312' }], [MA, { idNumber: Number(ID_A), age: 30 }], 'exact'],
    ['day and month swapped', [P, { birthDate: '19850312' }], [FP, { birthDate: '1985-12-03' }], 'day_month_swapped'],
    ['one day apart', [P, { birthDate: '19850312' }], [FP, { birthDate: '1985-03-13' }], 'one_day'],
    ['one day apart over new year', [P, { birthDate: '19851231' }], [FP, { birthDate: '1986-01-01' }], 'one_day'],
    ['one day apart over a month end', [P, { birthDate: '19850228' }], [FP, { birthDate: '1985-03-01' }], 'one_day'],
    ['same year and month', [P, { birthDate: '19850312' }], [FP, { birthDate: '1985-03-21' }], 'same_year_month'],
    ['same year', [P, { birthDate: '19850312' }], [FP, { birthDate: '1985-07-12' }], 'same_year'],
    ['different year', [P, { birthDate: '19850312' }], [FP, { birthDate: '1987-03-12' }], 'different'],
    ['age on the export date matches', [P, { birthDate: '19850312' }], [MA, { age: 41 }], 'age_compatible'],
    ['age: birthday on the export date', [P, { birthDate: '19851031' }], [MA, { age: 41 }], 'age_compatible'],
    ['age: birthday the day after', [P, { birthDate: '19851101' }], [MA, { age: 41 }], 'age_off_by_one'],
    ['age one year off', [P, { birthDate: '19850312' }], [MA, { age: 40 }], 'age_off_by_one'],
    ['age far off', [P, { birthDate: '19850312' }], [MA, { age: 45 }], 'different'],
    ['two ages, same', [MA, { age: 41 }], [MA, { age: 41 }], 'age_compatible'],
    ['two ages, one apart', [MA, { age: 41 }], [MA, { age: 42 }], 'age_off_by_one'],
    ['two ages, far apart', [MA, { age: 41 }], [MA, { age: 45 }], 'different'],
    ['one side has nothing', [P, { birthDate: '19850312' }], [FP, {}], 'missing'],
    ['age and nothing', [MA, { age: 41 }], [FP, {}], 'missing'],
  ])('%s', (_label, a, b, level) => {
    const ra = side([a[0], { name: '测试', ...a[1] }]);
    const rb = side([b[0], { name: '测试', ...b[1] }]);
    expect(compareBirthDate(ra, rb)).toBe(level);
    expect(compareBirthDate(rb, ra)).toBe(level);
  });

  // The age levels follow ageOn exactly, including birthdays on 29 February.
  it.each([
    ['1985-03-12', '2026-10-31'],
    ['1985-10-31', '2026-10-31'],
    ['1985-11-01', '2026-10-31'],
    ['2000-02-29', '2025-02-28'],
    ['2000-02-29', '2025-03-01'],
    ['2000-02-29', '2024-02-29'],
    ['2026-10-31', '2026-10-31'],
    ['1930-01-01', '2026-12-31'],
  ])('born %s, age on %s as ageOn says', (birth, exportDate) => {
    const dated = rec(P, { name: '测试', birthDate: birth });
    const age = ageOn(birth, exportDate);
    const withAge = (n: number): ComparableRecord => rec(MA, { name: '测试', age: n }, undefined, exportDate);
    expect(compareBirthDate(dated, withAge(age))).toBe('age_compatible');
    expect(compareBirthDate(dated, withAge(age + 1))).toBe('age_off_by_one');
    if (age > 0) expect(compareBirthDate(dated, withAge(age - 1))).toBe('age_off_by_one');
    expect(compareBirthDate(dated, withAge(age + 2))).toBe('different');
  });
});

describe('compareSex', () => {
  it.each<[string, Side, Side, (typeof SEX_LEVELS)[number]]>([
    ['same, written differently', [P, { sex: '男' }], [FP, { sex: '1' }], 'same'],
    ['different', [P, { sex: '男' }], [FP, { sex: '女' }], 'different'],
    ['from the ID number', [P, { sex: '男' }], [FL, { idNumber: ID_A }], 'same'],
    ['own value wins over the ID number', [P, { sex: '女' }], [FL, { sex: '女', idNumber: ID_A }], 'same'],
    ['from the ID number, different', [P, { sex: '女' }], [FL, { idNumber: ID_A }], 'different'],
    ['unknown', [P, { sex: '男' }], [FP, { sex: '未知' }], 'missing'],
    ['one side has none', [P, { sex: '男' }], [FP, {}], 'missing'],
  ])('%s', (_label, a, b, level) => {
    const ra = side([a[0], { name: '测试', ...a[1] }]);
    const rb = side([b[0], { name: '测试', ...b[1] }]);
    expect(compareSex(ra, rb)).toBe(level);
    expect(compareSex(rb, ra)).toBe(level);
  });
});

describe('comparePhone', () => {
  it.each<[string, CellValue, CellValue, (typeof PHONE_LEVELS)[number]]>([
    ['same mobile', '13812345678', '13812345678', 'same'],
    ['same mobile, spaces and +86', '+86 138 1234 5678', '13812345678', 'same'],
    ['same mobile, Excel number', 13812345678, '13812345678', 'same'],
    ['same landline, written differently', '0371-65432100', '(0371)65432100', 'same'],
    ['landline with and without area code', '0371-65432100', '65432100', 'same_last_8'],
    ['7-digit landline with and without area code', '0371-6543210', '6543210', 'same_last_8'],
    ['mobile, first digits differ', '13912345678', '13812345678', 'same_last_8'],
    ['different mobiles', '13912345678', '15098765432', 'different'],
    ['different landlines', '0371-65432100', '0371-65432199', 'different'],
    ['one side has none', '13812345678', null, 'missing'],
  ])('%s', (_label, a, b, level) => {
    const ra = rec(FP, { name: '测试', phone: a });
    const rb = rec(MA, { name: '测试', phone: b });
    expect(comparePhone(ra, rb)).toBe(level);
    expect(comparePhone(rb, ra)).toBe(level);
  });
});

const XIHU = '河南省郑州市金水区北大街道西湖社区广电南路58号院';

describe('compareAddress', () => {
  it.each<[string, Side, Side, (typeof ADDRESS_LEVELS)[number]]>([
    ['same text', [P, { address: `${XIHU}1号楼2单元401` }], [MA, { address: `${XIHU}1号楼2单元401` }], 'same_room'],
    ['same room, shorter prefix and 室', [P, { address: `${XIHU}1号楼2单元401` }], [MA, { address: '金水区西湖社区广电南路58号院1号楼2单元401室' }], 'same_room'],
    ['same room, dashed form', [P, { address: `${XIHU}1号楼2单元401` }], [MA, { address: '广电南路58号院1-2-401' }], 'same_room'],
    ['same room, road number vs 院', [P, { address: '金水区纬五路12号院3号楼2单元401' }], [MA, { address: '金水区纬五路12号3号楼2单元401' }], 'same_room'],
    ['same room, community suffix', [P, { address: '金水区西湖社区居委会纬五路12号院3号楼2单元401' }], [MA, { address: '金水区西湖社区纬五路12号院3号楼2单元401' }], 'same_room'],
    ['same building, other unit', [P, { address: `${XIHU}1号楼2单元401` }], [MA, { address: `${XIHU}1号楼3单元202` }], 'same_building'],
    ['same building, unit on one side only', [P, { address: `${XIHU}1号楼401` }], [MA, { address: `${XIHU}1号楼2单元401` }], 'same_building'],
    ['same building, floors disagree', [P, { address: '丰庆路8号院2号楼3单元12层1203' }], [MA, { address: '丰庆路8号院2号楼3单元11层1203' }], 'same_building'],
    ['same estate, other building', [P, { address: `${XIHU}1号楼2单元401` }], [MA, { address: `${XIHU}4号楼1单元202` }], 'same_estate'],
    ['same named 小区', [P, { address: '金水区幸福小区3号楼2单元401' }], [MA, { address: '金水区幸福小区5号楼1单元101' }], 'same_estate'],
    ['same community, other estate', [P, { address: `${XIHU}1号楼2单元401` }], [MA, { address: '金水区北大街道西湖社区纬五路12号院3号楼2单元401' }], 'same_community'],
    ['community from the record’s community column', [P, { address: `${XIHU}1号楼2单元401` }], [MA, { address: '纬五路8号院2号楼1单元101', community: '西湖社区' }], 'same_community'],
    ['identical community-only text', [P, { address: '西湖社区' }], [MA, { address: '西湖社区' }], 'same_community'],
    ['same estate name in another community', [P, { address: '金水区东风路街道丰庆路社区幸福小区3号楼2单元401' }], [MA, { address: '金水区北大街道西湖社区幸福小区3号楼2单元401' }], 'different'],
    ['same estate name in another district', [P, { address: '郑州市金水区幸福小区3号楼2单元401' }], [MA, { address: '郑州市二七区幸福小区3号楼2单元401' }], 'different'],
    ['another community', [P, { address: `${XIHU}1号楼2单元401` }], [MA, { address: '金水区东风路街道丰庆路社区丰庆路8号院2号楼3单元1203' }], 'different'],
    ['best of registered and current', [FP, { registeredAddress: `${XIHU}1号楼2单元401`, currentAddress: '金水区丰庆路社区丰庆路8号院2号楼3单元1203' }], [P, { address: `${XIHU}1号楼2单元401` }], 'same_room'],
    ['moved after marriage: current matches', [FP, { registeredAddress: '金水区丰庆路社区丰庆路8号院2号楼3单元1203', currentAddress: `${XIHU}1号楼2单元401` }], [MA, { address: `${XIHU}1号楼1单元202` }], 'same_building'],
    ['district only says nothing', [P, { address: '金水区' }], [MA, { address: '金水区' }], 'missing'],
    ['one side has none', [P, { address: `${XIHU}1号楼2单元401` }], [MA, {}], 'missing'],
  ])('%s', (_label, a, b, level) => {
    const ra = side([a[0], { name: '测试', ...a[1] }]);
    const rb = side([b[0], { name: '测试', ...b[1] }]);
    expect(compareAddress(ra, rb)).toBe(level);
    expect(compareAddress(rb, ra)).toBe(level);
  });
});

describe('compareHousehold', () => {
  it.each<[string, Side, Side, (typeof HOUSEHOLD_LEVELS)[number]]>([
    ['same police household', [P, { householdNumber: '410105000123' }], [P, { householdNumber: '410105000123' }], 'same_household'],
    ['same allowance family', [MA, { familyNumber: 'JS2026-0042' }], [MA, { familyNumber: 'JS2026-0042' }], 'same_household'],
    ['other household', [P, { householdNumber: '410105000123' }], [P, { householdNumber: '410105000124' }], 'none'],
    ['same number in two sources means nothing', [P, { householdNumber: '0042' }], [MA, { familyNumber: '0042' }], 'none'],
    ['spouse ID number is the other’s ID number', [FP, { spouseIdNumber: ID_A }], [P, { idNumber: ID_A }], 'spouse_link'],
    ['spouse ID number as a legacy number', [FP, { spouseIdNumber: ID_A_LEGACY15 }], [P, { idNumber: ID_A }], 'spouse_link'],
    ['spouse ID number is someone else’s', [FP, { spouseIdNumber: ID_B }], [P, { idNumber: ID_A }], 'none'],
    ['no household data', [FP, {}], [FL, {}], 'none'],
  ])('%s', (_label, a, b, level) => {
    const ra = side([a[0], { name: '测试', ...a[1] }]);
    const rb = side([b[0], { name: '测试', ...b[1] }]);
    expect(compareHousehold(ra, rb)).toBe(level);
    expect(compareHousehold(rb, ra)).toBe(level);
  });

  it.each<[string, string | null | undefined, string | null | undefined, (typeof HOUSEHOLD_LEVELS)[number]]>([
    ['given keys, equal', 'case-group-7', 'case-group-7', 'same_household'],
    ['given keys, different', 'case-group-7', 'case-group-8', 'none'],
    ['null overrides the data', null, null, 'none'],
    ['derived from the data', undefined, undefined, 'same_household'],
  ])('household key argument: %s', (_label, ka, kb, level) => {
    const ra = rec(P, { name: '测试', householdNumber: '0042' }, ka);
    const rb = rec(P, { name: '测试', householdNumber: '0042' }, kb);
    expect(compareHousehold(ra, rb)).toBe(level);
  });
});

describe('toComparable', () => {
  it.each<[string, CellValue, ComparableRecord['idKind'], string | null, string | null]>([
    ['valid', ID_A, 'usable', ID_A, null],
    ['legacy 15 digits', ID_A_LEGACY15, 'usable', ID_A, null],
    ['bad check character', ID_A_DIGIT, 'damaged', ID_A_DIGIT, null],
    ['impossible date', withChar(ID_A, 10, '1'), 'damaged', withChar(ID_A, 10, '1'), null],
    ['Excel number', Number(ID_A), 'prefix', null, ID_A.slice(0, 15)],
    ['scientific text', ID_A_SCI, 'prefix', null, ID_A.slice(0, 15)],
    ['typed with a lost tail', ID_A.slice(0, 16), 'prefix', null, ID_A.slice(0, 16)],
    ['region only survived', '4.10105E+17', 'none', null, null],
    ['junk', 'abc', 'none', null, null],
    ['absent', null, 'none', null, null],
  ])('ID number: %s', (_label, cell, kind, idNumber, idPrefix) => {
    const r = rec(P, { name: '测试', idNumber: cell });
    expect([r.idKind, r.idNumber, r.idPrefix]).toEqual([kind, idNumber, idPrefix]);
  });

  it('precomputes the name, birth date, sex and phone views', () => {
    const r = rec(FL, { name: '張偉', idNumber: ID_A, phone: '0371-65432100' });
    expect(r).toMatchObject({
      source: FL,
      name: '張偉',
      nameMatch: '张伟',
      namePinyin: 'zhang wei',
      nameChars: [0x5f20, 0x4f1f],
      surname: '张',
      idBirthDate: '1985-03-12',
      birthDate: '1985-03-12',
      birthDateFromId: true,
      birthYear: 1985,
      birthMonthDay: 312,
      age: null,
      sex: '1',
      phone: '0371-65432100',
      phoneTail: '65432100',
      addresses: [],
      householdKey: null,
    });
  });

  it('an age counts only without any birth date', () => {
    expect(rec(MA, { name: '测试', age: 41 }).age).toBe(41);
    expect(rec(MA, { name: '测试', age: 41, idNumber: ID_A }).age).toBeNull();
  });

  it('keeps distinct addresses once', () => {
    const r = rec(FP, { name: '测试', registeredAddress: `${XIHU}1号楼2单元401`, currentAddress: `${XIHU}1号楼2单元401` });
    expect(r.addresses).toHaveLength(1);
  });

  it.each([
    ['西湖社区', '西湖'],
    ['西湖社区居委会', '西湖'],
    ['西湖社区居民委员会', '西湖'],
    ['西湖居委会', '西湖'],
    ['湾高村', '湾高村'],
    ['湾高村委会', '湾高村'],
    ['湾高村民委员会', '湾高村'],
    ['社区', '社区'],
    ['', null],
  ])('communityCore(%j) = %j', (input, core) => {
    expect(communityCore(input)).toBe(core);
  });
});

describe('compareRecords', () => {
  it('the same man in the police register and the allowance roll', () => {
    const police = rec(P, {
      householdNumber: '410105000123',
      name: '張偉',
      sex: '男',
      birthDate: '19850312',
      idNumber: ID_A,
      address: `${XIHU}1号楼2单元401`,
    });
    const allowance = rec(MA, {
      familyNumber: 'JS2026-0042',
      name: '张伟',
      idNumber: Number(ID_A),
      sex: '1',
      age: 41,
      address: '广电南路58号院1-2-401',
      phone: '13812345678',
    });
    expect(compareRecords(police, allowance)).toEqual({
      name: 'simplified',
      idNumber: 'lost_digits_agree',
      birthDate: 'exact', // from the surviving digits of the damaged ID number
      sex: 'same',
      phone: 'missing',
      address: 'same_room',
      household: 'none',
    });
  });

  it('twin brothers in one household', () => {
    const common = { householdNumber: '410105000123', sex: '男', birthDate: '19850312', address: `${XIHU}1号楼2单元401` };
    const a = rec(P, { ...common, name: '李思远', idNumber: ID_A });
    const b = rec(P, { ...common, name: '李思进', idNumber: ID_A_TWIN });
    expect(compareRecords(a, b)).toEqual({
      name: 'one_char',
      idNumber: 'different_valid',
      birthDate: 'exact',
      sex: 'same',
      phone: 'missing',
      address: 'same_room',
      household: 'same_household',
    });
  });
});
