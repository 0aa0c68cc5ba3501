import { describe, expect, it } from 'vitest';
import { compareIdNumber } from './compare.js';
import { prepareRecord } from './prepare.js';
import { dataOf, makeId, rec } from './test-support.js';

describe('prepareRecord', () => {
  it('leaves an ordinary valid number alone', () => {
    const id = makeId('410105', '19850312', '123');
    const r = rec('police', { name: '张伟', idNumber: id });
    expect(r.idKind).toBe('usable');
    expect(r.idNumber).toBe(id);
  });

  it("18 digits ending in '000' that pass the check: only the first 15 digits are trusted", () => {
    // Find a real number whose Excel-damaged form (15 digits + '000') happens to be valid.
    let damaged: string | null = null;
    let real: string | null = null;
    for (let seq = 100; seq < 1000 && damaged === null; seq++) {
      const candidate = makeId('410105', '19850312', String(seq));
      const zeros = `${candidate.slice(0, 15)}000`;
      if (makeId(zeros.slice(0, 6), zeros.slice(6, 14), zeros.slice(14, 17)) === zeros && candidate !== zeros) {
        damaged = zeros;
        real = candidate;
      }
    }
    expect(damaged).not.toBeNull();
    const d = rec('floating-population', { registrationNumber: 'R1', name: '李晶', idNumber: damaged });
    expect(d.idKind).toBe('prefix');
    expect(d.idPrefix).toBe((damaged as string).slice(0, 15));
    const r = rec('family-planning', { caseNumber: 'C1', name: '李晶', idNumber: real });
    expect(compareIdNumber(d, r)).toBe('lost_digits_agree');
  });

  it('15 digits that are an 18-digit number with its tail lost, not a legacy number', () => {
    const id = makeId('410105', '20010519', '327');
    const cells = { caseNumber: 'C1', name: '王鹏', birthDate: '2001-05-19', idNumber: id.slice(0, 15) };
    // The normaliser alone reads these 15 digits as a legacy number (born 1920-01-05).
    const r = rec('family-planning', cells);
    expect(r.idKind).toBe('prefix');
    expect(r.idPrefix).toBe(id.slice(0, 15));
    expect(compareIdNumber(r, rec('police', { name: '王鹏', idNumber: id }))).toBe('lost_digits_agree');
  });

  it('… also when only an age says so', () => {
    const id = makeId('410105', '20010519', '327');
    const r = prepareRecord('minimum-allowance', dataOf('minimum-allowance', { familyNumber: 'F1', name: '王鹏', age: 25, idNumber: id.slice(0, 15) }));
    expect(r.idKind).toBe('prefix');
    expect(r.age).toBe(25);
    expect(r.birthDate).toBeNull();
  });

  it('a true legacy number stays one', () => {
    const cells = { name: '张伟', birthDate: '19850312', idNumber: '410105850312123' };
    const r = rec('police', cells);
    expect(r.idKind).toBe('usable');
    expect(r.idUpgraded).toBe(true);
  });
});
