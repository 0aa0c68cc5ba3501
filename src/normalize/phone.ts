/** Chinese phone numbers: 11-digit mobiles and area-coded landlines. */
import type { CellValue } from '../ingest/types.js';
import { cellText, isPlaceholder, numberText } from './text.js';
import type { ParseResult, PhoneResult } from './types.js';

const MOBILE = /^1[3-9]\d{9}$/;
// Area codes: 010 and 02x have three digits, every other one four (03xx–09xx).
const AREA = '010|02\\d|0[3-9]\\d\\d';
const LOCAL = /^[2-9]\d{6,7}$/;
const EXPLICIT = new RegExp(`^\\(?(${AREA})\\)?-?([2-9]\\d{2,3}-?\\d{4})(?:-(\\d{1,6}))?$`);
const UNSEPARATED = new RegExp(`^(${AREA})(\\d{7,8})$`);
const SEPARATORS = /[/,;、|]|或/;
const EXTENSION = /(?:转|分机|ext\.?|x)(\d{1,6})$/i;

function parseOne(raw: string, fromNumber: boolean): PhoneResult | undefined {
  let s = raw.replace(/\s+/g, '');
  let extension: string | undefined;
  const ext = EXTENSION.exec(s);
  if (ext) {
    extension = ext[1];
    s = s.slice(0, ext.index);
  }
  // Country code: +86, 0086, (+86), +86-; a bare 86 only when a mobile follows.
  let international = false;
  const cc = /^(?:\(\+?86\)|\+86|0086)-?/.exec(s);
  if (cc) {
    s = s.slice(cc[0].length);
    international = true;
  } else if (/^86-?1[3-9]\d{9}$/.test(s.replace(/[-.]/g, ''))) {
    s = s.replace(/^86-?/, '');
  }
  // From abroad a landline is dialled without the trunk 0: +86 371 65432100.
  if (international && !s.startsWith('0') && !s.startsWith('(0') && !MOBILE.test(s.replace(/[-.]/g, ''))) s = `0${s}`;

  // Written with an explicit area code ('037-…', '(0371)…'): trust the split the writer made.
  const separated = /^\(?0\d+[).-]/.test(s);
  const explicit = separated ? EXPLICIT.exec(s.replace(/\./g, '-')) : null;
  if (explicit) {
    const local = (explicit[2] ?? '').replace(/-/g, '');
    if (LOCAL.test(local)) {
      const r: PhoneResult = { value: `${explicit[1] ?? ''}-${local}`, kind: 'landline' };
      const e = explicit[3] ?? extension;
      if (e !== undefined) r.extension = e;
      return r;
    }
  }

  const digits = s.replace(/[-.]/g, '');
  if (!/^\d+$/.test(digits)) return undefined;
  if (MOBILE.test(digits)) return { value: digits, kind: 'mobile' };
  // 0 + mobile: the long-distance prefix some people still write before a mobile.
  if (digits.length === 12 && digits.startsWith('0') && MOBILE.test(digits.slice(1))) return { value: digits.slice(1), kind: 'mobile' };
  if (separated) return undefined;
  if (digits.startsWith('0')) return landline(digits, extension);
  if (LOCAL.test(digits)) {
    const r: PhoneResult = { value: digits, kind: 'landline' };
    if (extension !== undefined) r.extension = extension;
    return r;
  }
  // A numeric Excel cell drops the leading 0 of 037165432100.
  if (fromNumber) return landline(`0${digits}`, extension);
  return undefined;
}

/** Area code + local number written without a separator ('037165432100'). */
function landline(d: string, extension: string | undefined): PhoneResult | undefined {
  const m = UNSEPARATED.exec(d);
  if (!m || !LOCAL.test(m[2] ?? '')) return undefined;
  const r: PhoneResult = { value: `${m[1] ?? ''}-${m[2] ?? ''}`, kind: 'landline' };
  if (extension !== undefined) r.extension = extension;
  return r;
}

/**
 * One phone cell: mobiles with or without +86/86/0086, spaces, dashes, full-width digits, Excel
 * numbers; landlines '0371-65432100', '(0371)65432100', '037165432100' → '0371-65432100'; a bare
 * 7–8 digit local number as is. Several numbers in a cell ('138…/0371-…') give alternates.
 */
export function normalizePhone(value: CellValue): ParseResult<PhoneResult> {
  if (value === null || value === undefined) return { ok: 'empty' };
  if (typeof value === 'boolean' || value instanceof Date) return { ok: false, reason: `not a phone number: ${cellText(value)}` };
  if (typeof value === 'number') {
    const text = numberText(value);
    const r = Number.isInteger(value) && value > 0 ? parseOne(text, true) : undefined;
    return r ? { ok: true, value: r } : { ok: false, reason: `not a phone number: ${text}` };
  }
  const text = cellText(value);
  if (isPlaceholder(text)) return { ok: 'empty' };
  // The usual cell, a bare mobile number: what the rules below give, without them.
  if (text.length === 11 && MOBILE.test(text)) return { ok: true, value: { value: text, kind: 'mobile' } };
  let chunks: string[] = [];
  for (const part of text.split(SEPARATORS)) {
    const chunk = part.trim();
    if (chunk !== '') chunks.push(chunk);
  }
  // Two numbers separated only by a space: '13812345678 13912345678'.
  if (chunks.length === 1 && parseOne(text, false) === undefined) chunks = text.split(/\s+/);
  const found: PhoneResult[] = [];
  for (const chunk of chunks) {
    const r = parseOne(chunk, false);
    if (r && !hasValue(found, r.value)) found.push(r);
  }
  const [first, ...others] = found;
  if (!first) return { ok: false, reason: `not a phone number: "${text}"` };
  if (others.length > 0) {
    const alternates: string[] = [];
    for (const other of others) alternates.push(other.value);
    first.alternates = alternates;
  }
  return { ok: true, value: first };
}

function hasValue(found: readonly PhoneResult[], value: string): boolean {
  for (const f of found) if (f.value === value) return true;
  return false;
}
