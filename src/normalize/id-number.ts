/** 公民身份号码 (GB 11643-1999): cleaning, check character, 15 → 18 upgrade, damage detection. */
import type { CellValue } from '../ingest/types.js';
import { cellText, isAsciiDigits, isPlaceholder, numberText } from './text.js';
import type { IdNumberResult } from './types.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** ISO 7064 MOD 11-2 check character of the first 17 digits. */
export function computeCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`computeCheckChar: need 17 digits, got "${first17}"`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS.charAt(sum % 11);
}

// First two digits of a region code (GB/T 2260 provinces, plus 71 Taiwan, 81 Hong Kong,
// 82 Macao, 83 for Taiwan residents' permits). Prefecture/county codes are not checked:
// the code is the one in force when the number was issued, so old codes stay valid.
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

const MIN_BIRTH = '1890-01-01';
const MAX_BIRTH = '2030-12-31';

function birthDateOf(yyyymmdd: string): string | undefined {
  if (yyyymmdd.length === 8 && isAsciiDigits(yyyymmdd)) return birthDateAt(yyyymmdd, 0);
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (m < 1 || m > 12 || d < 1) return undefined;
  const dim = m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  if (d > dim) return undefined;
  const iso = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
  return iso >= MIN_BIRTH && iso <= MAX_BIRTH ? iso : undefined;
}

/** birthDateOf for the 8 ASCII digits of s at `start`, read as numbers. */
function birthDateAt(s: string, start: number): string | undefined {
  const y = digitsAt(s, start, 4);
  const m = digitsAt(s, start + 4, 2);
  const d = digitsAt(s, start + 6, 2);
  if (m < 1 || m > 12 || d < 1) return undefined;
  const dim = m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  if (d > dim) return undefined;
  // Fixed-width digits: comparing the numbers is comparing the ISO texts with MIN_BIRTH and MAX_BIRTH.
  const n = y * 10_000 + m * 100 + d;
  return n >= MIN_BIRTH_DIGITS && n <= MAX_BIRTH_DIGITS ? isoOfDigits(n) : undefined;
}

const MIN_BIRTH_DIGITS = Number(MIN_BIRTH.replace(/-/g, ''));
const MAX_BIRTH_DIGITS = Number(MAX_BIRTH.replace(/-/g, ''));

// Birth dates repeat: the text of each is made once (YYYYMMDD as a number → 'YYYY-MM-DD').
const ISO_CACHE_LIMIT = 100_000;
const isoByDigits = new Map<number, string>();

function isoOfDigits(n: number): string {
  let iso = isoByDigits.get(n);
  if (iso === undefined) {
    const t = String(n);
    iso = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}`;
    if (isoByDigits.size >= ISO_CACHE_LIMIT) isoByDigits.clear();
    isoByDigits.set(n, iso);
  }
  return iso;
}

/** The number written by `length` ASCII digits of s at `start`. */
function digitsAt(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

const PROVINCE_NUMBERS: ReadonlySet<number> = new Set([...PROVINCES].map(Number));

/** True for 17 ASCII digits then a digit or X. */
function hasIdShape(s: string): boolean {
  if (s.length !== 18) return false;
  for (let i = 0; i < 17; i++) {
    const code = s.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  const last = s.charCodeAt(17);
  return (last >= 48 && last <= 57) || last === 88;
}

/** computeCheckChar(s.slice(0, 17)) as a character code, for s of hasIdShape. */
function checkCodeOf(s: string): number {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS.charCodeAt(sum % 11);
}

/**
 * fromText's answer for a valid 18-character number (the usual cell), computed without
 * intermediate strings; undefined for anything else, which fromText then examines.
 */
function validId18(original: string, s: string): IdNumberResult | undefined {
  if (!hasIdShape(s)) return undefined;
  if (!PROVINCE_NUMBERS.has((s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48))) return undefined;
  const birthDate = birthDateAt(s, 6);
  if (birthDate === undefined || checkCodeOf(s) !== s.charCodeAt(17)) return undefined;
  // withDerived's properties, in its order.
  return { status: 'valid', original, value: s, regionCode: s.slice(0, 6), birthDate, sex: (s.charCodeAt(16) - 48) % 2 === 1 ? '1' : '2' };
}

/** True for an 18-character number with a plausible province, a real birth date and the right check character. */
export function isValidIdNumber(s: string): boolean {
  return (
    /^\d{17}[\dX]$/.test(s) &&
    PROVINCES.has(s.slice(0, 2)) &&
    birthDateOf(s.slice(6, 14)) !== undefined &&
    computeCheckChar(s.slice(0, 17)) === s.charAt(17)
  );
}

/** Legacy 15-digit number → 18: insert the century '19' after the region, append the check character. */
export function upgradeIdNumber15(s: string): string {
  if (!/^\d{15}$/.test(s)) throw new RangeError(`upgradeIdNumber15: need 15 digits, got "${s}"`);
  const first17 = `${s.slice(0, 6)}19${s.slice(6)}`;
  return first17 + computeCheckChar(first17);
}

/** Cleans text as typed or exported: NFKC, no spaces/tabs/dashes, no leading ' or ="…" wrapper, upper-case X. */
function clean(text: string): string {
  let s = text.replace(/\s+/g, '');
  // ="4101…" is the CSV trick that stops Excel turning the number into 4.10105E+17.
  const wrapped = /^=?"(.*)"$/.exec(s);
  if (wrapped) s = wrapped[1] ?? '';
  return s
    .replace(/^['‘’`]+/, '')
    .replace(/[-‐‑–—]/g, '')
    .replace(/[x×]/g, 'X'); // × (multiplication sign) is a common mistype on Chinese IMEs
}

/** True when text has only ASCII digits and upper-case X: clean(text) === text. */
function isIdCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 48 || code > 57) && code !== 88) return false;
  }
  return true;
}

function lostDigits(original: string, surviving: string, legacy15 = false): IdNumberResult {
  const r: IdNumberResult = { status: 'lost_digits', original, survivingDigits: surviving };
  // Digits 1–14 are exact when they survived: keep what they tell (the sequence digit may be rounded).
  if (surviving.length >= 6 && PROVINCES.has(surviving.slice(0, 2))) r.regionCode = surviving.slice(0, 6);
  if (!legacy15 && surviving.length >= 14) {
    const birth = birthDateOf(surviving.slice(6, 14));
    if (birth !== undefined) r.birthDate = birth;
  }
  return r;
}

function withDerived(r: IdNumberResult, id18: string): IdNumberResult {
  r.regionCode = id18.slice(0, 6);
  const birth = birthDateOf(id18.slice(6, 14));
  if (birth !== undefined) r.birthDate = birth;
  r.sex = (id18.charCodeAt(16) - 48) % 2 === 1 ? '1' : '2';
  return r;
}

/**
 * Normalises one ID-number cell. Never throws; the status says what was found.
 * A number cell ≥ 1e15 and text like '4.10105E+17' are Excel-damaged ('lost_digits'), as is
 * 18-digit text ending in '000' whose check character fails (Excel exported a damaged number).
 */
export function normalizeIdNumber(value: CellValue): IdNumberResult {
  if (value === null || value === undefined) return { status: 'empty', original: '' };
  if (typeof value === 'number') {
    const original = numberText(value);
    if (!Number.isInteger(value) || value <= 0) return { status: 'malformed', original, value: original };
    // Excel keeps 15 significant digits: an 18-digit number has lost its last three for good.
    if (value >= 1e15) return lostDigits(original, original.slice(0, 15));
    return fromText(original, original);
  }
  if (typeof value !== 'string') {
    const original = cellText(value);
    return { status: 'malformed', original, value: original };
  }
  return fromText(value, cellText(value));
}

function fromText(original: string, text: string): IdNumberResult {
  if (isPlaceholder(text)) return { status: 'empty', original };
  // Digits and X only (the usual cell): nothing to clean.
  const s = isIdCharacters(text) ? text : clean(text);
  if (s === '') return { status: 'empty', original };
  const valid = validId18(original, s);
  if (valid) return valid;

  // Scientific notation: only the digits shown survive (a 15-digit number may survive whole).
  const sci = /^(\d)(?:\.(\d+))?E\+?(\d{1,2})$/i.exec(s);
  if (sci) {
    const digits = `${sci[1] ?? ''}${sci[2] ?? ''}`;
    const exponent = Number(sci[3]);
    // 18-digit numbers show as E+17, legacy 15-digit ones as E+14; anything else is not an ID.
    if (exponent !== 17 && exponent !== 14) return { status: 'malformed', original, value: s };
    if (exponent === 14 && digits.length === 15) return fromText(original, digits);
    return lostDigits(original, digits.slice(0, exponent + 1), exponent === 14);
  }

  if (/^\d{15}$/.test(s)) {
    if (!PROVINCES.has(s.slice(0, 2))) return { status: 'malformed', original, value: s };
    if (birthDateOf(`19${s.slice(6, 12)}`) === undefined) return { status: 'bad_date', original, value: s, regionCode: s.slice(0, 6) };
    const id18 = upgradeIdNumber15(s);
    return withDerived({ status: 'upgraded', original, value: id18 }, id18);
  }

  if (!/^\d{17}[\dX]$/.test(s) || !PROVINCES.has(s.slice(0, 2))) return { status: 'malformed', original, value: s };
  if (birthDateOf(s.slice(6, 14)) === undefined) return { status: 'bad_date', original, value: s, regionCode: s.slice(0, 6) };
  if (computeCheckChar(s.slice(0, 17)) === s.charAt(17)) return withDerived({ status: 'valid', original, value: s }, s);
  if (s.endsWith('000')) return lostDigits(original, s.slice(0, 15));
  return withDerived({ status: 'bad_check', original, value: s }, s);
}
