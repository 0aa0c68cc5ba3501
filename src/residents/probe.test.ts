import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.js';
import type { CellValue } from '../ingest/types.js';
import { COMPARISON_FIELDS, COMPARISON_LEVELS, toComparable } from '../linkage/compare.js';
import { DEFAULT_THRESHOLDS, scorePair, type PairScore } from '../linkage/model.js';
import { computeCheckChar } from '../normalize/index.js';
import { bandOf, candidatesOf, probeData, probeRecord, type ScoredRecord } from './probe.js';

const id = (first17: string) => first17 + computeCheckChar(first17);
const ID = id('41010519900307123');
const ADDRESS = '河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401';

/** What the police adapter stores for the same cells. */
function policeData(cells: Record<string, CellValue>): Record<string, unknown> {
  const result = adapters.police.toRecord({ rowNumber: 3, get: (k) => cells[k] }, { exportDate: '2026-10-31' });
  if (!result.ok) throw new Error('rejected');
  return result.data;
}

describe('probeData', () => {
  it("gives the details the keys and values an adapter gives a source record's", () => {
    const cells = { name: '张伟', formerName: '张卫', idNumber: ID, birthDate: '1990-03-07', sex: '男', address: ADDRESS, community: '西湖社区居委会', householdNumber: 'H0001' };
    const stored = policeData(cells);
    const probe = probeData(cells);
    for (const [key, value] of Object.entries(probe)) expect(stored[key], key).toEqual(value);
    for (const key of ['nameMatch', 'namePinyin', 'surname', 'formerNameMatch', 'idNumberStatus', 'idNumberBirthDate', 'idNumberSex']) expect(probe[key], key).toBeDefined();
  });

  it('keeps a mistyped ID number (it still compares) and upgrades a 15-digit one', () => {
    const typo = `${ID.slice(0, 15)}${(Number(ID[15]) + 1) % 10}${ID.slice(16)}`; // a sequence digit
    expect(probeData({ idNumber: typo })).toMatchObject({ idNumber: typo, idNumberStatus: 'bad_check' });
    expect(probeData({ idNumber: '410105900307123' })).toMatchObject({ idNumber: ID, idNumberStatus: 'upgraded' });
  });

  it('refuses an empty probe and details that cannot be read', () => {
    expect(() => probeData({})).toThrow(/at least one/);
    expect(() => probeData({ name: '  ' })).toThrow(/at least one/);
    expect(() => probeData({ birthDate: 'yesterday' })).toThrow(/birthDate/);
    expect(() => probeData({ sex: 'x' })).toThrow(/sex/);
    expect(() => probeData({ phone: '12' })).toThrow(/phone/);
  });
});

describe('probeRecord', () => {
  it('compares with a stored record as two stored records compare', () => {
    const stored = toComparable('police', policeData({ name: '张伟', idNumber: ID, sex: '男', birthDate: '1990-03-07', householdNumber: 'H0001' }));
    const probe = probeRecord({ name: '張偉', idNumber: '410105900307123', householdNumber: 'H0001' });
    expect(probe.nameMatch).toBe('张伟');
    expect(probe.idNumber).toBe(ID);
    expect(probe.birthDate).toBe('1990-03-07');
    expect(probe.householdKey).toBe('H0001');
    expect(probe.source).toBe(stored.source);
  });
});

function score(weight: number, fields: Partial<Record<string, number>> = {}): PairScore {
  const fieldWeights = Object.fromEntries(COMPARISON_FIELDS.map((f) => [f, fields[f] ?? 0])) as PairScore['fieldWeights'];
  const levels = Object.fromEntries(COMPARISON_FIELDS.map((f) => [f, 'missing'])) as unknown as PairScore['levels'];
  return { weight, probability: 2 ** weight / (1 + 2 ** weight), fieldWeights, tfAdjustment: 0.5, levels };
}

describe('candidatesOf', () => {
  const t = DEFAULT_THRESHOLDS;
  it('bands weights by the thresholds', () => {
    expect(bandOf(t.upper, t)).toBe('match');
    expect(bandOf(t.lower, t)).toBe('review');
    expect(bandOf(t.lower - 0.1, t)).toBe('below');
  });

  it("keeps each resident's best record, best residents first, none below the lower threshold", () => {
    const scored: ScoredRecord[] = [
      { residentId: '1', recordId: '10', source: 'police', score: score(5, { name: 3 }) },
      { residentId: '1', recordId: '11', source: 'family-planning', score: score(20, { name: 4, idNumber: 16 }) },
      { residentId: '2', recordId: '20', source: 'police', score: score(8) },
      { residentId: '3', recordId: '30', source: 'police', score: score(-4) },
    ];
    const out = candidatesOf(scored, t);
    expect(out.map((c) => [c.residentId, c.record.id, c.band])).toEqual([
      ['1', '11', 'match'],
      ['2', '20', 'review'],
    ]);
    expect(out[0]!.fields.idNumber).toEqual({ level: 'missing', weight: 16 });
    expect(out[0]!.nameFrequencyAdjustment).toBe(0.5);
    expect(candidatesOf(scored, t, true).map((c) => c.residentId)).toEqual(['1', '2', '3']);
  });

  it('scores a real pair the way the linker does', () => {
    const a = probeRecord({ name: '张伟', idNumber: ID });
    const b = toComparable('police', policeData({ name: '张伟', idNumber: ID, householdNumber: 'H1' }));
    // The model's own scorer is used unchanged: a pair's explanation has every compared field.
    const s = scorePair(a, b, minimalModel());
    const [c] = candidatesOf([{ residentId: '1', recordId: '1', source: 'police', score: s }], t, true);
    expect(Object.keys(c!.fields)).toEqual([...COMPARISON_FIELDS]);
    expect(c!.fields.idNumber.level).toBe('exact');
    expect(c!.fields.name.level).toBe('exact');
  });
});

/** A model whose every agreement weighs +5 and disagreement −5 (levels from compare.ts). */
function minimalModel(): Parameters<typeof scorePair>[2] {
  return {
    version: 1,
    fields: Object.fromEntries(
      COMPARISON_FIELDS.map((f) => [
        f,
        LEVELS[f]!.map((level) => ({ level, m: 0.5, u: 0.5, weight: level === 'missing' ? 0 : level === 'exact' || level === 'same' ? 5 : -5 })),
      ]),
    ) as Parameters<typeof scorePair>[2]['fields'],
    lambda: 0.001,
    priorWeight: -10,
    thresholds: { ...DEFAULT_THRESHOLDS },
    termFrequency: { levels: [], records: 0, maxUp: 0, maxDown: 0 },
    impliedByIdNumber: { idLevels: [], fields: [] },
    em: { sessions: [], pairs: 0, patterns: 0, priorIterations: 0, priorConverged: true },
    u: { randomPairs: 0, seed: 0 },
  };
}

const LEVELS = COMPARISON_LEVELS as unknown as Record<string, readonly string[]>;
