import { beforeAll, describe, expect, it } from 'vitest';
import { buildPopulation } from '../../fixtures/generator/index.js';
import { linkRecords, type LinkInput, type LinkResult } from './engine.js';
import { evaluateClustering } from './evaluate.js';
import { mulberry32, nameFrequencies } from './model.js';
import { blockingKeyHashes } from './blocking.js';
import { prepareRecord } from './prepare.js';
import { EXPORT_DATE, input, makeId, readGeneratedDistrict, type DistrictRecord } from './test-support.js';

const PEOPLE = 1500;
const SEED = 20_240_611;

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const random = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i] as T;
    out[i] = out[j] as T;
    out[j] = t;
  }
  return out;
}

/** Cluster of each record by its key: comparable across input orders. */
function byKey(records: readonly LinkInput[], result: LinkResult): Map<string, number> {
  return new Map(records.map((r, i) => [r.key, result.clusters[i] as number]));
}

/** The partition as a set of sorted key lists: equal partitions up to renumbering. */
function partition(records: readonly LinkInput[], result: LinkResult): string[] {
  const groups = new Map<number, string[]>();
  records.forEach((r, i) => {
    const c = result.clusters[i] as number;
    const g = groups.get(c);
    if (g) g.push(r.key);
    else groups.set(c, [r.key]);
  });
  return [...groups.values()].map((g) => g.sort().join('|')).sort();
}

describe('linkRecords, degenerate inputs', () => {
  it('no records', () => {
    const r = linkRecords([]);
    expect(r.clusters).toEqual([]);
    expect(r.links).toEqual([]);
    expect(r.stats.candidatePairs).toBe(0);
  });

  it('one record: a single resident', () => {
    const r = linkRecords([input('p1', 'police', { name: '张伟', birthDate: '19850312' })]);
    expect(r.clusters).toEqual([0]);
    expect(r.links).toEqual([{ record: 0, cluster: 0, probability: 1, method: 'single' }]);
  });

  it('duplicate keys still give one order', () => {
    const a = input('k', 'police', { name: '张伟', birthDate: '19850312' });
    const b = input('k', 'police', { name: '李娜', birthDate: '19900101' });
    const x = linkRecords([a, b]);
    const y = linkRecords([b, a]);
    expect(x.clusters).toEqual([...y.clusters].reverse());
  });
});

describe('linkRecords on a generated district', () => {
  let records: DistrictRecord[];
  let result: LinkResult;

  beforeAll(async () => {
    records = await readGeneratedDistrict(PEOPLE, SEED);
    result = linkRecords(records);
  });

  it('links the records of one person, and only those', () => {
    const e = evaluateClustering(result.clusters, records.map((r) => r.person));
    expect(e.precision).toBeGreaterThanOrEqual(0.995);
    expect(e.recall).toBeGreaterThanOrEqual(0.98);
  });

  it('never merges twins or a parent and child of one name', () => {
    const tags = new Map<string, string[]>();
    for (const p of buildPopulation({ people: PEOPLE, seed: SEED, exportDate: EXPORT_DATE }).persons) if (p.hard.length) tags.set(p.pid, p.hard);
    const persons = new Map<number, Set<string>>();
    records.forEach((r, i) => {
      const c = result.clusters[i] as number;
      const set = persons.get(c) ?? new Set<string>();
      set.add(r.person);
      persons.set(c, set);
    });
    for (const set of persons.values()) {
      if (set.size < 2) continue;
      for (const p of set) {
        expect(tags.get(p) ?? []).not.toContain('twin');
        expect(tags.get(p) ?? []).not.toContain('parent_child_same_name');
      }
    }
  });

  it('does not depend on the input order: sources in any order, records shuffled', () => {
    const sources = ['minimum-allowance', 'floating-population', 'family-planning', 'police'];
    const reversed = sources.flatMap((s) => records.filter((r) => r.source === s));
    const other = linkRecords(reversed);
    const mixed = shuffled(records, 7);
    const third = linkRecords(mixed);
    expect(partition(reversed, other)).toEqual(partition(records, result));
    expect(partition(mixed, third)).toEqual(partition(records, result));
    // Even the cluster numbers are the same: they follow the records' keys.
    expect(byKey(mixed, third)).toEqual(byKey(records, result));
    expect(third.params).toEqual(result.params);
  });

  it('reports links, the model, the review queue and the statistics', () => {
    expect(result.links).toHaveLength(records.length);
    result.links.forEach((l, i) => {
      expect(l.record).toBe(i);
      expect(l.cluster).toBe(result.clusters[i]);
      expect(l.probability).toBeGreaterThan(0);
      expect(l.probability).toBeLessThanOrEqual(1);
    });
    const methods = new Set(result.links.map((l) => l.method));
    expect(methods).toEqual(new Set(['exact_id', 'model', 'single']));
    for (const item of result.review) {
      expect(result.clusters[item.a]).not.toBe(result.clusters[item.b]);
      expect(item.weight).toBeGreaterThanOrEqual(result.params.thresholds.lower);
      expect(Object.keys(item.fieldWeights)).toContain('name');
    }
    expect(JSON.parse(JSON.stringify(result.params))).toEqual(result.params);
    expect(result.params.lambda).toBeGreaterThan(0);
    expect(result.params.lambda).toBeLessThan(0.01);
    expect(result.stats.candidatePairs).toBeGreaterThan(0);
    const perKey = Object.values(result.stats.pairsPerKey);
    expect(perKey.reduce((n, k) => n + k.newPairs, 0)).toBe(result.stats.candidatePairs);
  });

  describe('with the district’s model, on hand-made records', () => {
    const ADDRESS = '河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401';
    const run = (batch: LinkInput[]): number[] => {
      const frequencies = nameFrequencies(records.map((r) => prepareRecord(r.source, r.data)));
      return linkRecords(batch, { params: result.params, frequencies }).clusters;
    };

    it('twins of one household stay apart; each twin’s own records join them', () => {
      const a = makeId('410105', '20150301', '123');
      const b = makeId('410105', '20150301', '135');
      const c = run([
        input('p1', 'police', { householdNumber: 'H1', name: '李思远', sex: '男', birthDate: '20150301', idNumber: a, address: ADDRESS }),
        input('p2', 'police', { householdNumber: 'H1', name: '李思进', sex: '男', birthDate: '20150301', idNumber: b, address: ADDRESS }),
        // family planning lists both boys without ID numbers
        input('f1', 'family-planning', { caseNumber: 'C1', name: '李思远', sex: '男', birthDate: '2015-03-01', currentAddress: ADDRESS }),
        input('f2', 'family-planning', { caseNumber: 'C2', name: '李思进', sex: '男', birthDate: '2015-03-01', currentAddress: ADDRESS }),
      ]);
      expect(c[0]).not.toBe(c[1]);
      expect(c[2]).toBe(c[0]);
      expect(c[3]).toBe(c[1]);
    });

    it('a father and son of one name stay apart', () => {
      const c = run([
        input('p1', 'police', { householdNumber: 'H1', name: '张建国', sex: '男', birthDate: '19600101', idNumber: makeId('410105', '19600101', '111'), address: ADDRESS }),
        input('p2', 'police', { householdNumber: 'H1', name: '张建国', sex: '男', birthDate: '19881010', idNumber: makeId('410105', '19881010', '113'), address: ADDRESS }),
        // the allowance roll knows them by name and age only
        input('m1', 'minimum-allowance', { familyNumber: 'F1', name: '张建国', sex: '男', age: 66, address: ADDRESS }),
        input('m2', 'minimum-allowance', { familyNumber: 'F1', name: '张建国', sex: '男', age: 38, address: ADDRESS }),
      ]);
      expect(c[0]).not.toBe(c[1]);
      expect(c[2]).toBe(c[0]);
      expect(c[3]).toBe(c[1]);
    });

    it('a typo in the ID number, a homophone, an Excel-damaged number: one person', () => {
      const id = makeId('410105', '19850312', '123');
      const typo = id.slice(0, 15) + (id.charAt(15) === '9' ? '0' : String(Number(id.charAt(15)) + 1)) + id.slice(16);
      const c = run([
        input('p1', 'police', { householdNumber: 'H1', name: '张伟', sex: '男', birthDate: '19850312', idNumber: id, address: ADDRESS }),
        input('f1', 'family-planning', { caseNumber: 'C1', name: '张玮', sex: '男', birthDate: '1985-03-12', idNumber: typo, currentAddress: ADDRESS }),
        input('m1', 'minimum-allowance', { familyNumber: 'F1', name: '張偉', sex: '男', age: 41, idNumber: Number(id), address: ADDRESS }),
      ]);
      expect(new Set(c).size).toBe(1);
    });

    it('two common names born the same year, different people, stay apart', () => {
      const c = run([
        input('p1', 'police', { householdNumber: 'H1', name: '王芳', sex: '女', birthDate: '19850312', idNumber: makeId('410105', '19850312', '122'), address: ADDRESS }),
        input('f1', 'family-planning', { caseNumber: 'C1', name: '王芳', sex: '女', birthDate: '1985-07-02', currentAddress: '河南省郑州市金水区经八路街道黄河社区国基路24号院1号楼2单元201' }),
      ]);
      expect(c[0]).not.toBe(c[1]);
    });
  });
});

describe('linkRecords onKeyHashes', () => {
  it('gives each record the stored key hashes blockingKeyHashes computes on its own (what an incremental run looks up), once, before linking goes on', async () => {
    const records = await readGeneratedDistrict(300, 77);
    const calls: number[][][] = [];
    const result = linkRecords(records, { onKeyHashes: (hashes) => calls.push(hashes) });
    expect(calls).toHaveLength(1);
    const keyHashes = calls[0]!;
    expect(keyHashes).toHaveLength(records.length);
    expect(result.clusters).toHaveLength(records.length);
    records.forEach((r, i) => {
      const own = blockingKeyHashes(prepareRecord(r.source, r.data, r.householdKey));
      expect([...(keyHashes[i] as number[])].sort((a, b) => a - b), r.key).toEqual(own);
    });
  });
});
