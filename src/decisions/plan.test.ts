import { describe, expect, it } from 'vitest';
import { explainLinksAfter, orderedPair, planMerge, planSplit, undoBlocker, type ActiveDecision, type LinkExplanation, type Pair } from './plan.js';

let nextId = 1;
function decision(a: string, b: string, kind: ActiveDecision['decision'] = 'match'): ActiveDecision {
  const [recordA, recordB] = orderedPair(a, b);
  return { id: String(nextId++), recordA, recordB, decision: kind };
}

/** Whether the match pairs connect every id of `group`. */
function connected(group: readonly string[], pairs: readonly Pair[]): boolean {
  const reached = new Set([group[0]!]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [a, b] of pairs) {
      if (reached.has(a) !== reached.has(b)) {
        reached.add(a);
        reached.add(b);
        changed = true;
      }
    }
  }
  return group.every((id) => reached.has(id));
}

describe('orderedPair', () => {
  it('orders record ids numerically, not as text', () => {
    expect(orderedPair('10', '9')).toEqual(['9', '10']);
    expect(orderedPair('9', '10')).toEqual(['9', '10']);
  });
});

describe('planMerge', () => {
  it('chains every record of both residents: n − 1 matches, lowest ids first', () => {
    const plan = planMerge({ records: ['5', '12', '3', '40'], active: [] });
    expect(plan.add).toEqual([
      ['3', '5'],
      ['5', '12'],
      ['12', '40'],
    ]);
    expect(plan.blocking).toEqual([]);
  });

  it('reuses the auditor’s earlier matches, and ignores decisions on records outside', () => {
    const plan = planMerge({ records: ['1', '2', '3', '4'], active: [decision('1', '2'), decision('3', '4'), decision('4', '99', 'non_match')] });
    expect(plan.add).toEqual([['1', '3']]);
    expect(connected(['1', '2', '3', '4'], [...plan.add, ['1', '2'], ['3', '4']])).toBe(true);
  });

  it('writes the reviewed pair itself first, unless it is a match already', () => {
    expect(planMerge({ records: ['1', '2', '3'], active: [], required: ['3', '2'] }).add).toEqual([
      ['2', '3'],
      ['1', '2'],
    ]);
    expect(planMerge({ records: ['1', '2', '3'], active: [decision('2', '3')], required: ['2', '3'] }).add).toEqual([['1', '2']]);
  });

  it('is refused by a non-match among the records', () => {
    const against = decision('2', '3', 'non_match');
    expect(planMerge({ records: ['1', '2', '3'], active: [against] }).blocking).toEqual([against]);
  });
});

describe('planSplit', () => {
  it('a resident the model made: non-matches moved × remaining, the moved records chained, nothing pinned on the remaining side', () => {
    const plan = planSplit({ moved: ['4', '2'], remaining: ['1', '3'], active: [] });
    expect(plan.nonMatch).toEqual([
      ['1', '2'],
      ['2', '3'],
      ['1', '4'],
      ['3', '4'],
    ]);
    expect(plan.match).toEqual([['2', '4']]);
    expect(plan.revoke).toEqual([]);
  });

  it('revokes the matches the split cuts and keeps an earlier merge standing on the remaining side', () => {
    // A merge chained 1–2–3–4; record 2 is moved out.
    const chainDecisions = [decision('1', '2'), decision('2', '3'), decision('3', '4')];
    const plan = planSplit({ moved: ['2'], remaining: ['1', '3', '4'], active: chainDecisions });
    expect(plan.revoke).toEqual([chainDecisions[0]!.id, chainDecisions[1]!.id]);
    expect(plan.match).toEqual([['1', '3']]);
    expect(connected(['1', '3', '4'], [...plan.match, ['3', '4']])).toBe(true);
  });

  it('does not connect remaining records no decision connected', () => {
    const plan = planSplit({ moved: ['2'], remaining: ['1', '3', '4', '5'], active: [decision('1', '2'), decision('2', '3')] });
    expect(plan.match).toEqual([['1', '3']]);
  });

  it('skips pairs already decided non-match, and is refused by a non-match among the moved records', () => {
    const known = decision('1', '2', 'non_match');
    const inside = decision('2', '3', 'non_match');
    const plan = planSplit({ moved: ['2', '3'], remaining: ['1'], active: [known, inside] });
    expect(plan.nonMatch).toEqual([['1', '3']]);
    expect(plan.blocking).toEqual([inside]);
  });
});

describe('explainLinksAfter', () => {
  const link = (recordId: string, residentId: string, partnerRecordId: string | null, method = 'model'): LinkExplanation => ({
    recordId,
    residentId,
    method,
    probability: 0.99,
    partnerRecordId,
    weight: partnerRecordId === null ? null : 20,
    fieldWeights: partnerRecordId === null ? null : { name: 5 },
  });

  it('alone → single; held by an auditor’s match → auditor; partner gone → no partner; unchanged rows left out', () => {
    const after = explainLinksAfter(
      [link('1', 'R', '2'), link('2', 'R', '1'), link('3', 'R', '4'), link('4', 'S', '3'), link('5', 'T', '6'), link('6', 'T', '5')],
      [['1', '5']],
    );
    expect(after).toEqual([
      { ...link('3', 'R', null), partnerRecordId: null, weight: null, fieldWeights: null },
      { ...link('4', 'S', '3'), method: 'single', probability: 1, partnerRecordId: null, weight: null, fieldWeights: null },
    ]);
    const merged = explainLinksAfter([link('1', 'R', '2'), link('2', 'R', '1'), link('5', 'R', '6'), link('6', 'R', '5')], [['1', '5']]);
    expect(merged.map((l) => [l.recordId, l.method, l.partnerRecordId])).toEqual([
      ['1', 'auditor', '5'],
      ['5', 'auditor', '1'],
    ]);
  });
});

describe('undoBlocker', () => {
  const after = { '10': { version: 3, mergedInto: null, goldenHash: 'h10' }, '11': { version: 2, mergedInto: '10', goldenHash: 'h11' } };
  const base = { actionId: '7', undoneAt: null, after, later: [] };

  it('nothing changed: undo allowed', () => {
    expect(undoBlocker({ ...base, now: new Map(Object.entries(after)) })).toBeNull();
  });

  it('a later version with the golden record and records the action left (a later action undone): undo allowed', () => {
    expect(undoBlocker({ ...base, now: new Map(Object.entries({ ...after, '10': { version: 5, mergedInto: null, goldenHash: 'h10' } })) })).toBeNull();
  });

  it.each([
    ['undone already', { undoneAt: '2026-11-26T10:00:00.000Z' }, /undone already/],
    ['a later action', { later: [{ id: '8', kind: 'split', residentIds: ['10', '12'] }] }, /action 8 \(split\).*undo action 8 first/],
    ['a link run made a new version', { now: new Map(Object.entries({ ...after, '10': { version: 4, mergedInto: null, goldenHash: 'h10b' } })) }, /version 3 then, 4 now/],
    ['merged away since', { now: new Map(Object.entries({ ...after, '10': { version: 3, mergedInto: '99', goldenHash: 'h10' } })) }, /merged into resident 99/],
  ])('%s: refused with the reason', (_label, change, message) => {
    expect(undoBlocker({ ...base, now: new Map(Object.entries(after)), ...change })).toMatch(message);
  });
});
