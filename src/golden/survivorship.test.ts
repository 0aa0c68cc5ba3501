import { describe, expect, it } from 'vitest';
import { buildGoldenRecord } from './survivorship.js';
import { ADDRESS, ID_MAN, ID_OTHER_MAN, ID_WOMAN, allowance, familyPlanning, floating, id, police } from './test-helpers.js';
import type { AuditorDecision, GoldenField, GoldenInput, GoldenRecord } from './types.js';
import { goldenHash } from './version.js';

const JAN = '2026-01-31';
const MAR = '2026-03-31';
const JUN = '2026-06-30';
const OCT = '2026-10-31';

// A number Excel damaged (15 significant digits, then 000) that still passes the check, and
// the true number it came from (same first 15 digits).
const ID_TRUE = id('41010519900307412');
const ID_EXCEL_ZEROS = '410105199003074000';

type Getter = (g: GoldenRecord) => GoldenField<unknown> | null | undefined;
const get: Record<string, Getter> = {
  name: (g) => g.name,
  idNumber: (g) => g.idNumber,
  birthDate: (g) => g.birthDate,
  sex: (g) => g.sex,
  ethnicity: (g) => g.ethnicity,
  maritalStatus: (g) => g.maritalStatus,
  phone: (g) => g.phone,
  registeredAddress: (g) => g.registeredAddress,
  currentAddress: (g) => g.currentAddress,
  status: (g) => g.status,
  category: (g) => g.allowance?.category,
  monthlyAmount: (g) => g.allowance?.monthlyAmount,
  approvedOn: (g) => g.allowance?.approvedOn,
};

/** Addresses compare by their original text in the tables. */
function shown(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'original' in value) return (value as { original: string }).original;
  return value;
}

interface Case {
  field: keyof typeof get;
  members: GoldenInput[];
  /** Expected value, record id and rule; null when no value survives. */
  expected: { value: unknown; from: string; rule: string } | null;
}

const cases: [string, Case][] = [
  // --- name: police authority, then recent, then frequent
  [
    'police beats a more recent family-planning name',
    {
      field: 'name',
      members: [police({ name: '张伟', idNumber: ID_MAN }, { id: 'p', observedAt: JAN }), familyPlanning({ name: '张玮', idNumber: ID_MAN }, { id: 'fp', observedAt: OCT })],
      expected: { value: '张伟', from: 'p', rule: 'authority' },
    },
  ],
  [
    'without a police record the most recent name wins',
    {
      field: 'name',
      members: [floating({ name: '张伟' }, { id: 'fl', observedAt: MAR }), familyPlanning({ name: '张玮' }, { id: 'fp', observedAt: OCT })],
      expected: { value: '张玮', from: 'fp', rule: 'recent' },
    },
  ],
  [
    'equally recent: the most frequent name wins',
    {
      field: 'name',
      members: [
        familyPlanning({ name: '张玮' }, { id: 'fp', observedAt: JUN }),
        floating({ name: '张伟' }, { id: 'fl', observedAt: JUN }),
        allowance({ name: '张伟' }, { id: 'ma', observedAt: JUN }),
      ],
      expected: { value: '张伟', from: 'fl', rule: 'frequent' },
    },
  ],
  [
    'two police records disagreeing: the most recent one',
    {
      field: 'name',
      members: [police({ name: '张伟' }, { id: 'p-old', observedAt: JAN }), police({ name: '张卫' }, { id: 'p-new', observedAt: JUN })],
      expected: { value: '张卫', from: 'p-new', rule: 'recent' },
    },
  ],
  [
    'a police record no longer present ranks below a present one',
    {
      field: 'name',
      members: [police({ name: '张伟' }, { id: 'p', observedAt: OCT, present: false }), familyPlanning({ name: '张玮' }, { id: 'fp', observedAt: JAN })],
      expected: { value: '张玮', from: 'fp', rule: 'recent' },
    },
  ],
  [
    'traditional and simplified spellings are one value: police still the authority',
    {
      field: 'name',
      members: [police({ name: '張偉' }, { id: 'p', observedAt: JAN }), familyPlanning({ name: '张伟' }, { id: 'fp', observedAt: OCT })],
      expected: { value: '張偉', from: 'p', rule: 'authority' },
    },
  ],
  // --- ID number: damaged values never survive
  [
    'police ID number beats a more recent different one',
    {
      field: 'idNumber',
      members: [police({ name: '张伟', idNumber: ID_MAN }, { id: 'p', observedAt: JAN }), familyPlanning({ name: '张伟', idNumber: ID_OTHER_MAN }, { id: 'fp', observedAt: OCT })],
      expected: { value: ID_MAN, from: 'p', rule: 'authority' },
    },
  ],
  [
    'a police number with lost digits yields to a valid one',
    {
      field: 'idNumber',
      members: [police({ name: '张伟', idNumber: 4.10105199003071e17 }, { id: 'p', observedAt: OCT }), allowance({ name: '张伟', idNumber: ID_MAN }, { id: 'ma', observedAt: JAN })],
      expected: { value: ID_MAN, from: 'ma', rule: 'recent' },
    },
  ],
  [
    'lost digits, malformed and bad-date numbers: no ID number survives',
    {
      field: 'idNumber',
      members: [
        police({ name: '张伟', idNumber: '410105199003071000' }, { id: 'p' }),
        familyPlanning({ name: '张伟', idNumber: '41010519900' }, { id: 'fp' }),
        allowance({ name: '张伟', idNumber: id('41010519901307123') }, { id: 'ma' }),
      ],
      expected: null,
    },
  ],
  [
    'a number with a wrong check character yields to a valid one, even an older one',
    {
      field: 'idNumber',
      members: [police({ name: '张伟', idNumber: '410105199003071231' }, { id: 'p', observedAt: OCT }), floating({ name: '张伟', idNumber: ID_MAN }, { id: 'fl', observedAt: JAN })],
      expected: { value: ID_MAN, from: 'fl', rule: 'recent' },
    },
  ],
  [
    'a wrong check character is kept only when nothing better exists',
    {
      field: 'idNumber',
      members: [familyPlanning({ name: '张伟', idNumber: '410105199003071231' }, { id: 'fp' })],
      expected: { value: '410105199003071231', from: 'fp', rule: 'recent' },
    },
  ],
  [
    'a legacy 15-digit number survives upgraded',
    {
      field: 'idNumber',
      members: [police({ name: '张伟', idNumber: '410105900307123' }, { id: 'p' })],
      expected: { value: id('41010519900307123'), from: 'p', rule: 'authority' },
    },
  ],
  [
    'a "valid" number ending in 000 (Excel zeros) yields to the true number',
    {
      field: 'idNumber',
      members: [police({ name: '张伟', idNumber: ID_EXCEL_ZEROS }, { id: 'p', observedAt: OCT }), familyPlanning({ name: '张伟', idNumber: ID_TRUE }, { id: 'fp', observedAt: JAN })],
      expected: { value: ID_TRUE, from: 'fp', rule: 'recent' },
    },
  ],
  // --- birth date
  [
    'police birth date beats a more recent one',
    {
      field: 'birthDate',
      members: [police({ name: '张伟', birthDate: '19900307' }, { id: 'p', observedAt: JAN }), familyPlanning({ name: '张伟', birthDate: '1990-07-03' }, { id: 'fp', observedAt: OCT })],
      expected: { value: '1990-03-07', from: 'p', rule: 'authority' },
    },
  ],
  [
    "a birth date disagreeing with the record's valid ID number yields to the ID's",
    {
      field: 'birthDate',
      members: [police({ name: '张伟', idNumber: ID_MAN, birthDate: '19900703' }, { id: 'p' })],
      expected: { value: '1990-03-07', from: 'p', rule: 'authority' },
    },
  ],
  [
    'a damaged ID number does not correct the stated birth date',
    {
      field: 'birthDate',
      members: [police({ name: '张伟', idNumber: '410105199003071000', birthDate: '19900308' }, { id: 'p' })],
      expected: { value: '1990-03-08', from: 'p', rule: 'authority' },
    },
  ],
  [
    'minimum-allowance (no birth date column): the ID number gives it',
    {
      field: 'birthDate',
      members: [allowance({ name: '张伟', idNumber: ID_MAN, age: 36 }, { id: 'ma' })],
      expected: { value: '1990-03-07', from: 'ma', rule: 'recent' },
    },
  ],
  // --- sex, ethnicity
  [
    'police sex beats a more recent one',
    {
      field: 'sex',
      members: [police({ name: '张伟', sex: '男' }, { id: 'p', observedAt: JAN }), familyPlanning({ name: '张伟', sex: '女' }, { id: 'fp', observedAt: OCT })],
      expected: { value: '1', from: 'p', rule: 'authority' },
    },
  ],
  [
    "a sex disagreeing with the record's valid ID number yields to the ID's",
    {
      field: 'sex',
      members: [police({ name: '李娜', idNumber: ID_WOMAN, sex: '男' }, { id: 'p' })],
      expected: { value: '2', from: 'p', rule: 'authority' },
    },
  ],
  [
    '未知的性别 yields to a known sex from a lesser source',
    {
      field: 'sex',
      members: [police({ name: '李娜', sex: '0' }, { id: 'p', observedAt: OCT }), familyPlanning({ name: '李娜', sex: '2' }, { id: 'fp', observedAt: JAN })],
      expected: { value: '2', from: 'fp', rule: 'recent' },
    },
  ],
  [
    'police ethnicity beats a more recent one',
    {
      field: 'ethnicity',
      members: [police({ name: '张伟', ethnicity: '回族' }, { id: 'p', observedAt: JAN }), floating({ name: '张伟', ethnicity: '汉' }, { id: 'fl', observedAt: OCT })],
      expected: { value: '03', from: 'p', rule: 'authority' },
    },
  ],
  // --- marital status: family planning
  [
    "family planning's marital status beats a more recent police one",
    {
      field: 'maritalStatus',
      members: [police({ name: '李娜', maritalStatus: '未婚' }, { id: 'p', observedAt: OCT }), familyPlanning({ name: '李娜', maritalStatus: '20' }, { id: 'fp', observedAt: JAN })],
      expected: { value: '20', from: 'fp', rule: 'authority' },
    },
  ],
  [
    '婚姻状况 未说明 from family planning yields to a stated one',
    {
      field: 'maritalStatus',
      members: [police({ name: '李娜', maritalStatus: '20' }, { id: 'p', observedAt: JAN }), familyPlanning({ name: '李娜', maritalStatus: '90' }, { id: 'fp', observedAt: OCT })],
      expected: { value: '20', from: 'p', rule: 'recent' },
    },
  ],
  [
    'without family planning: the most recent marital status',
    {
      field: 'maritalStatus',
      members: [police({ name: '李娜', maritalStatus: '10' }, { id: 'p', observedAt: JAN }), floating({ name: '李娜', maritalStatus: '20' }, { id: 'fl', observedAt: OCT })],
      expected: { value: '20', from: 'fl', rule: 'recent' },
    },
  ],
  // --- phone: most recent, then most frequent
  [
    'the most recent phone',
    {
      field: 'phone',
      members: [familyPlanning({ name: '李娜', phone: '13900000001' }, { id: 'fp', observedAt: JAN }), allowance({ name: '李娜', phone: '13900000002' }, { id: 'ma', observedAt: OCT })],
      expected: { value: '13900000002', from: 'ma', rule: 'recent' },
    },
  ],
  [
    'equally recent phones: the one more sources hold',
    {
      field: 'phone',
      members: [
        familyPlanning({ name: '李娜', phone: '13900000001' }, { id: 'fp', observedAt: JUN }),
        floating({ name: '李娜', phone: '13900000002' }, { id: 'fl', observedAt: JUN }),
        allowance({ name: '李娜', phone: '13900000002' }, { id: 'ma', observedAt: MAR }),
      ],
      expected: { value: '13900000002', from: 'fl', rule: 'frequent' },
    },
  ],
  [
    'a tie in frequency falls to the canonical source order, not the members order',
    {
      field: 'phone',
      members: [floating({ name: '李娜', phone: '13900000002' }, { id: 'fl', observedAt: JUN }), familyPlanning({ name: '李娜', phone: '13900000001' }, { id: 'fp', observedAt: JUN })],
      expected: { value: '13900000001', from: 'fp', rule: 'frequent' },
    },
  ],
  // --- registered address
  [
    'the police 住址 is the registered address, over a more recent one',
    {
      field: 'registeredAddress',
      members: [police({ name: '李娜', address: ADDRESS.home }, { id: 'p', observedAt: JAN }), familyPlanning({ name: '李娜', registeredAddress: ADDRESS.newHome }, { id: 'fp', observedAt: OCT })],
      expected: { value: ADDRESS.home, from: 'p', rule: 'authority' },
    },
  ],
  [
    'registered elsewhere: the floating platform’s 户籍地详址',
    {
      field: 'registeredAddress',
      members: [floating({ name: '李娜', originAddress: ADDRESS.origin, currentAddress: ADDRESS.rented }, { id: 'fl' })],
      expected: { value: ADDRESS.origin, from: 'fl', rule: 'recent' },
    },
  ],
  // --- current address
  [
    'no police record: the floating current address beats a more recent family-planning one',
    {
      field: 'currentAddress',
      members: [floating({ name: '李娜', currentAddress: ADDRESS.rented }, { id: 'fl', observedAt: JAN }), familyPlanning({ name: '李娜', currentAddress: ADDRESS.newHome }, { id: 'fp', observedAt: OCT })],
      expected: { value: ADDRESS.rented, from: 'fl', rule: 'authority' },
    },
  ],
  [
    'the newer floating current address beats an older one',
    {
      field: 'currentAddress',
      members: [floating({ name: '李娜', currentAddress: ADDRESS.olderRented }, { id: 'fl-old', observedAt: JAN }), floating({ name: '李娜', currentAddress: ADDRESS.rented }, { id: 'fl-new', observedAt: JUN })],
      expected: { value: ADDRESS.rented, from: 'fl-new', rule: 'recent' },
    },
  ],
  [
    'police record moved out: the floating platform owns the current address',
    {
      field: 'currentAddress',
      members: [
        police({ name: '李娜', address: ADDRESS.home, personStatus: '迁出', statusDate: '20260115' }, { id: 'p', observedAt: OCT }),
        allowance({ name: '李娜', address: ADDRESS.newHome }, { id: 'ma', observedAt: OCT }),
        floating({ name: '李娜', currentAddress: ADDRESS.rented }, { id: 'fl', observedAt: MAR }),
      ],
      expected: { value: ADDRESS.rented, from: 'fl', rule: 'authority' },
    },
  ],
  [
    'registered here: the most recent current address, not the floating one',
    {
      field: 'currentAddress',
      members: [
        police({ name: '李娜', address: ADDRESS.home }, { id: 'p', observedAt: OCT }),
        floating({ name: '李娜', currentAddress: ADDRESS.rented }, { id: 'fl', observedAt: JAN }),
        familyPlanning({ name: '李娜', currentAddress: ADDRESS.newHome }, { id: 'fp', observedAt: JUN }),
      ],
      expected: { value: ADDRESS.newHome, from: 'fp', rule: 'recent' },
    },
  ],
  [
    'registered here and nothing else known: the 户籍 address stands in',
    {
      field: 'currentAddress',
      members: [police({ name: '李娜', address: ADDRESS.home }, { id: 'p' })],
      expected: { value: ADDRESS.home, from: 'p', rule: 'recent' },
    },
  ],
  [
    'a deregistered floating record’s address yields to an older family-planning one',
    {
      field: 'currentAddress',
      members: [
        floating({ name: '李娜', currentAddress: ADDRESS.rented, deregisteredOn: '2026-05-01' }, { id: 'fl', observedAt: OCT }),
        familyPlanning({ name: '李娜', currentAddress: ADDRESS.newHome }, { id: 'fp', observedAt: JAN }),
      ],
      expected: { value: ADDRESS.newHome, from: 'fp', rule: 'recent' },
    },
  ],
  // --- status
  [
    'police 死亡 is the status, over a more recent living record',
    {
      field: 'status',
      members: [
        police({ name: '张伟', personStatus: '死亡', statusDate: '20260915' }, { id: 'p', observedAt: '2026-09-30' }),
        allowance({ name: '张伟' }, { id: 'ma', observedAt: OCT }),
      ],
      expected: { value: 'deceased', from: 'p', rule: 'authority' },
    },
  ],
  [
    'police 正常 → alive',
    { field: 'status', members: [police({ name: '张伟', personStatus: '正常' }, { id: 'p' })], expected: { value: 'alive', from: 'p', rule: 'authority' } },
  ],
  [
    'police 迁出 → moved_out, even with a living floating record',
    {
      field: 'status',
      members: [police({ name: '张伟', personStatus: '迁出' }, { id: 'p', observedAt: JAN }), floating({ name: '张伟' }, { id: 'fl', observedAt: OCT })],
      expected: { value: 'moved_out', from: 'p', rule: 'authority' },
    },
  ],
  [
    'no police record: the floating platform’s 注销日期 → deregistered',
    {
      field: 'status',
      members: [floating({ name: '张伟', deregisteredOn: '2026-05-01' }, { id: 'fl', observedAt: MAR }), familyPlanning({ name: '张伟' }, { id: 'fp', observedAt: OCT })],
      expected: { value: 'deregistered', from: 'fl', rule: 'recent' },
    },
  ],
  [
    'only family planning: alive',
    { field: 'status', members: [familyPlanning({ name: '张伟' }, { id: 'fp' })], expected: { value: 'alive', from: 'fp', rule: 'recent' } },
  ],
  // --- allowance: civil affairs
  [
    'allowance category from the present minimum-allowance record',
    {
      field: 'category',
      members: [police({ name: '张伟' }, { id: 'p' }), allowance({ name: '张伟', category: '城市低保', monthlyAmount: 640, approvedOn: '2024-05-01' }, { id: 'ma' })],
      expected: { value: '城市低保', from: 'ma', rule: 'authority' },
    },
  ],
  [
    'allowance amount: the present record, not one no longer listed',
    {
      field: 'monthlyAmount',
      members: [
        allowance({ name: '张伟', category: '城市低保', monthlyAmount: '580' }, { id: 'ma-gone', observedAt: OCT, present: false }),
        allowance({ name: '张伟', category: '城市低保', monthlyAmount: '640' }, { id: 'ma', observedAt: JUN }),
      ],
      expected: { value: 640, from: 'ma', rule: 'authority' },
    },
  ],
  [
    'allowance approved on: the most recent record',
    {
      field: 'approvedOn',
      members: [allowance({ name: '张伟', approvedOn: '2024-05-01' }, { id: 'ma-old', observedAt: JAN }), allowance({ name: '张伟', approvedOn: '2026-02-01' }, { id: 'ma-new', observedAt: JUN })],
      expected: { value: '2026-02-01', from: 'ma-new', rule: 'recent' },
    },
  ],
];

describe('buildGoldenRecord: survivorship rules', () => {
  it.each(cases)('%s', (_label, { field, members, expected }) => {
    const golden = buildGoldenRecord(members);
    const chosen = get[field]?.(golden) ?? null;
    if (expected === null) {
      expect(chosen).toBeNull();
      return;
    }
    expect(chosen).not.toBeNull();
    expect({ value: shown(chosen?.value), from: chosen?.sourceRecordId, rule: chosen?.rule }).toEqual(expected);
    const member = members.find((m) => m.recordId === expected.from);
    expect(chosen?.source).toBe(member?.source);
  });

  it.each([
    ['members in the given order', (ms: GoldenInput[]) => ms],
    ['members reversed', (ms: GoldenInput[]) => [...ms].reverse()],
    ['members rotated', (ms: GoldenInput[]) => [...ms.slice(2), ...ms.slice(0, 2)]],
  ])('the result does not depend on the members order: %s', (_label, order) => {
    const members = [
      familyPlanning({ name: '张玮', phone: '13900000001' }, { id: 'fp', observedAt: JUN }),
      floating({ name: '张伟', phone: '13900000002' }, { id: 'fl', observedAt: JUN }),
      allowance({ name: '张伟', phone: '13900000003' }, { id: 'ma', observedAt: JUN }),
      familyPlanning({ name: '张卫', phone: '13900000004' }, { id: 'fp2', observedAt: JUN }),
    ];
    expect(goldenHash(buildGoldenRecord(order(members)))).toBe(goldenHash(buildGoldenRecord(members)));
  });
});

describe('buildGoldenRecord: record-level fields', () => {
  it.each([
    [
      'only present systems, in the canonical order',
      [allowance({ name: '张伟' }), police({ name: '张伟' }), floating({ name: '张伟' }, { present: false })],
      ['police', 'minimum-allowance'],
    ],
    ['all four', [floating({ name: '张伟' }), allowance({ name: '张伟' }), familyPlanning({ name: '张伟' }), police({ name: '张伟' })], ['police', 'family-planning', 'floating-population', 'minimum-allowance']],
    ['none present', [police({ name: '张伟' }, { present: false })], []],
  ])('sources: %s', (_label, members, expected) => {
    expect(buildGoldenRecord(members).sources).toEqual(expected);
  });

  it.each([
    ['no minimum-allowance record', [police({ name: '张伟' })], null],
    ['a minimum-allowance record no longer present', [police({ name: '张伟' }), allowance({ name: '张伟', category: '城市低保' }, { present: false })], null],
    [
      'a present minimum-allowance record',
      [police({ name: '张伟' }), allowance({ name: '张伟', category: '城市低保', monthlyAmount: 640, approvedOn: '2024-05-01' })],
      { category: '城市低保', monthlyAmount: 640, approvedOn: '2024-05-01' },
    ],
  ])('allowance: %s', (_label, members, expected) => {
    const golden = buildGoldenRecord(members);
    if (expected === null) expect(golden.allowance).toBeNull();
    else
      expect({
        category: golden.allowance?.category?.value,
        monthlyAmount: golden.allowance?.monthlyAmount?.value,
        approvedOn: golden.allowance?.approvedOn?.value,
      }).toEqual(expected);
  });

  it.each([
    [
      'united across records, each named once with its records',
      [
        police({ name: '张伟', formerName: '张小伟' }, { id: 'p1', observedAt: JUN }),
        police({ name: '张伟', formerName: '張小偉' }, { id: 'p2', observedAt: JAN }),
        police({ name: '张伟', formerName: '张大伟' }, { id: 'p3', observedAt: JAN, present: false }),
      ],
      [
        { value: '张小伟', sourceRecordIds: ['p1', 'p2'], sources: ['police'] },
        { value: '张大伟', sourceRecordIds: ['p3'], sources: ['police'] },
      ],
    ],
    ['the current name is not a former name', [police({ name: '张伟', formerName: '张伟' }, { id: 'p1' })], []],
    ['none', [police({ name: '张伟' })], []],
  ])('formerNames: %s', (_label, members, expected) => {
    expect(buildGoldenRecord(members).formerNames).toEqual(expected);
  });

  it('status carries the police 变动日期', () => {
    const golden = buildGoldenRecord([police({ name: '张伟', personStatus: '死亡', statusDate: '2026-09-15' }, { id: 'p' })]);
    expect(golden.status).toMatchObject({ value: 'deceased', date: '2026-09-15', sourceRecordId: 'p', source: 'police', rule: 'authority' });
  });

  it('an empty resident has no values', () => {
    const golden = buildGoldenRecord([]);
    expect(golden).toMatchObject({ name: null, idNumber: null, status: null, allowance: null, sources: [], formerNames: [], staleDecisions: [] });
  });
});

describe('buildGoldenRecord: auditor decisions', () => {
  const p = police({ name: '张伟', idNumber: ID_MAN, birthDate: '19900307' }, { id: 'p', observedAt: JAN });
  const fp = familyPlanning({ name: '张玮', idNumber: ID_MAN, birthDate: '1990-03-07', maritalStatus: '20' }, { id: 'fp', observedAt: JUN });
  const fpChanged = familyPlanning({ name: '张卫', idNumber: ID_MAN, birthDate: '1990-03-07' }, { id: 'fp', observedAt: OCT });
  const newerPolice = police({ name: '张伟', idNumber: ID_MAN }, { id: 'p2', observedAt: OCT });
  const pickFpName: AuditorDecision = { field: 'name', value: '张玮', sourceRecordId: 'fp', reason: '户口本 shows 张玮', decidedAt: '2026-07-01T09:00:00Z' };

  it.each<[string, GoldenInput[], AuditorDecision[], { value: unknown; sourceRecordId: string | null; rule: string }, number]>([
    ['overrides the rules (police would win)', [p, fp], [pickFpName], { value: '张玮', sourceRecordId: 'fp', rule: 'auditor' }, 0],
    ['survives re-computation with new records', [p, fp, newerPolice], [pickFpName], { value: '张玮', sourceRecordId: 'fp', rule: 'auditor' }, 0],
    ["keeps the auditor's value when the picked record's value changed", [p, fpChanged], [pickFpName], { value: '张玮', sourceRecordId: 'fp', rule: 'auditor' }, 1],
    ['keeps the value when the picked record left the resident', [p], [pickFpName], { value: '张玮', sourceRecordId: 'fp', rule: 'auditor' }, 1],
    [
      'a value typed by the auditor, from no record',
      [p, fp],
      [{ field: 'name', value: '张维', reason: 'checked in person', decidedAt: '2026-07-01' }],
      { value: '张维', sourceRecordId: null, rule: 'auditor' },
      0,
    ],
    [
      'the latest decision for a field wins',
      [p, fp],
      [{ field: 'name', value: '张伟', sourceRecordId: 'p', reason: 'police', decidedAt: '2026-08-01' }, pickFpName],
      { value: '张伟', sourceRecordId: 'p', rule: 'auditor' },
      0,
    ],
  ])('name decision %s', (_label, members, decisions, expected, staleCount) => {
    const golden = buildGoldenRecord(members, decisions);
    expect(golden.name).toMatchObject(expected);
    expect(golden.staleDecisions).toHaveLength(staleCount);
  });

  it.each([
    ['value_changed', [p, fpChanged], { currentValue: '张卫', change: 'value_changed' }],
    ['record_missing', [p], { currentValue: undefined, change: 'record_missing' }],
  ])('a stale decision is reported: %s', (_label, members, expected) => {
    const [stale] = buildGoldenRecord(members, [pickFpName]).staleDecisions;
    expect(stale).toEqual({ field: 'name', decidedValue: '张玮', sourceRecordId: 'fp', decidedAt: pickFpName.decidedAt, ...expected });
  });

  it('the decision records its reason and date, and its source', () => {
    const golden = buildGoldenRecord([p, fp], [pickFpName]);
    expect(golden.name).toEqual({ value: '张玮', sourceRecordId: 'fp', source: 'family-planning', rule: 'auditor', reason: pickFpName.reason, decidedAt: pickFpName.decidedAt });
  });

  it.each<[string, AuditorDecision, (g: GoldenRecord) => unknown, unknown]>([
    ['birth date', { field: 'birthDate', value: '1990-03-08', reason: '出生证明', decidedAt: '2026-07-01' }, (g) => g.birthDate?.value, '1990-03-08'],
    ['status', { field: 'status', value: 'alive', sourceRecordId: 'fp', reason: 'seen alive', decidedAt: '2026-07-01' }, (g) => [g.status?.value, g.status?.rule], ['alive', 'auditor']],
    ['marital status', { field: 'maritalStatus', value: '40', reason: '离婚证', decidedAt: '2026-07-01' }, (g) => g.maritalStatus?.value, '40'],
  ])('a decision on %s overrides its field only', (_label, decision, read, expected) => {
    const golden = buildGoldenRecord([p, fp], [decision]);
    expect(read(golden)).toEqual(expected);
    expect(golden.name?.rule).toBe('authority');
  });

  it('a decision on the allowance applies while the allowance is present', () => {
    const ma = allowance({ name: '张伟', category: '城市低保', monthlyAmount: 640 }, { id: 'ma' });
    const decision: AuditorDecision = { field: 'allowance.monthlyAmount', value: 700, reason: '调标', decidedAt: '2026-07-01' };
    expect(buildGoldenRecord([p, ma], [decision]).allowance?.monthlyAmount).toMatchObject({ value: 700, rule: 'auditor' });
    expect(buildGoldenRecord([p], [decision]).allowance).toBeNull();
  });

  it('a decision agreeing with the record’s ID-corrected reading is not stale', () => {
    const wrongDate = familyPlanning({ name: '张伟', idNumber: ID_MAN, birthDate: '1990-07-03' }, { id: 'fp' });
    const golden = buildGoldenRecord([wrongDate], [{ field: 'birthDate', value: '1990-03-07', sourceRecordId: 'fp', reason: 'ID', decidedAt: '2026-07-01' }]);
    expect(golden.staleDecisions).toEqual([]);
  });
});
