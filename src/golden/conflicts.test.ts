import { describe, expect, it } from 'vitest';
import { detectAlerts, detectConflicts, detectSharedIdNumbers, type Conflict } from './conflicts.js';
import { buildGoldenRecord } from './survivorship.js';
import { ID_MAN, ID_OTHER_MAN, ID_WOMAN, allowance, familyPlanning, floating, id, police } from './test-helpers.js';
import type { AuditorDecision, GoldenInput } from './types.js';

const conflictsOf = (members: GoldenInput[], decisions: AuditorDecision[] = []): Conflict[] =>
  detectConflicts(members, buildGoldenRecord(members, decisions));

describe('detectConflicts', () => {
  it.each<[string, GoldenInput[], Pick<Conflict, 'kind' | 'field' | 'severity'> & { values: unknown[] }]>([
    [
      'names with different characters and readings',
      [police({ name: '张伟' }, { id: 'p' }), familyPlanning({ name: '李娜' }, { id: 'fp' })],
      { kind: 'name_conflict', field: 'name', severity: 'high', values: ['张伟', '李娜'] },
    ],
    [
      'a homophone spelling is the softer name_variant',
      [police({ name: '张伟' }, { id: 'p' }), familyPlanning({ name: '张玮' }, { id: 'fp' })],
      { kind: 'name_variant', field: 'name', severity: 'low', values: ['张伟', '张玮'] },
    ],
    [
      'birth dates, police involved',
      [police({ name: '张伟', idNumber: ID_MAN, birthDate: '19900307' }, { id: 'p' }), familyPlanning({ name: '张伟', birthDate: '1990-07-03' }, { id: 'fp' })],
      { kind: 'birth_date_conflict', field: 'birthDate', severity: 'high', values: ['1990-03-07', '1990-07-03'] },
    ],
    [
      'birth dates without the police: medium',
      [familyPlanning({ name: '张伟', birthDate: '1990-03-07' }, { id: 'fp' }), floating({ name: '张伟', birthDate: '1990-03-08' }, { id: 'fl' })],
      { kind: 'birth_date_conflict', field: 'birthDate', severity: 'medium', values: ['1990-03-07', '1990-03-08'] },
    ],
    [
      'sex',
      [police({ name: '李娜', sex: '女' }, { id: 'p' }), floating({ name: '李娜', sex: '男' }, { id: 'fl' })],
      { kind: 'sex_conflict', field: 'sex', severity: 'high', values: ['2', '1'] },
    ],
    [
      'two valid ID numbers',
      [police({ name: '张伟', idNumber: ID_MAN }, { id: 'p' }), allowance({ name: '张伟', idNumber: ID_OTHER_MAN }, { id: 'ma' })],
      { kind: 'id_number_conflict', field: 'idNumber', severity: 'high', values: [ID_MAN, ID_OTHER_MAN] },
    ],
  ])('%s', (_label, members, expected) => {
    const conflicts = conflictsOf(members);
    const found = conflicts.find((c) => c.kind === expected.kind);
    expect(found).toBeDefined();
    expect({ kind: found?.kind, field: found?.field, severity: found?.severity, values: found?.values.map((v) => v.value) }).toEqual(expected);
    expect(found?.resolved).toBe(false);
  });

  it.each<[string, GoldenInput[]]>([
    ['same name', [police({ name: '张伟' }), familyPlanning({ name: '张伟' })]],
    ['traditional and simplified spellings', [police({ name: '張偉' }), familyPlanning({ name: '张伟' })]],
    ['a name that is the other record’s 曾用名', [police({ name: '张伟', formerName: '张小伟' }), familyPlanning({ name: '张小伟' })]],
    ['a birth date contradicting its own valid ID number', [police({ name: '张伟', idNumber: ID_MAN, birthDate: '19900307' }), familyPlanning({ name: '张伟', idNumber: ID_MAN, birthDate: '1990-07-03' })]],
    ['an unknown sex', [police({ name: '李娜', sex: '女' }), familyPlanning({ name: '李娜', sex: '0' })]],
    ['a sex contradicting its own valid ID number', [police({ name: '李娜', idNumber: ID_WOMAN }), familyPlanning({ name: '李娜', idNumber: ID_WOMAN, sex: '男' })]],
    ['an ID number with lost digits', [police({ name: '张伟', idNumber: ID_MAN }), allowance({ name: '张伟', idNumber: 4.10105199003071e17 })]],
    ['an ID number with a wrong check character', [police({ name: '张伟', idNumber: ID_MAN }), allowance({ name: '张伟', idNumber: '410105199003071231' })]],
    ['a valid-looking number with Excel zeros', [police({ name: '张伟', idNumber: id('41010519900307412') }), allowance({ name: '张伟', idNumber: '410105199003074000' })]],
    ['a disagreeing record no longer present', [police({ name: '张伟', birthDate: '19900307' }), familyPlanning({ name: '李娜', birthDate: '1990-07-03' }, { present: false })]],
    ['a single record', [police({ name: '张伟', idNumber: ID_MAN, sex: '男', birthDate: '19900307' })]],
  ])('no conflict: %s', (_label, members) => {
    expect(conflictsOf(members)).toEqual([]);
  });

  it('each value names its records and systems, the golden value first', () => {
    const members = [
      familyPlanning({ name: '张伟', birthDate: '1990-07-03' }, { id: 'fp' }),
      police({ name: '张伟', birthDate: '19900307' }, { id: 'p' }),
      floating({ name: '张伟', birthDate: '1990-03-07' }, { id: 'fl' }),
    ];
    expect(conflictsOf(members)).toEqual([
      {
        kind: 'birth_date_conflict',
        field: 'birthDate',
        severity: 'high',
        resolved: false,
        values: [
          { value: '1990-03-07', sourceRecordIds: ['fl', 'p'], sources: ['police', 'floating-population'] },
          { value: '1990-07-03', sourceRecordIds: ['fp'], sources: ['family-planning'] },
        ],
      },
    ]);
  });

  it('a field an auditor settled is reported as resolved', () => {
    const members = [police({ name: '张伟' }, { id: 'p' }), familyPlanning({ name: '李娜' }, { id: 'fp' })];
    const [conflict] = conflictsOf(members, [{ field: 'name', value: '张伟', sourceRecordId: 'p', reason: 'checked', decidedAt: '2026-07-01' }]);
    expect(conflict).toMatchObject({ kind: 'name_conflict', resolved: true });
  });

  it('several conflicts at once', () => {
    const members = [police({ name: '张伟', idNumber: ID_MAN, sex: '男' }), familyPlanning({ name: '王芳', idNumber: ID_WOMAN, sex: '女' })];
    expect(conflictsOf(members).map((c) => c.kind)).toEqual(['name_conflict', 'id_number_conflict', 'birth_date_conflict', 'sex_conflict']);
  });
});

describe('detectAlerts', () => {
  const ma = (options: { observedAt?: string; present?: boolean } = {}): GoldenInput =>
    allowance({ name: '张伟', idNumber: ID_MAN, category: '城市低保', monthlyAmount: 640, approvedOn: '2024-05-01' }, { id: 'ma', observedAt: '2026-10-31', ...options });

  it.each<[string, GoldenInput[], Record<string, unknown>]>([
    [
      'deceased but still a current allowance member',
      [police({ name: '张伟', personStatus: '死亡', statusDate: '20260915' }, { id: 'p', observedAt: '2026-09-30' }), ma()],
      { kind: 'deceased_receiving_allowance', severity: 'high', statusDate: '2026-09-15', statusRecordId: 'p', approvedOn: '2024-05-01', allowanceRecordIds: ['ma'], monthlyAmount: 640 },
    ],
    [
      'moved out but still a current allowance member',
      [police({ name: '张伟', personStatus: '迁出', statusDate: '20260301' }, { id: 'p', observedAt: '2026-09-30' }), ma()],
      { kind: 'moved_out_receiving_allowance', severity: 'medium', statusDate: '2026-03-01', statusRecordId: 'p', approvedOn: '2024-05-01', allowanceRecordIds: ['ma'] },
    ],
    [
      'deceased without a status date',
      [police({ name: '张伟', personStatus: '死亡' }, { id: 'p' }), ma()],
      { kind: 'deceased_receiving_allowance', statusDate: null, approvedOn: '2024-05-01' },
    ],
  ])('%s', (_label, members, expected) => {
    const alerts = detectAlerts(members, buildGoldenRecord(members));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject(expected);
    expect(alerts[0]?.message).toMatch(/still listed/);
  });

  it.each<[string, GoldenInput[], AuditorDecision[]]>([
    ['alive', [police({ name: '张伟', personStatus: '正常' }), ma()], []],
    ['deceased, no allowance record', [police({ name: '张伟', personStatus: '死亡', statusDate: '20260915' })], []],
    ['deceased, allowance record no longer present', [police({ name: '张伟', personStatus: '死亡', statusDate: '20260915' }), ma({ present: false })], []],
    ['deceased after the last allowance export', [police({ name: '张伟', personStatus: '死亡', statusDate: '20261105' }), ma()], []],
    ['deregistered floating resident', [floating({ name: '张伟', deregisteredOn: '2026-05-01' }), ma()], []],
    [
      'an auditor found the person alive',
      [police({ name: '张伟', personStatus: '死亡', statusDate: '20260915' }), ma()],
      [{ field: 'status', value: 'alive', reason: 'seen in person', decidedAt: '2026-11-01' }],
    ],
  ])('no alert: %s', (_label, members, decisions) => {
    expect(detectAlerts(members, buildGoldenRecord(members, decisions))).toEqual([]);
  });
});

describe('detectSharedIdNumbers', () => {
  it.each<[string, { residentKey: string; idNumbers: string[] }[], { idNumber: string; residentKeys: string[] }[]]>([
    ['one valid number in two residents', [{ residentKey: 'r1', idNumbers: [ID_MAN] }, { residentKey: 'r2', idNumbers: [ID_MAN, ID_WOMAN] }], [{ idNumber: ID_MAN, residentKeys: ['r1', 'r2'] }]],
    [
      'several numbers, each shared, sorted',
      [
        { residentKey: 'r3', idNumbers: [ID_WOMAN] },
        { residentKey: 'r1', idNumbers: [ID_MAN, ID_WOMAN] },
        { residentKey: 'r2', idNumbers: [ID_MAN] },
      ],
      [
        { idNumber: ID_MAN, residentKeys: ['r1', 'r2'] },
        { idNumber: ID_WOMAN, residentKeys: ['r1', 'r3'] },
      ].sort((a, b) => (a.idNumber < b.idNumber ? -1 : 1)),
    ],
    ['the same number twice in one resident', [{ residentKey: 'r1', idNumbers: [ID_MAN, ID_MAN] }, { residentKey: 'r2', idNumbers: [ID_OTHER_MAN] }], []],
    ['an invalid number shared', [{ residentKey: 'r1', idNumbers: ['410105199003071231'] }, { residentKey: 'r2', idNumbers: ['410105199003071231'] }], []],
    ['nothing', [], []],
  ])('%s', (_label, clusters, expected) => {
    const alerts = detectSharedIdNumbers(clusters);
    expect(alerts.map((a) => ({ idNumber: a.kind === 'shared_id_number' ? a.idNumber : '', residentKeys: a.kind === 'shared_id_number' ? a.residentKeys : [] }))).toEqual(expected);
    for (const alert of alerts) expect(alert).toMatchObject({ kind: 'shared_id_number', severity: 'high' });
  });
});
