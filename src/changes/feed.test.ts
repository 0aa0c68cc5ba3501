import { describe, expect, it } from 'vitest';
import { buildGoldenRecord } from '../golden/survivorship.js';
import { ADDRESS, ID_MAN, allowance, familyPlanning, police } from '../golden/test-helpers.js';
import { diffGolden } from '../golden/version.js';
import type { StoredResidentEvent } from './events.repository.js';
import { changedFieldsOf, feedPage, parseCursor, toFeedEvent } from './feed.js';

const p = police({ name: '张伟', idNumber: ID_MAN, sex: '男', address: ADDRESS.home }, { id: 'p', observedAt: '2026-01-31' });
const fp = familyPlanning({ name: '张伟', maritalStatus: '20', phone: '13900000001' }, { id: 'fp', observedAt: '2026-06-30' });
const ma = allowance({ name: '张伟', idNumber: ID_MAN, category: '城市低保', monthlyAmount: '680', approvedOn: '2026-05-10' }, { id: 'ma', observedAt: '2026-06-30' });
const first = buildGoldenRecord([p, fp]);
const withAllowance = buildGoldenRecord([p, fp, ma]);

function event(over: Partial<StoredResidentEvent>): StoredResidentEvent {
  return { id: '1', residentId: '9', kind: 'created', version: 1, relatedResidentId: null, createdAt: new Date('2026-11-26T08:00:00Z'), changes: null, golden: first, ...over };
}

describe('parseCursor', () => {
  it.each<[string | undefined, string | null]>([
    [undefined, '0'],
    ['0', '0'],
    ['15', '15'],
    ['123456789012345678', '123456789012345678'],
    ['01', null],
    ['-1', null],
    ['abc', null],
    ['1.5', null],
    ['1234567890123456789', null],
  ])('%s', (text, expected) => {
    if (expected === null) expect(() => parseCursor(text)).toThrow(/malformed cursor/);
    else expect(parseCursor(text)).toBe(expected);
  });
});

describe('changedFieldsOf', () => {
  it('names the fields a version changed, once each, in diff order', () => {
    const changes = diffGolden(first, withAllowance);
    const fields = changedFieldsOf(changes, null);
    expect(fields).toEqual([...new Set(changes.map((c) => c.field))]);
    expect(fields).toContain('allowance.monthlyAmount');
    expect(fields).toContain('sources');
  });

  it('names every field a first version has (it has no recorded changes)', () => {
    const fields = changedFieldsOf(null, first);
    expect(fields).toEqual(expect.arrayContaining(['name', 'idNumber', 'birthDate', 'sex', 'maritalStatus', 'phone', 'sources']));
    expect(fields).not.toContain('allowance.category');
  });

  it('names nothing without a version', () => {
    expect(changedFieldsOf(null, null)).toEqual([]);
  });
});

describe('toFeedEvent', () => {
  const update = event({ id: '7', kind: 'updated', version: 2, changes: diffGolden(first, withAllowance), golden: null });

  it('leaves out the changed fields a role may not see', () => {
    const asCivilAffairs = toFeedEvent('civil-affairs', update, false);
    const asPolice = toFeedEvent('police', update, false);
    expect(asCivilAffairs.changedFields).toContain('allowance.monthlyAmount');
    expect(asPolice.changedFields.some((f) => f.startsWith('allowance'))).toBe(false);
    expect(asPolice.changedFields).toContain('sources');
    expect(asPolice).toMatchObject({ cursor: '7', residentId: '9', kind: 'updated', version: 2, relatedResidentId: null, at: '2026-11-26T08:00:00.000Z' });
    expect(asPolice).not.toHaveProperty('golden');
  });

  it('carries the golden record redacted for the role when asked', () => {
    const created = event({ golden: withAllowance });
    const asFamilyPlanning = toFeedEvent('family-planning', created, true);
    const asPolice = toFeedEvent('police', created, true);
    expect(asPolice.golden?.idNumber?.value).toBe(ID_MAN);
    expect(asFamilyPlanning.golden?.idNumber?.value).toBe(`${ID_MAN.slice(0, 6)}********${ID_MAN.slice(14)}`);
    expect(asFamilyPlanning.golden?.phone?.value).toBe('139****0001');
    expect(asPolice.golden).not.toHaveProperty('allowance');
    expect(toFeedEvent('civil-affairs', created, true).golden?.allowance?.monthlyAmount?.value).toBe(680);
  });

  it('gives a merge no fields and no golden record', () => {
    const merged = toFeedEvent('auditor', event({ kind: 'merged', version: null, relatedResidentId: '3', golden: null }), true);
    expect(merged).toMatchObject({ kind: 'merged', version: null, relatedResidentId: '3', changedFields: [], golden: null });
  });
});

describe('feedPage', () => {
  it.each<[string, string | undefined, number, string[], string | null, boolean]>([
    ['the last event is the next cursor', '4', 2, ['5', '6'], '6', true],
    ['a short page has no more', '4', 3, ['5', '6'], '6', false],
    ['nothing new: the same cursor', '6', 3, [], '6', false],
    ['an empty feed from the beginning', undefined, 3, [], null, false],
  ])('%s', (_, since, limit, ids, next, hasMore) => {
    const page = feedPage('police', since, limit, ids.map((id) => event({ id })), false);
    expect(page.events.map((e) => e.cursor)).toEqual(ids);
    expect(page.next).toBe(next);
    expect(page.hasMore).toBe(hasMore);
  });
});
