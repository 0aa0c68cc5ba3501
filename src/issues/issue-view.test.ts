import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../access/roles.js';
import { ID_MAN, ID_WOMAN } from '../golden/test-helpers.js';
import type { IssueRow } from './issues.repository.js';
import { toIssueView } from './issue-view.js';

const masked = (n: string) => `${n.slice(0, 6)}********${n.slice(14)}`;
const at = new Date('2026-11-26T08:00:00Z');
const base = { residentId: '9', status: 'open' as const, resolution: null, createdAt: at, updatedAt: at };

const idConflict: IssueRow = {
  ...base,
  id: '1',
  category: 'conflict',
  kind: 'id_number_conflict',
  severity: 'high',
  details: {
    kind: 'id_number_conflict',
    field: 'idNumber',
    values: [
      { value: ID_MAN, sourceRecordIds: ['11'], sources: ['police'] },
      { value: ID_WOMAN, sourceRecordIds: ['12'], sources: ['family-planning'] },
    ],
    severity: 'high',
    resolved: false,
  },
};
const shared: IssueRow = { ...base, id: '2', category: 'alert', kind: 'shared_id_number', severity: 'high', details: { kind: 'shared_id_number', idNumber: ID_MAN, residentKeys: ['9', '10'] } };
const allowance: IssueRow = {
  ...base,
  id: '3',
  category: 'alert',
  kind: 'deceased_receiving_allowance',
  severity: 'high',
  details: { kind: 'deceased_receiving_allowance', statusRecordId: '11', allowanceRecordIds: ['13'], monthlyAmount: 680, approvedOn: '2023-05-10', message: 'deceased' },
};
const resolvedId: IssueRow = {
  ...idConflict,
  id: '4',
  status: 'resolved',
  resolution: { via: 'value', field: 'idNumber', value: ID_WOMAN, sourceRecordId: null, reason: 'checked', decidedAt: '2026-11-26T08:00:00.000Z', decisionId: '5', version: 3 },
};

describe('toIssueView', () => {
  it.each<[Role, 'full' | 'masked']>(ROLES.map((role) => [role, role === 'police' || role === 'auditor' ? 'full' : 'masked']))('ID numbers for %s: %s', (role, treatment) => {
    const show = (n: string) => (treatment === 'full' ? n : masked(n));
    expect(toIssueView(role, idConflict).details.values).toEqual([
      { value: show(ID_MAN), sourceRecordIds: ['11'], sources: ['police'] },
      { value: show(ID_WOMAN), sourceRecordIds: ['12'], sources: ['family-planning'] },
    ]);
    expect(toIssueView(role, shared).details.idNumber).toBe(show(ID_MAN));
    expect(toIssueView(role, resolvedId).resolution).toMatchObject({ value: show(ID_WOMAN), decisionId: '5', version: 3 });
  });

  it('leaves allowance figures out for roles that may not see welfare', () => {
    expect(toIssueView('police', allowance).details).not.toHaveProperty('monthlyAmount');
    expect(toIssueView('civil-affairs', allowance).details).toMatchObject({ monthlyAmount: 680, approvedOn: '2023-05-10' });
  });

  it('names the field of a conflict, none for an alert, and gives instants as ISO text', () => {
    expect(toIssueView('auditor', idConflict)).toMatchObject({ id: '1', field: 'idNumber', createdAt: '2026-11-26T08:00:00.000Z', resolution: null });
    expect(toIssueView('auditor', shared).field).toBeNull();
  });
});
