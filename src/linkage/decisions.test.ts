import { beforeAll, describe, expect, it } from 'vitest';
import { clusterPairs, type ScoredPairs } from './cluster.js';
import type { ComparableRecord } from './compare.js';
import { linkRecords, type LinkInput, type LinkOptions, type LinkResult } from './engine.js';
import { nameFrequencies } from './model.js';
import { prepareRecord } from './prepare.js';
import { input, makeId, readGeneratedDistrict, rec } from './test-support.js';

/** Auditors' decisions in the clustering and the engine: they outrank the model and the rules. */

const ID_1 = makeId('410105', '19850312', '123');
const ID_2 = makeId('410105', '19850312', '125');

function pairs(list: [number, number, number][]): ScoredPairs {
  return {
    count: list.length,
    a: Int32Array.from(list.map((p) => p[0])),
    b: Int32Array.from(list.map((p) => p[1])),
    weight: Float64Array.from(list.map((p) => p[2])),
  };
}

describe('clusterPairs with auditors’ decisions', () => {
  const a = rec('police', { name: '张伟', idNumber: ID_1 });
  const b = rec('minimum-allowance', { familyNumber: 'F1', name: '张伟', age: 41 });
  const c = rec('floating-population', { registrationNumber: 'R1', name: '张伟', idNumber: ID_2 });
  const d = rec('family-planning', { caseNumber: 'C1', name: '张伟' });
  const records: ComparableRecord[] = [a, b, c, d];

  it('a must-link unites records no scored pair joins, even two different valid ID numbers', () => {
    const r = clusterPairs(records, pairs([]), { upper: 10, mustLink: [[0, 2]] });
    expect(r.cluster[0]).toBe(r.cluster[2]);
    expect(r.clusterCount).toBe(3);
    expect(r.mustLinkRefused).toEqual([]);
  });

  it('a must-link overrides the pairwise rule too', () => {
    const never = () => 'test';
    const r = clusterPairs(records, pairs([[0, 1, 30]]), { upper: 10, cannotLink: never, mustLink: [[0, 1]] });
    expect(r.cluster[0]).toBe(r.cluster[1]);
    expect(r.refused).toEqual([]);
  });

  it('a non-match keeps two records apart however strong the pair, and through any chain', () => {
    const direct = clusterPairs(records, pairs([[0, 1, 50]]), { upper: 10, mustNotLink: [[0, 1]] });
    expect(direct.cluster[0]).not.toBe(direct.cluster[1]);
    expect(direct.refused).toEqual([{ pair: 0, reason: 'auditor_non_match' }]);

    // 1–3 and 3–0 strong, 0 and 1 told apart: 3 joins the stronger side only.
    const chain = clusterPairs(records, pairs([[1, 3, 40], [3, 0, 30]]), { upper: 10, mustNotLink: [[1, 0]] });
    expect(chain.cluster[0]).not.toBe(chain.cluster[1]);
    expect(chain.cluster[3]).toBe(chain.cluster[1]);
    expect(chain.refused.map((x) => x.reason)).toEqual(['auditor_non_match']);
  });

  it('a non-match outranks must-links that would join the pair through a third record', () => {
    const r = clusterPairs(records, pairs([]), { upper: 10, mustLink: [[0, 3], [1, 3]], mustNotLink: [[0, 1]] });
    expect(r.cluster[0]).not.toBe(r.cluster[1]);
    expect(r.cluster[0]).toBe(r.cluster[3]);
    expect(r.mustLinkRefused).toEqual([[1, 3]]);
  });

  it('without decisions nothing changes', () => {
    const list = pairs([[0, 1, 30], [1, 3, 20], [2, 3, 5]]);
    expect(clusterPairs(records, list, { upper: 10, mustLink: [], mustNotLink: [] })).toEqual(clusterPairs(records, list, { upper: 10 }));
  });
});

describe('linkRecords with auditors’ decisions', () => {
  const ADDRESS = '河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401';
  let options: LinkOptions;

  beforeAll(async () => {
    // A model fitted on a small generated district, as the database-backed linker reuses one.
    const district = await readGeneratedDistrict(300, 4_242);
    const fitted = linkRecords(district);
    options = { params: fitted.params, frequencies: nameFrequencies(district.map((r) => prepareRecord(r.source, r.data))), explain: true };
  }, 120_000);

  const id = makeId('410105', '19850312', '123');
  const samePerson: LinkInput[] = [
    input('p1', 'police', { householdNumber: 'H1', name: '张伟', sex: '男', birthDate: '19850312', idNumber: id, address: ADDRESS }),
    input('f1', 'family-planning', { caseNumber: 'C1', name: '张伟', sex: '男', birthDate: '1985-03-12', idNumber: id, currentAddress: ADDRESS }),
  ];
  const strangers: LinkInput[] = [
    input('p1', 'police', { householdNumber: 'H1', name: '王芳', sex: '女', birthDate: '19850312', idNumber: makeId('410105', '19850312', '122'), address: ADDRESS }),
    input('f1', 'family-planning', { caseNumber: 'C1', name: '李娜', sex: '女', birthDate: '1979-07-02', currentAddress: '河南省郑州市金水区经八路街道黄河社区国基路24号院1号楼2单元201' }),
  ];

  const run = (batch: LinkInput[], decisions?: LinkOptions['decisions']): LinkResult => linkRecords(batch, { ...options, decisions });

  it('the model links one person’s two records; a non-match keeps them apart, with no review item between them', () => {
    expect(new Set(run(samePerson).clusters).size).toBe(1);
    const apart = run(samePerson, { mustLink: [], cannotLink: [[0, 1]] });
    expect(apart.clusters[0]).not.toBe(apart.clusters[1]);
    expect(apart.links.map((l) => l.method)).toEqual(['single', 'single']);
    expect(apart.review).toEqual([]);
    expect(apart.stats.refusedByReason.auditor_non_match).toBe(1);
  });

  it('a must-link joins two records the model keeps apart: method auditor, probability 1, the partner named', () => {
    const alone = run(strangers);
    expect(alone.clusters[0]).not.toBe(alone.clusters[1]);
    const joined = run(strangers, { mustLink: [[1, 0]], cannotLink: [] });
    expect(joined.clusters[0]).toBe(joined.clusters[1]);
    expect(joined.links[0]).toMatchObject({ method: 'auditor', probability: 1, partner: 1 });
    expect(joined.links[1]).toMatchObject({ method: 'auditor', probability: 1, partner: 0 });
    expect(joined.stats.mustLinks).toBe(1);
  });

  it('decisions are input indices: the input order changes nothing', () => {
    const forward = run([...strangers, ...samePerson], { mustLink: [[0, 1]], cannotLink: [[2, 3]] });
    const reversed = run([...samePerson, ...strangers].reverse(), { mustLink: [[3, 2]], cannotLink: [[1, 0]] });
    expect(forward.clusters[0]).toBe(forward.clusters[1]);
    expect(forward.clusters[2]).not.toBe(forward.clusters[3]);
    expect(reversed.clusters[3]).toBe(reversed.clusters[2]);
    expect(reversed.clusters[1]).not.toBe(reversed.clusters[0]);
  });
});
