import { describe, expect, it } from 'vitest';
import { ID_MAN, ID_WOMAN, allowance, familyPlanning, id, police } from '../golden/test-helpers.js';
import { checkFieldValue, issueField, planResolution, valueOfRecord, type IssueToResolve, type ResolveRequest } from './resolution.js';

const birthConflict: IssueToResolve = { category: 'conflict', kind: 'birth_date_conflict', details: { kind: 'birth_date_conflict', field: 'birthDate', values: [] } };
const deceasedAlert: IssueToResolve = { category: 'alert', kind: 'deceased_receiving_allowance', details: { kind: 'deceased_receiving_allowance', statusRecordId: '1' } };
const sharedAlert: IssueToResolve = { category: 'alert', kind: 'shared_id_number', details: { kind: 'shared_id_number', idNumber: ID_MAN } };
const staleAlert: IssueToResolve = { category: 'alert', kind: 'stale_decision', details: { kind: 'stale_decision', field: 'birthDate', sourceRecordId: '7' } };

describe('issueField', () => {
  it.each<[string, IssueToResolve, string | null]>([
    ['a conflict names its field', birthConflict, 'birthDate'],
    ['a stale decision names its field', staleAlert, 'birthDate'],
    ['an allowance alert has none', deceasedAlert, null],
    ['a shared ID number has none', sharedAlert, null],
    ['an unknown field is none', { category: 'conflict', kind: 'x', details: { field: 'shoeSize' } }, null],
  ])('%s', (_, issue, expected) => {
    expect(issueField(issue)).toBe(expected);
  });
});

describe('planResolution', () => {
  it.each<[string, IssueToResolve, ResolveRequest, unknown]>([
    ['a conflict: pick a record', birthConflict, { sourceRecordId: '12', reason: ' checked the register ' }, { via: 'record', field: 'birthDate', sourceRecordId: '12', reason: 'checked the register' }],
    ['a conflict: enter a value', birthConflict, { value: '1966-04-13', reason: 'birth certificate' }, { via: 'value', field: 'birthDate', value: '1966-04-13', reason: 'birth certificate' }],
    ['an alert: acknowledged', deceasedAlert, { reason: 'payments stopped in March' }, { via: 'acknowledged', field: null, reason: 'payments stopped in March' }],
    ['a stale decision: acknowledged keeps the value', staleAlert, { reason: 'still right' }, { via: 'acknowledged', field: 'birthDate', reason: 'still right' }],
    ['a stale decision: decided again', staleAlert, { sourceRecordId: '7', reason: 'the record was corrected' }, { via: 'record', field: 'birthDate', sourceRecordId: '7', reason: 'the record was corrected' }],
  ])('%s', (_, issue, request, expected) => {
    expect(planResolution(issue, request)).toEqual(expected);
  });

  it.each<[string, IssueToResolve, ResolveRequest, RegExp]>([
    ['a conflict needs a value', birthConflict, { reason: 'looked at it' }, /resolved with a value/],
    ['an alert takes no value', deceasedAlert, { value: 'x', reason: 'r' }, /acknowledged with a reason only/],
    ['a shared ID number takes no record', sharedAlert, { sourceRecordId: '3', reason: 'r' }, /acknowledged with a reason only/],
    ['not both', birthConflict, { sourceRecordId: '1', value: '1966-04-13', reason: 'r' }, /not both/],
    ['a blank reason', birthConflict, { sourceRecordId: '1', reason: '   ' }, /needs a reason/],
  ])('refuses %s', (_, issue, request, message) => {
    expect(() => planResolution(issue, request)).toThrow(message);
    try {
      planResolution(issue, request);
    } catch (err) {
      expect((err as { code: string }).code).toBe('RH_ERR_VALIDATION');
    }
  });
});

describe('checkFieldValue', () => {
  const legacy15 = '410105660413981'; // a 15-digit number of 1966-04-13
  it.each<[string, Parameters<typeof checkFieldValue>[0], string, string | null]>([
    ['a real date', 'birthDate', '1966-04-13', '1966-04-13'],
    ['full-width digits of a date', 'birthDate', '１９６６-０４-１３', '1966-04-13'],
    ['no 30 February', 'birthDate', '1966-02-30', null],
    ['a date in another form', 'birthDate', '19660413', null],
    ['a date before 1880', 'birthDate', '1066-04-13', null],
    ['a valid ID number', 'idNumber', ID_WOMAN, ID_WOMAN],
    ['a lower-case x is made upper-case', 'idNumber', id('41010519661231002').toLowerCase(), id('41010519661231002')],
    ['a wrong check character', 'idNumber', ID_MAN.slice(0, 17) + (ID_MAN.endsWith('1') ? '2' : '1'), null],
    ['a 15-digit number is upgraded', 'idNumber', legacy15, id('41010519660413981')],
    ['not a number', 'idNumber', 'unknown', null],
    ['a sex code', 'sex', '2', '2'],
    ['男 is code 1', 'sex', '男', '1'],
    ['no such code', 'sex', '3', null],
    ['a name, trimmed', 'name', ' 欧阳慧敏 ', '欧阳慧敏'],
    ['no name', 'name', '  ', null],
    ['a field not entered here', 'ethnicity', '01', null],
  ])('%s', (_, field, input, expected) => {
    const result = checkFieldValue(field, input);
    if (expected === null) expect(result.ok).toBe(false);
    else expect(result).toEqual({ ok: true, value: expected });
  });
});

describe('valueOfRecord', () => {
  it('reads the value survivorship reads: the ID number’s birth date over a stated one that disagrees', () => {
    const p = police({ name: '张伟', idNumber: ID_MAN, birthDate: '1990-03-08' }, { id: 'p' });
    expect(valueOfRecord('birthDate', p)).toBe('1990-03-07');
    expect(valueOfRecord('name', p)).toBe('张伟');
    expect(valueOfRecord('idNumber', p)).toBe(ID_MAN);
  });

  it('reads a stated birth date when the record has no valid ID number', () => {
    const fp = familyPlanning({ name: '张伟', birthDate: '1990-03-09' }, { id: 'fp' });
    expect(valueOfRecord('birthDate', fp)).toBe('1990-03-09');
    expect(valueOfRecord('idNumber', fp)).toBeUndefined();
  });

  it('gives the status itself, not the rule’s reading', () => {
    const p = police({ name: '张伟', personStatus: '死亡', statusDate: '20260915' }, { id: 'p' });
    expect(valueOfRecord('status', p)).toBe('deceased');
  });

  it('gives nothing for a field the record does not hold', () => {
    expect(valueOfRecord('phone', allowance({ name: '张伟' }, { id: 'ma' }))).toBeUndefined();
  });
});
