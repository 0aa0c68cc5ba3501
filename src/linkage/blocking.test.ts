import { describe, expect, it } from 'vitest';
import type { SourceName } from '../../adapters/index.js';
import { DEFAULT_BLOCKING_KEYS, birthYears, blockingKeyHashes, candidatePairs, idDigits, recordView, roomKeys, surnamePinyin, type BlockingKey, type RecordView } from './blocking.js';
import { toComparable, type ComparableRecord } from './compare.js';
import { makeId, rec, type Cells } from './test-support.js';

const P: SourceName = 'police';
const FP: SourceName = 'family-planning';
const MA: SourceName = 'minimum-allowance';
const FL: SourceName = 'floating-population';

const ID_A = makeId('410105', '19850312', '123');
const ID_SPOUSE = makeId('410105', '19870506', '246');
const ADDRESS = '河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401';

function key(name: string): BlockingKey {
  const k = DEFAULT_BLOCKING_KEYS.find((x) => x.name === name);
  if (!k) throw new Error(name);
  return k;
}

describe('key helpers', () => {
  it('surname pinyin, also of a compound surname', () => {
    expect(surnamePinyin(rec(P, { name: '张伟' }))).toBe('zhang');
    expect(surnamePinyin(rec(P, { name: '欧阳明' }))).toBe('ouyang');
    expect(surnamePinyin(rec(P, { idNumber: ID_A }))).toBeNull();
  });

  it('ID digits: the number, or what survived of it', () => {
    expect(idDigits(rec(P, { name: '张伟', idNumber: ID_A }))).toBe(ID_A);
    expect(idDigits(rec(P, { name: '张伟', idNumber: Number(ID_A) }))?.slice(0, 14)).toBe(ID_A.slice(0, 14));
    expect(idDigits(rec(P, { name: '张伟' }))).toBeNull();
  });

  it('birth years: the date, or the two an age allows', () => {
    expect(birthYears(rec(P, { name: '张伟', birthDate: '19850312' }))).toEqual([1985]);
    expect(birthYears(rec(MA, { familyNumber: 'F1', name: '张伟', age: 41 }))).toEqual([1984, 1985]);
    expect(birthYears(rec(P, { name: '张伟' }))).toEqual([]);
  });

  it('room keys need estate, building and room', () => {
    expect(roomKeys(rec(P, { name: '张伟', address: ADDRESS }))).toHaveLength(1);
    expect(roomKeys(rec(P, { name: '张伟', address: '河南省郑州市金水区北大街道西湖社区' }))).toEqual([]);
  });
});

describe('blocking keys', () => {
  it.each<[string, SourceName, Cells, (values: readonly string[]) => void]>([
    ['id', P, { name: '张伟', idNumber: ID_A }, (v) => expect(v).toEqual([ID_A])],
    ['id', P, { name: '张伟', idNumber: Number(ID_A) }, (v) => expect(v).toEqual([])],
    ['id_birth_surname', P, { name: '张伟', idNumber: ID_A }, (v) => expect(v).toEqual(['19850312|zhang'])],
    ['id_birth_surname', MA, { familyNumber: 'F1', name: '张伟', idNumber: Number(ID_A) }, (v) => expect(v).toEqual(['19850312|zhang'])],
    ['id_prefix14', P, { name: '张伟', idNumber: ID_A }, (v) => expect(v).toEqual([ID_A.slice(0, 14)])],
    ['id_prefix14', P, { name: '张伟', idNumber: '4.10105E+17' }, (v) => expect(v).toEqual([])],
    ['name_year', P, { name: '张伟', birthDate: '19850312' }, (v) => expect(v).toContain('zhangwei|1985')],
    ['name_year', P, { name: '張偉', birthDate: '19850312' }, (v) => expect(v).toContain('zhangwei|1985')],
    ['name_year', MA, { familyNumber: 'F1', name: '张伟', age: 41 }, (v) => expect(v).toEqual(expect.arrayContaining(['zhangwei|1984', 'zhangwei|1985']))],
    ['name_year', P, { name: '李秀兰', formerName: '李兰', birthDate: '19600101' }, (v) => expect(v).toContain('李兰|1960')],
    ['name_year', P, { name: '张伟' }, (v) => expect(v).toEqual([])],
    ['phone', FP, { caseNumber: 'C1', name: '张伟', phone: '13812345678' }, (v) => expect(v).toEqual(['12345678'])],
    ['phone', FP, { caseNumber: 'C1', name: '张伟', phone: '0371-65432100' }, (v) => expect(v).toEqual(['65432100'])],
    ['household', P, { householdNumber: 'H001', name: '张伟' }, (v) => expect(v).toEqual(['police|H001'])],
    ['household', MA, { familyNumber: 'F9', name: '张伟' }, (v) => expect(v).toEqual(['minimum-allowance|F9'])],
    ['household', FP, { caseNumber: 'C1', name: '张伟' }, (v) => expect(v).toEqual([])],
    ['spouse', FP, { caseNumber: 'C1', name: '张伟', idNumber: ID_A, spouseIdNumber: ID_SPOUSE }, (v) => expect(v).toEqual([ID_SPOUSE, ID_A])],
    ['spouse', P, { name: '李娜', idNumber: ID_SPOUSE }, (v) => expect(v).toEqual([ID_SPOUSE])],
    ['birth_sex_surname', FP, { caseNumber: 'C1', name: '张伟', birthDate: '1985-03-12', sex: '男' }, (v) => expect(v).toEqual(['1985-03-12|1|zhang'])],
    ['room_surname', P, { name: '张伟', address: ADDRESS }, (v) => expect(v[0]).toMatch(/\|zhang$/)],
    ['given_birth_sex', P, { name: '张晓明', birthDate: '19850312', sex: '男' }, (v) => expect(v).toEqual(['晓明|1985-03-12|1'])],
    ['given_birth_sex', P, { name: '王伟', birthDate: '19850312', sex: '男' }, (v) => expect(v).toEqual(['伟|1985-03-12|1'])],
    ['given_birth_sex', MA, { familyNumber: 'F1', name: '王伟', age: 41 }, (v) => expect(v).toEqual([])],
  ])('%s of %s %j', (name, source, cells, check) => {
    check(key(name).values(recordView(rec(source, cells))));
  });

  it('needs: the birth-date key serves the records without a usable ID number', () => {
    const k = key('birth_sex_surname');
    expect(k.needs?.(rec(P, { name: '张伟', idNumber: ID_A }))).toBe(false);
    expect(k.needs?.(rec(FP, { caseNumber: 'C1', name: '张伟' }))).toBe(true);
  });
});

describe('candidatePairs', () => {
  const byName = ({ record: r }: RecordView): readonly string[] => (r.name ? [r.name] : []);
  const bySurname = ({ record: r }: RecordView): readonly string[] => (r.surname ? [r.surname] : []);

  it('the union of the keys, each pair once, attributed to the first key', () => {
    const records = ['张伟', '张伟', '张丽', '李娜'].map((name) => rec(P, { name }));
    const c = candidatePairs(records, {
      keys: [
        { name: 'name', values: byName },
        { name: 'surname', values: bySurname },
      ],
    });
    expect(c.count).toBe(3); // 0-1, 0-2, 1-2
    expect([...c.a]).toEqual([0, 0, 1]);
    expect([...c.b]).toEqual([1, 2, 2]);
    expect([...c.firstKey]).toEqual([0, 1, 1]);
    expect(c.perKey.name).toMatchObject({ blocks: 1, pairs: 1, newPairs: 1 });
    expect(c.perKey.surname).toMatchObject({ blocks: 1, pairs: 3, newPairs: 2 });
  });

  it('a record sharing two values of one key with another makes one pair', () => {
    const records = [rec(MA, { familyNumber: 'F1', name: '张伟', age: 41 }), rec(MA, { familyNumber: 'F2', name: '张伟', age: 41 })];
    const c = candidatePairs(records, { keys: [key('name_year')] });
    expect(c.count).toBe(1);
  });

  it('needs: no pair between two records that both have a usable ID number', () => {
    const records = [
      rec(P, { name: '张伟', birthDate: '19850312', sex: '男', idNumber: ID_A }),
      rec(FL, { registrationNumber: 'R1', name: '张伟', birthDate: '1985-03-12', sex: '男', idNumber: makeId('410105', '19850312', '135') }),
      rec(FP, { caseNumber: 'C1', name: '张伟', birthDate: '1985-03-12', sex: '男' }),
    ];
    const c = candidatePairs(records, { keys: [key('birth_sex_surname')] });
    expect(c.count).toBe(2);
    expect([...c.b]).toEqual([2, 2]);
  });

  it('huge blocks are split by sex and birth year, and skipped (counted) when still too big', () => {
    const records: ComparableRecord[] = [];
    for (let i = 0; i < 6; i++) records.push(rec(P, { name: '王芳', sex: '女', birthDate: '19850101' }));
    for (let i = 0; i < 3; i++) records.push(rec(P, { name: '王芳', sex: '女', birthDate: '19900101' }));
    const c = candidatePairs(records, { keys: [{ name: 'name', values: byName }], maxBlockSize: 4 });
    // The 1990 sub-block (3 records, 3 pairs) is kept; the 1985 one (6 records) is skipped.
    expect(c.count).toBe(3);
    expect(c.perKey.name).toMatchObject({ subBlocked: 1, skippedBlocks: 1, skippedRecords: 6, skippedPairs: 15 });
  });

  it('finds the classic variants of one person with the default keys', () => {
    const records = [
      rec(P, { householdNumber: 'H1', name: '张伟', sex: '男', birthDate: '19850312', idNumber: ID_A, address: ADDRESS }),
      // homophone, ID number damaged by Excel
      rec(FP, { caseNumber: 'C1', name: '张玮', sex: '男', birthDate: '1985-03-12', idNumber: Number(ID_A) }),
      // traditional characters, age only, no ID number
      rec(MA, { familyNumber: 'F1', name: '張偉', sex: '男', age: 41 }),
      // look-alike surname, no ID, same flat
      rec(FP, { caseNumber: 'C2', name: '章晓', sex: '男', address: ADDRESS }),
    ];
    const c = candidatePairs(records);
    const pairs = new Set([...c.a].map((a, k) => `${a}-${c.b[k]}`));
    expect(pairs).toContain('0-1');
    expect(pairs).toContain('0-2');
    expect(pairs).toContain('1-2');
    expect(Object.keys(c.perKey)).toEqual(DEFAULT_BLOCKING_KEYS.map((k) => k.name));
  });

  it('is deterministic and pairs are sorted', () => {
    const records = ['张伟', '张伟', '张伟'].map((name) => rec(P, { name, birthDate: '19850312' }));
    const x = candidatePairs(records);
    const y = candidatePairs(records);
    expect([...x.a]).toEqual([...y.a]);
    expect([...x.b]).toEqual([...y.b]);
    for (let k = 0; k < x.count; k++) expect(x.a[k]).toBeLessThan(x.b[k] as number);
  });
});

describe('blockingKeyHashes', () => {
  it('gives two records sharing a key value a common hash, and none to records sharing nothing', () => {
    const base = { name: '王芳', nameMatch: '王芳', namePinyin: 'wang fang', surname: '王', idNumberStatus: 'valid', idNumber: '11010519491231002X', birthDate: '1949-12-31', sex: '2' };
    const a = blockingKeyHashes(toComparable('police', base));
    const b = blockingKeyHashes(toComparable('family-planning', { ...base, name: '汪芳', nameMatch: '汪芳', surname: '汪' }));
    const c = blockingKeyHashes(toComparable('police', { name: '李娜', nameMatch: '李娜', namePinyin: 'li na', surname: '李', birthDate: '1980-01-01', sex: '2' }));
    expect(a.some((h) => b.includes(h))).toBe(true);
    expect(a.some((h) => c.includes(h))).toBe(false);
    expect(a).toEqual([...new Set(a)].sort((x, y) => x - y));
  });
});
