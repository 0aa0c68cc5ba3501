import { describe, it, expect } from 'vitest';
import { ageOn, isValidIsoDate, parseDate } from './date.js';

describe('parseDate', () => {
  it.each<[string, unknown, string]>([
    ['YYYYMMDD text', '19850312', '1985-03-12'],
    ['ISO', '1985-03-12', '1985-03-12'],
    ['slashes, no padding', '1985/3/12', '1985-03-12'],
    ['slashes, padded', '1985/03/12', '1985-03-12'],
    ['Chinese', '1985年3月12日', '1985-03-12'],
    ['Chinese with 号', '1985年3月12号', '1985-03-12'],
    ['Chinese without 日', '1985年03月12', '1985-03-12'],
    ['Chinese with spaces', '1985 年 3 月 12 日', '1985-03-12'],
    ['dots', '1985.03.12', '1985-03-12'],
    ['dots, no padding', '1985.3.2', '1985-03-02'],
    ['dashes, no padding, time', '1985-3-12 00:00:00', '1985-03-12'],
    ['slashes with short time', '1985/3/12 0:00', '1985-03-12'],
    ['ISO date-time', '1985-03-12T08:30:00', '1985-03-12'],
    ['ISO date-time with fraction', '1985-03-12 08:30:00.000', '1985-03-12'],
    ['Chinese with time', '1985年3月12日 08:30', '1985-03-12'],
    ['full-width digits', '１９８５－０３－１２', '1985-03-12'],
    ['full-width compact', '１９８５０３１２', '1985-03-12'],
    ['full-width slash', '１９８５／３／１２', '1985-03-12'],
    ['surrounding spaces', '  1985-03-12  ', '1985-03-12'],
    ['leap day', '2000-02-29', '2000-02-29'],
    ['Date cell (UTC midnight)', new Date(Date.UTC(1985, 2, 12)), '1985-03-12'],
    ['Date cell with a time: UTC day', new Date(Date.UTC(1985, 2, 12, 23, 59)), '1985-03-12'],
    ['Excel serial number', 31118, '1985-03-12'],
    ['Excel serial with time fraction', 31118.75, '1985-03-12'],
    ['Excel serial 1', 1, '1900-01-01'],
    ['Excel serial 59', 59, '1900-02-28'],
    ['Excel serial 61 (after the fake 29 Feb)', 61, '1900-03-01'],
    ['Excel serial of 2000-01-01', 36526, '2000-01-01'],
    ['Excel serial maximum', 2958465, '9999-12-31'],
    ['5-digit serial as text', '31118', '1985-03-12'],
    ['8-digit number', 19850312, '1985-03-12'],
  ])('%s: %j → %s', (_label, input, iso) => {
    expect(parseDate(input as never)).toEqual({ ok: true, value: iso });
  });

  it.each<[string, unknown]>([
    ['30 February', '19850230'],
    ['month 13', '1985-13-01'],
    ['day 0', '1985-03-00'],
    ['29 Feb in a common year', '1985-02-29'],
    ['29 Feb 1900 (not a leap year)', '1900-02-29'],
    ['31 April', '1985年4月31日'],
    ['impossible 8-digit number', 19851301],
    ['Excel fake 1900-02-29', 60],
    ['serial 0', 0],
    ['negative serial', -5],
    ['serial too large', 2958466],
    ['9-digit number', 198503120],
    ['year and month only', '1985年3月'],
    ['year only', '1985'],
    ['two-digit year', '85-3-12'],
    ['day first', '12/03/1985'],
    ['mixed separators', '1985-03/12'],
    ['6-digit text', '850312'],
    ['4-digit text', '3111'],
    ['words', '不详的日期'],
    ['boolean', true],
    ['invalid Date', new Date(Number.NaN)],
  ])('%s: %j → error', (_label, input) => {
    const r = parseDate(input as never);
    expect(r.ok).toBe(false);
  });

  it('names the value in the reason', () => {
    expect(parseDate('19850230')).toEqual({ ok: false, reason: 'impossible date: "19850230"' });
    expect(parseDate(60)).toMatchObject({ ok: false, reason: expect.stringContaining('1900-02-29') });
    const r = parseDate('1985年3月');
    expect(r.ok === false && r.reason).toContain('1985年3月');
  });

  it.each([[null], [''], ['   '], ['\u3000'], ['无'], ['/'], ['-']])('%j → empty', (input) => {
    expect(parseDate(input)).toEqual({ ok: 'empty' });
  });
});

describe('isValidIsoDate', () => {
  it.each([
    ['1985-03-12', true],
    ['2000-02-29', true],
    ['1900-02-29', false],
    ['1985-02-29', false],
    ['1985-3-12', false],
    ['19850312', false],
    ['1985-03-12T00:00', false],
    ['', false],
  ])('%j → %s', (s, ok) => {
    expect(isValidIsoDate(s)).toBe(ok);
  });
});

describe('ageOn', () => {
  it.each([
    ['1985-03-12', '2026-03-11', 40],
    ['1985-03-12', '2026-03-12', 41],
    ['1985-03-12', '2026-12-31', 41],
    ['2000-02-29', '2001-02-28', 0],
    ['2000-02-29', '2001-03-01', 1],
    ['2000-02-29', '2004-02-29', 4],
    ['2026-10-31', '2026-10-31', 0],
    ['1930-01-01', '2026-10-31', 96],
  ])('born %s, on %s → %i', (birth, on, age) => {
    expect(ageOn(birth, on)).toBe(age);
  });

  it('rejects dates that are not ISO', () => {
    expect(() => ageOn('19850312', '2026-01-01')).toThrow(RangeError);
    expect(() => ageOn('1985-03-12', '2026-02-30')).toThrow(RangeError);
  });
});
