/** Calendar dates in the shapes the four registries export, to ISO YYYY-MM-DD. */
import type { CellValue } from '../ingest/types.js';
import { cellText, isAsciiDigits, isoDateOfUtc, isPlaceholder, numberText, stripSpaces } from './text.js';
import type { ParseResult } from './types.js';

const MAX_EXCEL_SERIAL = 2958465; // 9999-12-31
const DAY_MS = 86_400_000;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function isRealDate(y: number, m: number, d: number): boolean {
  return y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** True for a real calendar date written exactly as YYYY-MM-DD. */
export function isValidIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m !== null && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * Excel 1900 date system: serial 1 is 1900-01-01 and serial 60 is Excel's fictitious
 * 1900-02-29 (kept for Lotus 1-2-3 compatibility), so serials from 61 on are one day ahead.
 */
function fromExcelSerial(serial: number, shown: string): ParseResult<string> {
  const whole = Math.floor(serial); // a fraction is the time of day
  if (whole < 1 || whole > MAX_EXCEL_SERIAL) return { ok: false, reason: `not a date: ${shown}` };
  if (whole === 60) return { ok: false, reason: `not a date: ${shown} is Excel's non-existent 1900-02-29` };
  const epoch = whole < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  return { ok: true, value: isoDateOfUtc(new Date(epoch + whole * DAY_MS)) };
}

function fromParts(y: number, m: number, d: number, shown: string): ParseResult<string> {
  if (!isRealDate(y, m, d)) return { ok: false, reason: `impossible date: "${shown}"` };
  return { ok: true, value: iso(y, m, d) };
}

// Optional time of day after the date: ' 00:00:00', 'T00:00', ' 0:00'.
const TIME = '(?:[T ]?\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)?';
const SEPARATED = new RegExp(`^(\\d{4})([-/.])(\\d{1,2})\\2(\\d{1,2})${TIME}$`);
const CHINESE = new RegExp(`^(\\d{4})年(\\d{1,2})月(\\d{1,2})[日号]?${TIME}$`);
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * One date to ISO: '19850312', '1985-03-12', '1985/3/12', '1985年3月12日', '1985.03.12',
 * '1985-3-12 00:00:00', full-width digits, Date cells (UTC calendar day), Excel serial
 * numbers (1..2958465, and 5-digit numeric text), 8-digit numbers read as YYYYMMDD.
 */
export function parseDate(value: CellValue): ParseResult<string> {
  if (value === null || value === undefined) return { ok: 'empty' };
  if (value instanceof Date) {
    const s = isoDateOfUtc(value);
    return s === '' ? { ok: false, reason: 'not a date: invalid Date value' } : { ok: true, value: s };
  }
  if (typeof value === 'boolean') return { ok: false, reason: `not a date: ${cellText(value)}` };
  if (typeof value === 'number') {
    const shown = numberText(value);
    if (Number.isInteger(value) && value >= 10_000_000 && value <= 99_999_999) {
      return fromParts(Math.floor(value / 10_000), Math.floor(value / 100) % 100, value % 100, shown);
    }
    return fromExcelSerial(value, shown);
  }

  const text = cellText(value);
  if (isPlaceholder(text)) return { ok: 'empty' };
  // The usual cells, '1985-03-12' and '19850312': what the rules below give, without them.
  if (text.length === 10 && isIsoShape(text)) {
    const y = digitsAt(text, 0, 4);
    const m = digitsAt(text, 5, 2);
    const d = digitsAt(text, 8, 2);
    // iso(y, m, d) of a real date is the text itself.
    return isRealDate(y, m, d) ? { ok: true, value: text } : fromParts(y, m, d, text);
  }
  if (text.length === 8 && isAsciiDigits(text)) return fromParts(digitsAt(text, 0, 4), digitsAt(text, 4, 2), digitsAt(text, 6, 2), text);
  // Spaces inside are noise ('1985 年 3 月 12 日'), except the one before a time.
  const s = SPACE.test(text) ? text.replace(/\s+(?=\d{1,2}:)/, 'T').replace(/\s+/g, '') : text;
  let m = COMPACT.exec(s);
  if (m) return fromParts(Number(m[1]), Number(m[2]), Number(m[3]), text);
  m = SEPARATED.exec(s);
  if (m) return fromParts(Number(m[1]), Number(m[3]), Number(m[4]), text);
  m = CHINESE.exec(s);
  if (m) return fromParts(Number(m[1]), Number(m[2]), Number(m[3]), text);
  // Only 5-digit numeric text is plainly a serial (1927-10-19 .. 2173-10-14); shorter
  // numbers are more likely years or typos.
  if (/^\d{5}$/.test(s)) return fromExcelSerial(Number(s), `"${text}"`);
  return { ok: false, reason: `not a date: "${stripSpaces(text)}"` };
}

const SPACE = /\s/;

/** True for ASCII text shaped DDDD-DD-DD. */
function isIsoShape(text: string): boolean {
  for (let i = 0; i < 10; i++) {
    const code = text.charCodeAt(i);
    if (i === 4 || i === 7 ? code !== 45 : code < 48 || code > 57) return false;
  }
  return true;
}

/** The number written by `length` ASCII digits at `start`. */
function digitsAt(text: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

/** Whole years from birthIso to onIso; someone born on 29 February turns a year older on 1 March. */
export function ageOn(birthIso: string, onIso: string): number {
  if (!isValidIsoDate(birthIso)) throw new RangeError(`ageOn: not an ISO date: "${birthIso}"`);
  if (!isValidIsoDate(onIso)) throw new RangeError(`ageOn: not an ISO date: "${onIso}"`);
  const by = Number(birthIso.slice(0, 4));
  const oy = Number(onIso.slice(0, 4));
  // 'MM-DD' strings compare in calendar order.
  return oy - by - (onIso.slice(5) < birthIso.slice(5) ? 1 : 0);
}
