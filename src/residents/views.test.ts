import { describe, expect, it } from 'vitest';
import { ROLES } from '../access/roles.js';
import { buildGoldenRecord } from '../golden/survivorship.js';
import { ADDRESS, ID_MAN, allowance, police } from '../golden/test-helpers.js';
import { diffGolden } from '../golden/version.js';
import { changeViews, issueVisible, linkedRecordView, residentSummary, versionView } from './views.js';

const MOBILE = '13812345678';
const ACCOUNT = '6222021234567890123';
const MASKED_ID = `${ID_MAN.slice(0, 6)}********${ID_MAN.slice(14)}`;
const UNMASKED = /\d{17}[\dXx]/;

const policeRecord = police({ name: '张伟', idNumber: ID_MAN, sex: '男', birthDate: '1990-03-07', address: ADDRESS.home, community: '西湖社区居委会' }, { id: '11' });
const allowanceRecord = allowance(
  { name: '张伟', idNumber: ID_MAN, phone: MOBILE, category: '城市低保', monthlyAmount: '620', bank: '中国工商银行', bankAccount: ACCOUNT, address: ADDRESS.home },
  { id: '12' },
);
const golden = buildGoldenRecord([policeRecord, allowanceRecord]);

describe('residentSummary', () => {
  it('shows the ID number in full to the police and auditors, masked to the others', () => {
    expect(residentSummary('police', golden).idNumber).toBe(ID_MAN);
    expect(residentSummary('auditor', golden).idNumber).toBe(ID_MAN);
    for (const role of ['family-planning', 'civil-affairs', 'community', 'admin'] as const) {
      expect(residentSummary(role, golden).idNumber, role).toBe(MASKED_ID);
    }
  });

  it('names the person, the birth date, sex, sources and current community, and nothing more', () => {
    const s = residentSummary('family-planning', golden);
    expect(s).toEqual({ name: '张伟', idNumber: MASKED_ID, birthDate: '1990-03-07', sex: '1', status: 'alive', sources: ['police', 'minimum-allowance'], community: '西湖社区' });
    expect(JSON.stringify(s)).not.toContain(MOBILE);
  });
});

describe('linkedRecordView', () => {
  const row = { id: '12', source: 'minimum-allowance', fileName: 'minimum-allowance.xls', rowNumber: 7, present: true, version: 2, probability: 0.99, method: 'exact_id', data: allowanceRecord.data };

  it('keeps the lineage and redacts the data per role: bank fields only for civil affairs and auditors', () => {
    for (const role of ROLES) {
      const view = linkedRecordView(role, row);
      expect(view).toMatchObject({ id: '12', source: 'minimum-allowance', file: 'minimum-allowance.xls', row: 7, present: true, version: 2, link: { probability: 0.99, method: 'exact_id' } });
      const seesBank = role === 'civil-affairs' || role === 'auditor';
      expect('bankAccount' in view.data, role).toBe(seesBank);
      expect(JSON.stringify(view.data).includes(ACCOUNT), role).toBe(seesBank);
      const seesIdsInFull = role === 'police' || role === 'auditor';
      expect(JSON.stringify(view.data).includes(ID_MAN), role).toBe(seesIdsInFull);
      if (!seesIdsInFull && !seesBank) expect(UNMASKED.test(JSON.stringify(view)), role).toBe(false);
    }
  });
});

describe('issueVisible', () => {
  it('hides allowance alerts from roles that may not see welfare, and conflicts over removed fields', () => {
    const alert = { kind: 'deceased_receiving_allowance', details: { monthlyAmount: 620 } };
    expect(issueVisible('police', alert)).toBe(false);
    expect(issueVisible('family-planning', alert)).toBe(false);
    expect(issueVisible('civil-affairs', alert)).toBe(true);
    expect(issueVisible('community', alert)).toBe(true);
    expect(issueVisible('police', { kind: 'birth_date_conflict', details: { field: 'birthDate' } })).toBe(true);
    expect(issueVisible('police', { kind: 'x', details: { field: 'allowance.monthlyAmount' } })).toBe(false);
  });
});

describe('changeViews and versionView', () => {
  const before = buildGoldenRecord([policeRecord]);
  const changes = diffGolden(before, golden);

  it('leaves out changes of fields the role may not see, and masks the values of the others', () => {
    const police = changeViews('police', changes);
    expect(police.some((c) => c.field.startsWith('allowance'))).toBe(false);
    expect(changeViews('civil-affairs', changes).some((c) => c.field.startsWith('allowance'))).toBe(true);
    const phone = changeViews('family-planning', changes).find((c) => c.field === 'phone');
    expect(phone).toMatchObject({ kind: 'added', from: null });
    expect(phone?.to).not.toBe(MOBILE);
    expect(String(phone?.to)).toMatch(/^138\*{4}5678$/);
    const first = changeViews('family-planning', diffGolden(undefined, golden)).find((c) => c.field === 'idNumber');
    expect(first).toEqual({ field: 'idNumber', kind: 'added', from: null, to: MASKED_ID });
  });

  it('redacts the version golden record as the current one', () => {
    const v = versionView('family-planning', { version: 2, createdAt: '2026-11-26T00:00:00.000Z', runId: '3', changes, members: ['11', '12'], golden });
    expect(v.golden.idNumber?.value).toBe(MASKED_ID);
    expect('allowance' in v.golden).toBe(false);
    expect(v.members).toEqual(['11', '12']);
    expect(versionView('police', { version: 1, createdAt: 'x', runId: null, changes: null, members: [], golden }).changes).toEqual([]);
  });
});
