import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.js';
import type { SourceName } from '../../adapters/types.js';
import { detectAlerts, detectConflicts } from '../golden/conflicts.js';
import { buildGoldenRecord } from '../golden/survivorship.js';
import type { AuditorDecision, GoldenInput } from '../golden/types.js';
import type { CellValue } from '../ingest/types.js';
import { computeCheckChar } from '../normalize/id-number.js';
import {
  FIELD_POLICY,
  fieldCategory,
  fieldTreatment,
  isFieldVisible,
  maskIdNumber,
  maskPhone,
  redactGolden,
  redactRecord,
  redactText,
  visibleGoldenFields,
} from './field-policy.js';
import { ROLES, type Role } from './roles.js';

// Synthetic people, region 410105, check characters computed.
const id = (first17: string): string => first17 + computeCheckChar(first17);
const ID_WOMAN = id('41010519850312124'); // 1985-03-12
const ID_HEAD = id('41010519580101011'); // 1958-01-01
const ID_SPOUSE = id('41010519830920013'); // 1983-09-20
const ID_WITH_X = (() => {
  // A number whose check character is X, to see it kept upper-case.
  for (let seq = 100; seq < 999; seq++) {
    const candidate = id(`41010519900307${seq}`);
    if (candidate.endsWith('X')) return candidate;
  }
  throw new Error('no X check character found');
})();
const MOBILE = '13812345678';
const MOBILE_2 = '15937112345';
const LANDLINE = '0371-65432100';
const BANK_ACCOUNT = '6222021234567890123';
const BANK = '中国工商银行郑州金水支行';

const ID_PATTERN = /\d{17}[\dXx]/;
const MOBILE_PATTERN = /1[3-9]\d{9}/;

const PRIVILEGED_ID: readonly Role[] = ['police', 'auditor'];
const NON_PRIVILEGED = ROLES.filter((r) => !PRIVILEGED_ID.includes(r));

function record(source: SourceName, cells: Record<string, CellValue>, recordId: string): GoldenInput {
  const row = { rowNumber: 4, get: (key: string): CellValue | undefined => cells[key] };
  const result = adapters[source].toRecord(row, { exportDate: '2026-10-31' });
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.reasons)}`);
  return { recordId, source, present: true, data: result.data, observedAt: '2026-10-31' };
}

const HOME = '河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401';

const allowanceRecord = record(
  'minimum-allowance',
  {
    familyNumber: 'F0012',
    headName: '王建国',
    headIdNumber: ID_HEAD,
    name: '王芳',
    relationship: '女',
    idNumber: ID_WOMAN.toLowerCase(),
    sex: '女',
    age: 41,
    health: '患大病',
    workAbility: '无劳动能力',
    category: '城市低保',
    monthlyAmount: '650.00',
    approvedOn: '2025-04-01',
    community: '西湖社区',
    address: HOME,
    phone: `${MOBILE}/${LANDLINE}`,
    bank: BANK,
    bankAccount: BANK_ACCOUNT,
  },
  '11',
);

const familyPlanningRecord = record(
  'family-planning',
  {
    caseNumber: 'C0301',
    name: '王芳',
    sex: '2',
    idNumber: ID_WOMAN,
    birthDate: '1985-03-12',
    maritalStatus: '20',
    spouseName: '李强',
    spouseIdNumber: ID_SPOUSE,
    childrenCount: 1,
    registeredAddress: HOME,
    currentAddress: HOME,
    phone: MOBILE_2,
  },
  '12',
);

const policeRecord = record(
  'police',
  {
    householdNumber: 'H0005',
    relationship: '女',
    name: '王芳',
    sex: '女',
    ethnicity: '汉族',
    birthDate: '19850312',
    // Damaged by Excel: the surviving digits still carry the birth date.
    idNumber: 410105198503121000,
    address: HOME,
    personStatus: '死亡',
    statusDate: '20260801',
  },
  '13',
);

/** A minimum-allowance raw row as read from the file: Chinese headers, synonyms, noise. */
const allowanceRaw: Record<string, string> = {
  家庭编号: 'F0012',
  户主姓名: '王建国',
  户主身份证号: ID_HEAD,
  成员姓名: '王芳',
  与户主关系: '女',
  身份证号码: ID_WOMAN.toLowerCase(),
  性别: '女',
  年龄: '41',
  健康状况: '患大病',
  劳动能力: '无劳动能力',
  保障类别: '城市低保',
  '月保障金额（元）': '650.00',
  审批日期: '2025-04-01',
  社区: '西湖社区',
  住址: HOME,
  '联系 电话': `${MOBILE}/${LANDLINE}`,
  开户银行: BANK,
  银行卡号: BANK_ACCOUNT,
  // Columns the adapter does not know, kept in the raw record.
  配偶身份证号: ID_SPOUSE,
  紧急联系人手机: MOBILE_2,
  备注: `户主身份证${ID_HEAD}，其女手机 ${MOBILE_2.slice(0, 3)} ${MOBILE_2.slice(3, 7)} ${MOBILE_2.slice(7)}，卡号${BANK_ACCOUNT}，2026-10-31 复核`,
};

const policeRaw: Record<string, string> = {
  HH: 'H0005',
  XM: '王芳',
  GMSFHM: '４１０１０５' + ID_WOMAN.slice(6), // full-width region digits, as typed
  ZZ: HOME,
  RYZT: '死亡',
};

describe('maskIdNumber', () => {
  it.each([
    [ID_WOMAN, `410105********${ID_WOMAN.slice(14)}`],
    [ID_WITH_X.toLowerCase(), `410105********${ID_WITH_X.slice(14)}`],
    [`４１０１０５${ID_WOMAN.slice(6)}`, `410105********${ID_WOMAN.slice(14)}`],
    [` ${ID_WOMAN.slice(0, 6)} ${ID_WOMAN.slice(6, 14)} ${ID_WOMAN.slice(14)} `, `410105********${ID_WOMAN.slice(14)}`],
    [`'${ID_WOMAN}`, `410105********${ID_WOMAN.slice(14)}`],
    // Legacy 15 digits (birth date at 7–12) and surviving digits of a damaged 18 (7–14): 7–14 hidden either way.
    ['410105850312124', '410105********4'],
    ['410105198503121', '410105********1'],
    ['410105198503121000', '410105********1000'],
    ['4.10105E+17', '4.1010*****'],
    ['41010519850', '410105*****'],
    ['12345', '*****'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(maskIdNumber(input)).toBe(expected);
  });

  it('never leaves the birth-date digits of a valid number', () => {
    expect(maskIdNumber(ID_HEAD)).not.toContain('19580101');
    expect(maskIdNumber(ID_HEAD)).toMatch(/^410105\*{8}\d{3}[\dX]$/);
  });
});

describe('maskPhone', () => {
  it.each([
    [MOBILE, '138****5678'],
    ['+86 138 1234 5678', '138****5678'],
    ['138-1234-5678', '138****5678'],
    ['１３８１２３４５６７８', '138****5678'],
    [LANDLINE, '0371-****2100'],
    ['(0371)65432100', '0371-****2100'],
    ['037165432100', '0371-****2100'],
    ['010-6543210', '010-***3210'],
    ['65432100', '****2100'],
    ['0371-65432100转8001', '0371-****2100转8001'],
    [`${MOBILE}/${LANDLINE}`, '138****5678/0371-****2100'],
    ['未知 12345', '未知 *2345'],
    ['无', '无'],
  ])('%s → %s', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });
});

describe('redactText (the safety net)', () => {
  const note = `身份证${ID_WOMAN}，电话${MOBILE}，座机${LANDLINE}，卡号${BANK_ACCOUNT}，合计：312户 745人，2026-10-31，金额1200.50`;

  it('masks ID numbers, mobiles and accounts for a role that sees none of them in full', () => {
    const out = redactText('family-planning', note);
    expect(out).toBe(
      `身份证410105********${ID_WOMAN.slice(14)}，电话138****5678，座机0371-****2100，卡号${'*'.repeat(19)}，合计：312户 745人，2026-10-31，金额1200.50`,
    );
  });

  it('leaves what the role may see in full', () => {
    expect(redactText('auditor', note)).toBe(note);
    const police = redactText('police', note);
    expect(police).toContain(ID_WOMAN);
    expect(police).toContain(MOBILE);
    expect(police).not.toContain(BANK_ACCOUNT);
    const civil = redactText('civil-affairs', note);
    expect(civil).toContain(BANK_ACCOUNT);
    expect(civil).not.toContain(ID_WOMAN);
  });

  it('finds numbers written with spaces, hyphens or full-width digits', () => {
    expect(redactText('community', '手机 138 1234 5678')).toBe('手机 138****5678');
    expect(redactText('community', '手机138-1234-5678')).toBe('手机138****5678');
    expect(redactText('community', `号码 ${ID_WOMAN.slice(0, 6)} ${ID_WOMAN.slice(6, 14)} ${ID_WOMAN.slice(14)}`)).toBe(
      `号码 410105********${ID_WOMAN.slice(14)}`,
    );
    expect(redactText('community', '１３８１２３４５６７８')).toBe('138****5678');
    expect(redactText('community', `${ID_WITH_X.slice(0, 17)}x`)).toBe(`410105********${ID_WITH_X.slice(14)}`);
    // Next to a date: the number is still found, the date kept.
    expect(redactText('community', `2026-10-31 ${LANDLINE} 复核`)).toBe('2026-10-31 0371-****2100 复核');
    expect(redactText('community', `2026-10-31 138 1234 5678`)).toBe('2026-10-31 138****5678');
    expect(redactText('community', `12 ${ID_WOMAN.slice(0, 6)} ${ID_WOMAN.slice(6, 14)} ${ID_WOMAN.slice(14)} 3`)).toBe(
      `12 410105********${ID_WOMAN.slice(14)} 3`,
    );
  });

  it('leaves dates, amounts, house numbers and short codes alone', () => {
    for (const text of ['2026-10-31', '1985-03-12 至 2026-10-31', '纬五路12号院3号楼2单元401', 'H0005', '650.00', '20261031', '登记编号 R20260001']) {
      expect(redactText('admin', text)).toBe(text);
    }
  });
});

describe('fieldCategory', () => {
  it.each([
    ['idNumber', 'idNumber'],
    ['idNumberText', 'idNumber'],
    ['idNumberSurvivingDigits', 'idNumber'],
    ['headIdNumber', 'idNumber'],
    ['spouseIdNumberText', 'idNumber'],
    ['id_number', 'idNumber'],
    ['公民身份号码', 'idNumber'],
    ['身份证号', 'idNumber'],
    ['成员身份证号码', 'idNumber'],
    ['户主身份证号码', 'idNumber'],
    ['配偶身份证号', 'idNumber'],
    ['配偶公民身份号码', 'idNumber'],
    ['证件号码', 'idNumber'],
    ['GMSFHM', 'idNumber'],
    ['* 公民身份\n号码', 'idNumber'],
    ['phone', 'phone'],
    ['联系电话', 'phone'],
    ['手机号码', 'phone'],
    ['phone_number', undefined],
    ['bank', 'bank'],
    ['bankAccount', 'bank'],
    ['开户银行', 'bank'],
    ['银行账号', 'bank'],
    ['银行卡号', 'bank'],
    ['银行预留电话', 'bank'],
    ['allowance', 'welfare'],
    ['allowance.monthlyAmount', 'welfare'],
    ['monthlyAmount', 'welfare'],
    ['health', 'welfare'],
    ['健康状况', 'welfare'],
    ['月保障金额(元)', 'welfare'],
    ['月保障金额（元）', 'welfare'],
    ['保障类别', 'welfare'],
    // Derived facts of an ID number, and fields of no category.
    ['idNumberStatus', undefined],
    ['idNumberBirthDate', undefined],
    ['idNumberRegion', undefined],
    ['phoneKind', undefined],
    ['name', undefined],
    ['birthDate', undefined],
    ['category', undefined],
    ['婚育证明编号', undefined],
    ['户籍地行政区划', undefined],
    ['登记编号', undefined],
  ])('%j → %s', (key, expected) => {
    expect(fieldCategory(key)).toBe(expected);
  });

  it('reads a plain `category` as 保障类别 only in minimum-allowance records', () => {
    expect(fieldCategory('category', 'minimum-allowance')).toBe('welfare');
    expect(fieldCategory('category', 'police')).toBeUndefined();
    expect(fieldCategory('category')).toBeUndefined();
  });

  it('gives each role its treatment', () => {
    expect(fieldTreatment('police', 'idNumber')).toBe('full');
    expect(fieldTreatment('community', '公民身份号码')).toBe('masked');
    expect(fieldTreatment('family-planning', 'bankAccount')).toBe('removed');
    expect(fieldTreatment('civil-affairs', '银行账号')).toBe('full');
    expect(fieldTreatment('admin', 'name')).toBe('full');
    expect(isFieldVisible('police', 'monthlyAmount')).toBe(false);
    expect(isFieldVisible('community', 'monthlyAmount')).toBe(true);
  });
});

/** Every string in a value, with the key it sits under. */
function strings(value: unknown, key = ''): [string, string][] {
  if (typeof value === 'string') return [[key, value]];
  if (typeof value === 'number') return [[key, String(value)]];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, k));
  return [];
}

describe('redactRecord', () => {
  const records: [string, Record<string, unknown>, SourceName | undefined][] = [
    ['minimum-allowance data', allowanceRecord.data, 'minimum-allowance'],
    ['family-planning data', familyPlanningRecord.data, 'family-planning'],
    ['police data', policeRecord.data, 'police'],
    ['minimum-allowance raw row', allowanceRaw, 'minimum-allowance'],
    ['police raw row', policeRaw, 'police'],
  ];

  it('builds the test records the way production does', () => {
    expect(allowanceRecord.data).toMatchObject({ idNumber: ID_WOMAN, headIdNumber: ID_HEAD, phone: MOBILE, bankAccount: BANK_ACCOUNT, bank: BANK });
    expect(familyPlanningRecord.data).toMatchObject({ spouseIdNumber: ID_SPOUSE, phone: MOBILE_2 });
    expect(policeRecord.data).toMatchObject({ idNumberStatus: 'lost_digits', idNumberSurvivingDigits: '410105198503121' });
  });

  it.each(NON_PRIVILEGED.flatMap((role) => records.map(([name, data, source]) => [role, name, data, source] as const)))(
    '%s: no unmasked ID number or mobile in the %s',
    (role, _name, data, source) => {
      const out = redactRecord(role, data, source);
      for (const [key, raw] of strings(out)) {
        // Civil affairs sees the 19-digit account, whose digits would match the ID pattern.
        const text = FIELD_POLICY[role].bank === 'full' ? raw.replaceAll(BANK_ACCOUNT, '<account>') : raw;
        expect(text, `${key}: ${text}`).not.toMatch(ID_PATTERN);
        expect(text, `${key}: ${text}`).not.toMatch(MOBILE_PATTERN);
      }
      expect(JSON.stringify(out)).not.toContain(ID_WOMAN.slice(6, 14));
    },
  );

  it('removes bank fields entirely for every role but civil-affairs and auditor', () => {
    for (const role of ROLES) {
      const data = redactRecord(role, allowanceRecord.data, 'minimum-allowance');
      const raw = redactRecord(role, allowanceRaw, 'minimum-allowance');
      const sees = role === 'civil-affairs' || role === 'auditor';
      expect('bankAccount' in data, role).toBe(sees);
      expect('bank' in data, role).toBe(sees);
      expect('银行卡号' in raw, role).toBe(sees);
      expect('开户银行' in raw, role).toBe(sees);
      expect(JSON.stringify([data, raw]).includes(BANK_ACCOUNT), role).toBe(sees);
      if (sees) expect(data.bankAccount).toBe(BANK_ACCOUNT);
    }
  });

  it('removes welfare fields (amount, health) for police, family planning and admin', () => {
    for (const role of ['police', 'family-planning', 'admin'] as const) {
      const data = redactRecord(role, allowanceRecord.data, 'minimum-allowance');
      const raw = redactRecord(role, allowanceRaw, 'minimum-allowance');
      for (const key of ['monthlyAmount', 'health', 'workAbility', 'category', 'approvedOn']) expect(data).not.toHaveProperty(key);
      for (const key of ['月保障金额（元）', '健康状况', '劳动能力', '保障类别']) expect(raw).not.toHaveProperty(key);
    }
    expect(redactRecord('community', allowanceRecord.data, 'minimum-allowance')).toMatchObject({ monthlyAmount: 650, health: '患大病' });
  });

  it('masks for family planning: IDs 6+4, phones 3+4, the rest intact', () => {
    const data = redactRecord('family-planning', allowanceRecord.data, 'minimum-allowance');
    expect(data).toMatchObject({
      name: '王芳',
      headName: '王建国',
      idNumber: maskIdNumber(ID_WOMAN),
      idNumberText: maskIdNumber(ID_WOMAN),
      headIdNumber: maskIdNumber(ID_HEAD),
      idNumberStatus: 'valid',
      phone: '138****5678',
      phoneKind: 'mobile',
      community: '西湖社区',
      familyNumber: 'F0012',
    });
    expect(data.address).toEqual(allowanceRecord.data.address);
    const raw = redactRecord('family-planning', allowanceRaw, 'minimum-allowance');
    expect(raw).toMatchObject({
      户主身份证号: maskIdNumber(ID_HEAD),
      身份证号码: maskIdNumber(ID_WOMAN),
      配偶身份证号: maskIdNumber(ID_SPOUSE),
      '联系 电话': '138****5678/0371-****2100',
      紧急联系人手机: '159****2345',
      住址: HOME,
      年龄: '41',
    });
    expect(raw.备注).toBe(`户主身份证${maskIdNumber(ID_HEAD)}，其女手机 159****2345，卡号${'*'.repeat(19)}，2026-10-31 复核`);
  });

  it('masks the damaged number of a police record, surviving digits included', () => {
    const data = redactRecord('community', policeRecord.data, 'police');
    expect(data.idNumberSurvivingDigits).toBe('410105********1');
    expect(data.idNumberText).toBe('410105********1000');
    expect(redactRecord('community', policeRaw, 'police').GMSFHM).toBe(maskIdNumber(ID_WOMAN));
  });

  it('shows police ID numbers and phones in full', () => {
    const data = redactRecord('police', familyPlanningRecord.data, 'family-planning');
    expect(data).toEqual(familyPlanningRecord.data);
  });

  it('shows an auditor everything, unchanged', () => {
    for (const [, data, source] of records) expect(redactRecord('auditor', data, source)).toEqual(data);
  });

  it('copies: the input is not changed', () => {
    const before = structuredClone(allowanceRaw);
    const out = redactRecord('family-planning', allowanceRaw, 'minimum-allowance');
    expect(allowanceRaw).toEqual(before);
    expect(out).not.toBe(allowanceRaw);
    const full = redactRecord('auditor', allowanceRecord.data, 'minimum-allowance');
    expect(full.address).not.toBe(allowanceRecord.data.address);
  });

  it('masks numbers that are ID numbers or phones, and keeps other numbers', () => {
    expect(redactRecord('community', { 联系电话: 13812345678, note: 13812345678, age: 41, amount: 650.5, big: 1234567890 })).toEqual({
      联系电话: '138****5678',
      note: '138****5678',
      age: 41,
      amount: 650.5,
      big: 1234567890,
    });
  });

  it('masks conflicts and alerts by the field they name', () => {
    const other = record('family-planning', { caseNumber: 'C0302', name: '王芳', idNumber: ID_SPOUSE, birthDate: '1985-03-12' }, '14');
    const members = [familyPlanningRecord, other];
    const golden = buildGoldenRecord(members);
    const conflicts = detectConflicts(members, golden);
    const idConflict = conflicts.find((c) => c.field === 'idNumber');
    expect(idConflict).toBeDefined();
    const out = redactRecord('community', { conflicts }) as { conflicts: { field: string; values: { value: unknown; sourceRecordIds: string[] }[] }[] };
    const masked = out.conflicts.find((c) => c.field === 'idNumber');
    expect(masked?.values.map((v) => v.value).sort()).toEqual([maskIdNumber(ID_SPOUSE), maskIdNumber(ID_WOMAN)].sort());
    expect(masked?.values.map((v) => v.sourceRecordIds)).toEqual(idConflict?.values.map((v) => v.sourceRecordIds));

    const shared = { kind: 'shared_id_number', severity: 'high', idNumber: ID_WOMAN, residentKeys: ['7', '9'], message: `${ID_WOMAN} is held by 2 residents` };
    expect(redactRecord('admin', shared)).toEqual({ ...shared, idNumber: maskIdNumber(ID_WOMAN), message: `${maskIdNumber(ID_WOMAN)} is held by 2 residents` });
  });

  it('removes the amounts of an allowance alert for the police, keeps them for civil affairs', () => {
    const alerts = detectAlerts([policeRecord, allowanceRecord], buildGoldenRecord([policeRecord, allowanceRecord]));
    const alert = alerts.find((a) => a.kind === 'deceased_receiving_allowance');
    expect(alert).toBeDefined();
    const asPolice = redactRecord('police', { ...alert });
    expect(asPolice).not.toHaveProperty('monthlyAmount');
    expect(asPolice).not.toHaveProperty('approvedOn');
    expect(asPolice.kind).toBe('deceased_receiving_allowance');
    expect(redactRecord('civil-affairs', { ...alert })).toEqual(alert);
  });
});

describe('redactGolden', () => {
  const decisions: AuditorDecision[] = [
    { field: 'phone', value: MOBILE, sourceRecordId: '11', reason: `confirmed by phone with ${MOBILE}`, decidedAt: '2026-09-01' },
  ];
  const members = [policeRecord, familyPlanningRecord, allowanceRecord];
  const golden = buildGoldenRecord(members, decisions);
  // A stale decision on the ID number, as survivorship reports it when a source changed since.
  golden.staleDecisions.push({
    field: 'idNumber',
    decidedValue: ID_WOMAN,
    sourceRecordId: '12',
    currentValue: ID_SPOUSE,
    change: 'value_changed',
    decidedAt: '2026-09-01',
  });

  it('is a realistic record', () => {
    expect(golden.idNumber?.value).toBe(ID_WOMAN);
    expect(golden.phone?.value).toBe(MOBILE);
    expect(golden.allowance?.monthlyAmount?.value).toBe(650);
  });

  it.each(NON_PRIVILEGED)('%s: no unmasked ID number or mobile anywhere', (role) => {
    const text = JSON.stringify(redactGolden(role, golden));
    expect(text).not.toMatch(ID_PATTERN);
    expect(text).not.toMatch(MOBILE_PATTERN);
  });

  it('masks the value and keeps provenance', () => {
    const out = redactGolden('family-planning', golden);
    expect(out.idNumber).toEqual({ ...golden.idNumber, value: maskIdNumber(ID_WOMAN) });
    expect(out.phone).toEqual({ ...golden.phone, value: '138****5678', reason: 'confirmed by phone with 138****5678' });
    expect(out.name).toEqual(golden.name);
    expect(out.registeredAddress).toEqual(golden.registeredAddress);
    expect(out.staleDecisions?.at(-1)).toEqual({
      ...golden.staleDecisions.at(-1),
      decidedValue: maskIdNumber(ID_WOMAN),
      currentValue: maskIdNumber(ID_SPOUSE),
    });
  });

  it('leaves the allowance out (absent, not null) where welfare is removed', () => {
    for (const role of ROLES) {
      const out = redactGolden(role, golden);
      const sees = FIELD_POLICY[role].welfare === 'full';
      expect('allowance' in out, role).toBe(sees);
      if (sees) expect(out.allowance).toEqual(golden.allowance);
      expect(Object.keys(out).every((key) => (visibleGoldenFields(role) as string[]).includes(key)), role).toBe(true);
    }
  });

  it('shows police and auditors the ID number and phone in full', () => {
    expect(redactGolden('police', golden).idNumber?.value).toBe(ID_WOMAN);
    expect(redactGolden('police', golden).phone?.value).toBe(MOBILE);
    expect(redactGolden('auditor', golden)).toEqual(golden);
  });

  it('lists the visible golden fields per role', () => {
    expect(visibleGoldenFields('auditor')).toContain('allowance');
    expect(visibleGoldenFields('police')).not.toContain('allowance');
    expect(visibleGoldenFields('police')).toContain('idNumber');
  });
});
