import { describe, expect, it } from 'vitest';
import { buildGoldenRecord } from './survivorship.js';
import { ADDRESS, ID_MAN, allowance, familyPlanning, police } from './test-helpers.js';
import type { AuditorDecision, GoldenInput } from './types.js';
import { diffGolden, goldenHash, stableStringify, type FieldChange } from './version.js';

const p = police({ name: '张伟', idNumber: ID_MAN, sex: '男', address: ADDRESS.home }, { id: 'p', observedAt: '2026-01-31' });
const fp = familyPlanning({ name: '张伟', maritalStatus: '20', phone: '13900000001' }, { id: 'fp', observedAt: '2026-06-30' });
const base = [p, fp];

const summary = (changes: FieldChange[]): [string, string][] => changes.map((c) => [c.field, c.kind]);

describe('diffGolden', () => {
  it.each<[string, GoldenInput[], AuditorDecision[], [string, string][]]>([
    ['nothing changed', base, [], []],
    ['a new phone', [p, familyPlanning({ name: '张伟', maritalStatus: '20', phone: '13900000009' }, { id: 'fp', observedAt: '2026-10-31' })], [], [['phone', 'value']]],
    [
      'the same phone now from another record',
      [p, fp, allowance({ name: '张伟', phone: '13900000001' }, { id: 'ma', observedAt: '2026-10-31' })],
      [],
      [
        ['phone', 'provenance'],
        ['sources', 'value'],
      ],
    ],
    ['an auditor decision with the same value', base, [{ field: 'name', value: '张伟', sourceRecordId: 'p', reason: 'checked', decidedAt: '2026-07-01' }], [['name', 'provenance']]],
    ['the police now say 死亡', [police({ name: '张伟', idNumber: ID_MAN, sex: '男', address: ADDRESS.home, personStatus: '死亡', statusDate: '20260915' }, { id: 'p', observedAt: '2026-09-30' }), fp], [], [
      ['currentAddress', 'removed'],
      ['status', 'value'],
      ['status.date', 'added'],
    ]],
    ['the family-planning record is gone', [p], [], [
      ['maritalStatus', 'removed'],
      ['phone', 'removed'],
      ['sources', 'value'],
    ]],
    ['a former name appears', [police({ name: '张伟', formerName: '张小伟', idNumber: ID_MAN, sex: '男', address: ADDRESS.home }, { id: 'p', observedAt: '2026-01-31' }), fp], [], [['formerNames', 'added']]],
  ])('%s', (_label, members, decisions, expected) => {
    const previous = buildGoldenRecord(base);
    const next = buildGoldenRecord(members, decisions);
    expect(summary(diffGolden(previous, next))).toEqual(expected);
    expect(goldenHash(next) === goldenHash(previous)).toBe(expected.length === 0);
  });

  it('the first version: every field with a value is added', () => {
    const changes = diffGolden(undefined, buildGoldenRecord(base));
    expect(summary(changes)).toEqual([
      ['name', 'added'],
      ['idNumber', 'added'],
      ['birthDate', 'added'],
      ['sex', 'added'],
      ['maritalStatus', 'added'],
      ['phone', 'added'],
      ['registeredAddress', 'added'],
      ['currentAddress', 'added'],
      ['status', 'added'],
      ['sources', 'added'],
    ]);
    expect(changes.every((c) => c.from === null)).toBe(true);
  });

  it('a change carries both values and their provenance', () => {
    const next = buildGoldenRecord([p, familyPlanning({ name: '张伟', maritalStatus: '40', phone: '13900000001' }, { id: 'fp', observedAt: '2026-10-31' })]);
    expect(diffGolden(buildGoldenRecord(base), next)).toEqual([
      {
        field: 'maritalStatus',
        kind: 'value',
        from: '20',
        to: '40',
        fromProvenance: { sourceRecordId: 'fp', source: 'family-planning', rule: 'authority' },
        toProvenance: { sourceRecordId: 'fp', source: 'family-planning', rule: 'authority' },
      },
    ]);
  });

  it('the allowance ending removes its three fields', () => {
    const ma = allowance({ name: '张伟', category: '城市低保', monthlyAmount: 640, approvedOn: '2024-05-01' }, { id: 'ma' });
    const before = buildGoldenRecord([...base, ma]);
    const after = buildGoldenRecord([...base, { ...ma, present: false }]);
    expect(summary(diffGolden(before, after))).toEqual([
      ['allowance.category', 'removed'],
      ['allowance.monthlyAmount', 'removed'],
      ['allowance.approvedOn', 'removed'],
      ['sources', 'value'],
    ]);
  });
});

describe('goldenHash and stableStringify', () => {
  it.each([
    ['key order', { b: 1, a: { d: [1, 2], c: 'x' } }, { a: { c: 'x', d: [1, 2] }, b: 1 }, true],
    ['undefined properties', { a: 1, b: undefined }, { a: 1 }, true],
    ['array order matters', { a: [1, 2] }, { a: [2, 1] }, false],
    ['values matter', { a: '1' }, { a: 1 }, false],
  ])('stableStringify: %s', (_label, x, y, same) => {
    expect(stableStringify(x) === stableStringify(y)).toBe(same);
  });

  it('is stable across computations and member orders', () => {
    const one = goldenHash(buildGoldenRecord(base));
    expect(goldenHash(buildGoldenRecord([fp, p]))).toBe(one);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the key order of the record', () => {
    const golden = buildGoldenRecord(base);
    const reordered = Object.fromEntries(Object.entries(golden).reverse()) as typeof golden;
    expect(goldenHash(reordered)).toBe(goldenHash(golden));
  });
});
