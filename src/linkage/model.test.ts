import { describe, expect, it } from 'vitest';
import { COMPARISON_FIELDS, COMPARISON_LEVELS, type ComparableRecord } from './compare.js';
import {
  LEVEL_COUNTS,
  PATTERN_COUNT,
  buildParameters,
  decodePattern,
  estimateM,
  estimateU,
  levelOf,
  mulberry32,
  nameFrequencies,
  patternCode,
  patternWeight,
  probabilityOf,
  scorePair,
  weightTables,
  type EmResult,
  type UEstimate,
} from './model.js';
import { makeId, rec } from './test-support.js';

/** Draws a level index from a distribution over the levels. */
function draw(random: () => number, probs: readonly number[]): number {
  let x = random();
  for (let l = 0; l < probs.length; l++) {
    x -= probs[l] as number;
    if (x < 0) return l;
  }
  return probs.length - 1;
}

/** A distribution over a field's levels from a { level: p } table (missing: 0). */
function dist(field: (typeof COMPARISON_FIELDS)[number], table: Record<string, number>): number[] {
  const levels = COMPARISON_LEVELS[field] as readonly string[];
  const row = levels.map((l) => table[l] ?? 0);
  const total = row.reduce((a, b) => a + b, 0);
  return row.map((v) => v / total);
}

// The truth of a synthetic linkage problem: what matches and non-matches look like.
const TRUE_M = [
  dist('name', { exact: 0.9, pinyin: 0.05, one_char: 0.03, different: 0.02 }),
  dist('idNumber', { exact: 0.85, one_digit: 0.05, lost_digits_agree: 0.05, missing: 0.05 }),
  dist('birthDate', { exact: 0.95, one_day: 0.03, different: 0.02 }),
  dist('sex', { same: 0.99, different: 0.01 }),
  dist('phone', { same: 0.5, different: 0.2, missing: 0.3 }),
  dist('address', { same_room: 0.8, same_community: 0.1, different: 0.1 }),
  dist('household', { none: 1 }),
];
const TRUE_U = [
  dist('name', { exact: 0.001, pinyin: 0.001, one_char: 0.01, surname_only: 0.1, different: 0.888 }),
  dist('idNumber', { different_valid: 0.9, lost_digits_disagree: 0.05, missing: 0.05 }),
  dist('birthDate', { exact: 0.001, one_day: 0.002, same_year: 0.05, different: 0.947 }),
  dist('sex', { same: 0.5, different: 0.5 }),
  dist('phone', { same: 0.001, different: 0.699, missing: 0.3 }),
  dist('address', { same_room: 0.002, same_community: 0.05, different: 0.948 }),
  dist('household', { same_household: 0.01, none: 0.99 }),
];

/** u as estimateU gives it: missing = 1, the other levels renormalised. */
function asU(probs: number[][]): number[][] {
  return probs.map((row, f) => {
    const levels = COMPARISON_LEVELS[COMPARISON_FIELDS[f] as (typeof COMPARISON_FIELDS)[number]] as readonly string[];
    const total = row.reduce((a, v, l) => a + (levels[l] === 'missing' ? 0 : v), 0);
    return row.map((v, l) => (levels[l] === 'missing' ? 1 : v / total));
  });
}

function simulate(pairs: number, lambda: number, seed: number): { patterns: number[]; counts: number[] } {
  const random = mulberry32(seed);
  const counts = new Map<number, number>();
  const strides: number[] = [];
  let s = 1;
  for (const c of LEVEL_COUNTS) {
    strides.push(s);
    s *= c;
  }
  for (let k = 0; k < pairs; k++) {
    const match = random() < lambda;
    let code = 0;
    for (let f = 0; f < LEVEL_COUNTS.length; f++) {
      code += draw(random, (match ? TRUE_M : TRUE_U)[f] as number[]) * (strides[f] as number);
    }
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const patterns = [...counts.keys()].sort((a, b) => a - b);
  return { patterns, counts: patterns.map((p) => counts.get(p) ?? 0) };
}

describe('pattern codes', () => {
  it('encode and decode every field', () => {
    const v = { name: 'pinyin', idNumber: 'lost_digits_agree', birthDate: 'age_compatible', sex: 'missing', phone: 'same', address: 'same_estate', household: 'spouse_link' } as const;
    const code = patternCode(v);
    expect(code).toBeGreaterThanOrEqual(0);
    expect(code).toBeLessThan(PATTERN_COUNT);
    expect(decodePattern(code)).toEqual(v);
    expect(COMPARISON_LEVELS.name[levelOf(code, 0)]).toBe('pinyin');
  });
});

describe('EM', () => {
  // 400 records: 79,800 pairs, all of them "candidates" here, 20 % matches.
  const records = 400;
  const { patterns, counts } = simulate((records * (records - 1)) / 2, 0.2, 42);
  const u = asU(TRUE_U);
  const em = estimateM(patterns, counts, u, records);

  it('converges in every session', () => {
    expect(em.sessions.length).toBeGreaterThan(0);
    for (const s of em.sessions) {
      expect(s.converged).toBe(true);
      expect(s.pairs).toBeGreaterThan(0);
    }
    expect(em.converged).toBe(true);
  });

  it('recovers m without labels', () => {
    const trueM = asU(TRUE_M);
    for (let f = 0; f < COMPARISON_FIELDS.length; f++) {
      const levels = COMPARISON_LEVELS[COMPARISON_FIELDS[f] as (typeof COMPARISON_FIELDS)[number]] as readonly string[];
      for (let l = 0; l < levels.length; l++) {
        if (levels[l] === 'missing') continue;
        expect(Math.abs(((em.m[f] as number[])[l] as number) - ((trueM[f] as number[])[l] as number))).toBeLessThan(0.02);
      }
    }
  });

  it('recovers the share of matches (the prior)', () => {
    expect(em.lambda).toBeGreaterThan(0.18);
    expect(em.lambda).toBeLessThan(0.22);
  });

  it('never makes a level impossible (floors)', () => {
    for (const row of em.m) for (const p of row) expect(p).toBeGreaterThan(0);
  });

  it('gives agreement positive and disagreement negative weights', () => {
    const uEstimate: UEstimate = { u, pairs: 0, seed: 0 };
    const params = buildParameters(uEstimate, em, { records });
    const w = (field: (typeof COMPARISON_FIELDS)[number], level: string): number => params.fields[field].find((x) => x.level === level)?.weight ?? NaN;
    expect(w('name', 'exact')).toBeGreaterThan(8);
    expect(w('name', 'different')).toBeLessThan(-4);
    expect(w('idNumber', 'exact')).toBeGreaterThan(w('idNumber', 'one_digit'));
    expect(w('idNumber', 'different_valid')).toBeLessThan(-8);
    expect(w('birthDate', 'missing')).toBe(0);
    // plain JSON
    expect(JSON.parse(JSON.stringify(params))).toEqual(params);
  });
});

describe('estimateU', () => {
  const people = Array.from({ length: 60 }, (_, i) =>
    rec('police', { name: `张${'伟丽强军'.charAt(i % 4)}${'一二三四五'.charAt(i % 5)}`, sex: i % 2 ? '男' : '女', birthDate: `19${50 + (i % 40)}0${1 + (i % 9)}1${i % 10}` }),
  );

  it('is reproducible from its seed, never Math.random', () => {
    expect(estimateU(people, 2000, 7)).toEqual(estimateU(people, 2000, 7));
    expect(estimateU(people, 2000, 7).u).not.toEqual(estimateU(people, 2000, 8).u);
  });

  it('gives distributions over the non-missing levels, missing = 1', () => {
    const { u } = estimateU(people, 2000, 7);
    u.forEach((row, f) => {
      const levels = COMPARISON_LEVELS[COMPARISON_FIELDS[f] as (typeof COMPARISON_FIELDS)[number]] as readonly string[];
      let total = 0;
      row.forEach((p, l) => {
        if (levels[l] === 'missing') expect(p).toBe(1);
        else {
          expect(p).toBeGreaterThan(0);
          total += p;
        }
      });
      expect(total).toBeCloseTo(1, 9);
    });
  });
});

describe('scoring', () => {
  // A model fitted on the synthetic truth, applied to real records.
  const { patterns, counts } = simulate(50_000, 0.3, 3);
  const em: EmResult = estimateM(patterns, counts, asU(TRUE_U), 400);
  const params = buildParameters({ u: asU(TRUE_U), pairs: 0, seed: 0 }, em, { records: 400 });

  const ID = makeId('410105', '19850312', '123');

  it('explains the weight: prior + per-field weights', () => {
    const a = rec('police', { name: '张伟', sex: '男', birthDate: '19850312', idNumber: ID });
    const b = rec('family-planning', { caseNumber: 'C1', name: '张伟', sex: '男', birthDate: '1985-03-12', idNumber: ID });
    const s = scorePair(a, b, params);
    const sum = Object.values(s.fieldWeights).reduce((x, y) => x + y, params.priorWeight);
    expect(s.weight).toBeCloseTo(sum, 9);
    expect(s.levels).toMatchObject({ name: 'exact', idNumber: 'exact', birthDate: 'exact' });
    expect(s.probability).toBeCloseTo(probabilityOf(s.weight), 12);
    expect(s.probability).toBeGreaterThan(0.99);
    expect(patternWeight(patternCode(s.levels), weightTables(params))).toBeCloseTo(s.weight, 9);
  });

  it('a wrong birth date next to the same ID number weighs nothing', () => {
    const a = rec('police', { name: '张伟', birthDate: '19850312', idNumber: ID });
    const b = rec('family-planning', { caseNumber: 'C1', name: '张伟', birthDate: '1984-03-12', idNumber: ID });
    const s = scorePair(a, b, params);
    expect(s.levels.birthDate).toBe('different');
    expect(s.fieldWeights.birthDate).toBe(0);
    const c = rec('family-planning', { caseNumber: 'C1', name: '张伟', birthDate: '1984-03-12' });
    expect(scorePair(a, c, params).fieldWeights.birthDate).toBeLessThan(0);
  });

  it('works from the JSON form of the parameters', () => {
    const a = rec('police', { name: '张伟', birthDate: '19850312' });
    const b = rec('family-planning', { caseNumber: 'C1', name: '张玮', birthDate: '1985-03-12' });
    const copy = JSON.parse(JSON.stringify(params)) as typeof params;
    expect(scorePair(a, b, copy).weight).toBeCloseTo(scorePair(a, b, params).weight, 12);
  });

  describe('term-frequency adjustment of names', () => {
    const common = (i: number): ComparableRecord => rec('police', { name: '王芳', sex: '女', birthDate: `1985${String((i % 12) + 1).padStart(2, '0')}15` });
    const records: ComparableRecord[] = [];
    for (let i = 0; i < 40; i++) records.push(common(i));
    const rare = [rec('police', { name: '欧阳震华', birthDate: '19850312' }), rec('family-planning', { caseNumber: 'C9', name: '欧阳震华', birthDate: '1985-03-12' })];
    records.push(...rare);
    for (let i = 0; i < 200; i++) records.push(rec('police', { name: `李${String.fromCodePoint(0x4e00 + i)}${String.fromCodePoint(0x4f00 + i)}` }));
    const freq = nameFrequencies(records);

    it('counts names and pinyin', () => {
      expect(freq.byName.get('王芳')).toBe(40);
      expect(freq.byName.get('欧阳震华')).toBe(2);
      expect(freq.records).toBe(records.length);
    });

    it('two 王芳 born the same day weigh less than two rare names', () => {
      const sameDay = [rec('police', { name: '王芳', birthDate: '19850312' }), rec('family-planning', { caseNumber: 'C1', name: '王芳', birthDate: '1985-03-12' })] as const;
      const commonScore = scorePair(sameDay[0], sameDay[1], params, freq);
      const rareScore = scorePair(rare[0] as ComparableRecord, rare[1] as ComparableRecord, params, freq);
      expect(commonScore.levels.name).toBe('exact');
      expect(rareScore.levels.name).toBe('exact');
      expect(commonScore.tfAdjustment).toBeLessThan(0);
      expect(rareScore.tfAdjustment).toBeGreaterThan(commonScore.tfAdjustment);
      expect(rareScore.fieldWeights.name).toBeGreaterThan(commonScore.fieldWeights.name);
      // bounded
      expect(rareScore.tfAdjustment).toBeLessThanOrEqual(params.termFrequency.maxUp);
      expect(commonScore.tfAdjustment).toBeGreaterThanOrEqual(-params.termFrequency.maxDown);
    });

    it('without frequencies there is no adjustment', () => {
      const s = scorePair(rare[0] as ComparableRecord, rare[1] as ComparableRecord, params);
      expect(s.tfAdjustment).toBe(0);
    });

    it('homophones use the frequency of the pinyin', () => {
      const a = rec('police', { name: '王芳' });
      const b = rec('family-planning', { caseNumber: 'C1', name: '王方' });
      const s = scorePair(a, b, params, freq);
      expect(s.levels.name).toBe('pinyin');
      expect(s.tfAdjustment).toBeLessThan(0);
    });
  });
});
