import { describe, expect, it } from 'vitest';
import { FIELD_POLICY, maskIdNumber, maskPhone } from '../access/field-policy.js';
import { ROLES } from '../access/roles.js';
import type { AppError } from '../errors.js';
import { makeId } from '../linkage/test-support.js';
import type { StoredReviewItem } from './review.repository.js';
import { decodeCursor, encodeCursor, reviewItemView } from './review.service.js';

const ID = makeId('410105', '19850312', '123');
const PHONE = '13812345678';

function item(): StoredReviewItem {
  const side = (recordId: string, source: string, data: Record<string, unknown>) => ({ recordId, source, fileName: `${source}.csv`, rowNumber: 3, data, residentId: '7' });
  return {
    id: '1',
    status: 'open',
    weight: 8.5,
    probability: 0.9,
    reason: 'between_thresholds',
    levels: { name: 'exact' },
    fieldWeights: { name: 4.2 },
    createdAt: '2026-11-26T10:00:00.000Z',
    updatedAt: '2026-11-26T10:00:00.000Z',
    a: side('10', 'police', { name: '张伟', idNumber: ID, idNumberText: ID, phone: PHONE, note: `电话${PHONE}` }),
    b: side('11', 'minimum-allowance', { name: '张伟', idNumber: ID, bankAccount: '6221886453915295527', category: '城市低保', monthlyAmount: 1025 }),
    decision: { id: '3', decision: 'match', reason: 'checked', decidedAt: '2026-11-26T11:00:00.000Z', by: { keyId: '2', name: 'auditor 1', role: 'auditor' }, revokedAt: null },
  };
}

describe('reviewItemView', () => {
  it.each(ROLES)('redacts both sides for %s as the field policy says', (role) => {
    const view = reviewItemView(role, item());
    const policy = FIELD_POLICY[role];
    const id = policy.idNumber === 'full' ? ID : maskIdNumber(ID);
    expect(view.a.data.idNumber).toBe(id);
    expect(view.a.data.idNumberText).toBe(id);
    expect(view.b.data.idNumber).toBe(id);
    expect(view.a.data.phone).toBe(policy.phone === 'full' ? PHONE : maskPhone(PHONE));
    // The safety net over free text.
    expect(String(view.a.data.note).includes(PHONE)).toBe(policy.phone === 'full');
    expect('bankAccount' in view.b.data).toBe(policy.bank !== 'removed');
    expect('category' in view.b.data).toBe(policy.welfare !== 'removed');
    expect('monthlyAmount' in view.b.data).toBe(policy.welfare !== 'removed');
    expect(view.a.data.name).toBe('张伟');
    // Lineage, weights and the decision are no personal data; the deciding key's id stays out.
    expect(view).toMatchObject({ weight: 8.5, a: { recordId: '10', fileName: 'police.csv', rowNumber: 3, residentId: '7' }, decision: { decidedBy: { name: 'auditor 1', role: 'auditor' } } });
    expect(JSON.stringify(view.decision)).not.toContain('keyId');
  });

  it('does not change the stored item', () => {
    const stored = item();
    reviewItemView('community', stored);
    expect(stored).toEqual(item());
  });
});

describe('review cursor', () => {
  it('round-trips the last weight and id exactly', () => {
    for (const weight of [8.12345678901234, -3, 0, 1e-9, 0.1 + 0.2]) expect(decodeCursor(encodeCursor(weight, '42'))).toEqual({ weight, id: '42' });
  });

  it.each(['', 'nonsense', Buffer.from('[1]').toString('base64url'), Buffer.from('[1,"0"]').toString('base64url'), Buffer.from('["1","2"]').toString('base64url')])('refuses %j', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'RH_ERR_VALIDATION' }) as AppError);
  });
});
