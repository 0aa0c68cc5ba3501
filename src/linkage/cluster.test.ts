import { describe, expect, it } from 'vitest';
import { birthYearDistance, clusterPairs, defaultCannotLink, pairsByWeight, twinFlags, type PairEvidence, type ScoredPairs } from './cluster.js';
import type { ComparableRecord } from './compare.js';
import { makeId, rec } from './test-support.js';

const ID_1 = makeId('410105', '19850312', '123');
const ID_2 = makeId('410105', '19850312', '125'); // his twin brother
const ADDRESS = '河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401';

function pairs(list: [number, number, number][]): ScoredPairs {
  return {
    count: list.length,
    a: Int32Array.from(list.map((p) => p[0])),
    b: Int32Array.from(list.map((p) => p[1])),
    weight: Float64Array.from(list.map((p) => p[2])),
  };
}

/** Same cluster? */
function together(c: Int32Array, x: number, y: number): boolean {
  return c[x] === c[y];
}

describe('pairsByWeight', () => {
  it('keeps the pairs at or above the threshold, strongest first, ties by index', () => {
    const order = pairsByWeight(pairs([[0, 1, 5], [0, 2, 20], [1, 2, 20], [2, 3, 4.9]]), 5);
    expect([...order]).toEqual([1, 2, 0]);
  });
});

describe('clusterPairs', () => {
  const a = rec('police', { name: '张伟', idNumber: ID_1 });
  const b = rec('minimum-allowance', { familyNumber: 'F1', name: '张伟', age: 41 }); // no ID number
  const c = rec('floating-population', { registrationNumber: 'R1', name: '张伟', idNumber: ID_2 });
  const records: ComparableRecord[] = [a, b, c];

  it('links pairs above the threshold, leaves the rest', () => {
    const r = clusterPairs(records, pairs([[0, 1, 30], [1, 2, 3]]), { upper: 10 });
    expect(together(r.cluster, 0, 1)).toBe(true);
    expect(together(r.cluster, 1, 2)).toBe(false);
    expect(r.clusterCount).toBe(2);
    expect([...r.cluster]).toEqual([0, 0, 1]);
  });

  it.each([
    ['A–B strongest', 30, 25],
    ['B–C strongest', 25, 30],
    ['equal weights', 30, 30],
  ])('no chaining: two valid different ID numbers never meet through a third record (%s)', (_label, ab, bc) => {
    const r = clusterPairs(records, pairs([[0, 1, ab], [1, 2, bc]]), { upper: 10 });
    expect(together(r.cluster, 0, 2)).toBe(false);
    expect(r.refused).toEqual([{ pair: expect.any(Number), reason: 'different_id_numbers' }]);
    // B joins the stronger side.
    expect(together(r.cluster, 1, ab >= bc ? 0 : 2)).toBe(true);
  });

  it('no chaining through longer paths either', () => {
    const d = rec('family-planning', { caseNumber: 'C1', name: '张伟' });
    const four = [a, b, d, c];
    const r = clusterPairs(four, pairs([[0, 1, 30], [1, 2, 29], [2, 3, 28]]), { upper: 10 });
    expect(together(r.cluster, 0, 2)).toBe(true);
    expect(together(r.cluster, 0, 3)).toBe(false);
  });

  it('a typo of a valid number is no hard key: it does not block the merge', () => {
    const typo = rec('family-planning', { caseNumber: 'C1', name: '张伟', idNumber: ID_1.slice(0, 17) + (ID_1.charAt(17) === '1' ? '2' : '1') });
    const r = clusterPairs([a, typo], pairs([[0, 1, 30]]), { upper: 10 });
    expect(together(r.cluster, 0, 1)).toBe(true);
  });

  it('the cannotLink rule is checked between every member of the two clusters', () => {
    const d = rec('family-planning', { caseNumber: 'C1', name: '张伟' });
    const four = [a, b, d, rec('family-planning', { caseNumber: 'C2', name: '张伟' })];
    // 2 and 3 must stay apart; 3 is linked to 1 (already with 2 through 0).
    const cannot = (x: number, y: number): string | null => ((x === 2 && y === 3) || (x === 3 && y === 2) ? 'test' : null);
    const r = clusterPairs(four, pairs([[0, 1, 30], [0, 2, 29], [1, 3, 28]]), { upper: 10, cannotLink: cannot });
    expect(together(r.cluster, 0, 2)).toBe(true);
    expect(together(r.cluster, 0, 3)).toBe(false);
    expect(r.refused.map((x) => x.reason)).toEqual(['test']);
  });

  it('numbers clusters by their lowest record index', () => {
    const r = clusterPairs(records, pairs([[1, 2, 30]]), { upper: 10 });
    expect([...r.cluster]).toEqual([0, 1, 1]);
  });
});

describe('defaultCannotLink', () => {
  const neutral: PairEvidence = { weight: 20, idAgrees: false, sameHousehold: false, spouses: false, sameNameAndBirth: false, possibleTwins: false };
  const rule = (records: ComparableRecord[], e: Partial<PairEvidence> = {}): string | null => defaultCannotLink(records, () => ({ ...neutral, ...e }))(0, 1);

  it('different valid ID numbers', () => {
    expect(rule([rec('police', { name: '张伟', idNumber: ID_1 }), rec('family-planning', { caseNumber: 'C1', name: '张伟', idNumber: ID_2 })])).toBe('different_id_numbers');
  });

  it('two records of one source: only the same ID number or a very strong same-name, same-birth pair', () => {
    const x = rec('police', { name: '张伟', birthDate: '19850312' });
    const y = rec('police', { name: '张伟', birthDate: '19850312' });
    expect(rule([x, y])).toBe('same_source');
    expect(rule([x, y], { weight: 50, sameNameAndBirth: true })).toBeNull();
    expect(rule([x, y], { weight: 50, sameNameAndBirth: true, sameHousehold: true })).toBe('same_source_household');
    const p = rec('police', { name: '张伟', idNumber: ID_1 });
    const q = rec('police', { name: '张伟', idNumber: ID_1 });
    expect(rule([p, q])).toBeNull();
  });

  it('twins, spouses, a strongly negative pair', () => {
    const x = rec('police', { name: '张伟' });
    const y = rec('family-planning', { caseNumber: 'C1', name: '张伟' });
    expect(rule([x, y], { possibleTwins: true })).toBe('possible_twins');
    expect(rule([x, y], { spouses: true })).toBe('spouses');
    expect(rule([x, y], { weight: -20 })).toBe('negative_pair');
    expect(rule([x, y])).toBeNull();
  });

  it('a parent and child of one name: birth years far apart, unless the ID numbers agree', () => {
    const father = rec('police', { name: '张伟', birthDate: '19600101' });
    const son = rec('minimum-allowance', { familyNumber: 'F1', name: '张伟', age: 35 });
    expect(birthYearDistance(father, son)).toBeGreaterThanOrEqual(3);
    expect(rule([father, son])).toBe('birth_years_apart');
    expect(rule([father, son], { idAgrees: true })).toBeNull();
  });
});

describe('twinFlags', () => {
  it('flags records with a same-day sibling at the same home in their own source', () => {
    const records = [
      rec('police', { householdNumber: 'H1', name: '李思远', birthDate: '20150101', address: ADDRESS }),
      rec('police', { householdNumber: 'H1', name: '李思进', birthDate: '20150101', address: ADDRESS }),
      rec('police', { householdNumber: 'H1', name: '李明', birthDate: '19850101', address: ADDRESS }),
      // the same twins in family planning: one home (the flat), no household number
      rec('family-planning', { caseNumber: 'C1', name: '李思远', birthDate: '2015-01-01', currentAddress: ADDRESS }),
      rec('family-planning', { caseNumber: 'C2', name: '李思进', birthDate: '2015-01-01', currentAddress: ADDRESS }),
      // one twin only in floating population: nothing to compare within that source
      rec('floating-population', { registrationNumber: 'R1', name: '李思远', birthDate: '2015-01-01', currentAddress: ADDRESS }),
    ];
    expect([...twinFlags(records)]).toEqual([1, 1, 0, 1, 1, 0]);
  });
});
