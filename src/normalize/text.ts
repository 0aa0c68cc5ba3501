/** Text helpers shared by the normalisers and the adapters. Pure functions. */
import { Converter } from 'opencc-js/t2cn';
import type { CellValue } from '../ingest/types.js';
import type { ParseResult } from './types.js';

// Zero-width characters, word joiner and BOM: invisible, but they break equality.
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
const INVISIBLE_CHAR = /[\u200B-\u200D\u2060\uFEFF]/;

/** ISO date (YYYY-MM-DD) of a Date's UTC calendar day; '' for an invalid Date. */
export function isoDateOfUtc(d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) return '';
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) return '';
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Text of a number as Excel would show it: integers without exponent, 15 significant digits. */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isSafeInteger(n)) return String(n);
  // Unsafe integers (e.g. an 18-digit ID number stored as a number) must not become "4.1e+17".
  if (Number.isInteger(n)) {
    const shown = Number(n.toPrecision(15));
    return Math.abs(shown) < 1e21 ? String(shown) : BigInt(shown).toString();
  }
  // Excel keeps 15 significant digits: drop binary noise such as 0.30000000000000004.
  return String(Number(n.toPrecision(15)));
}

// --- fast path for text that NFKC leaves alone ----------------------------------------------

/**
 * Per BMP code unit: 0 not yet classified, 1 "plain", 2 anything else. A plain character is
 * its own NFKC form, is not a combining mark (so it never composes with or reorders against
 * a neighbour) and is not one of the INVISIBLE characters; it is taken only from blocks where
 * no character composes with a preceding one (ASCII, Latin-1, general punctuation, CJK
 * symbols, CJK ideographs). A string of plain characters is its own NFKC form, so
 * cellText only has to trim it. Classified on first sight, with the same normalize() call.
 */
const PLAIN = new Uint8Array(0x10000);
const MARK = /\p{M}/u;

function classifyPlain(code: number): number {
  const inBlock =
    code < 0x100 || (code >= 0x2010 && code < 0x2060) || (code >= 0x3001 && code < 0x3040) || (code >= 0x3400 && code < 0xa000);
  const c = String.fromCharCode(code);
  const plain = inBlock && !INVISIBLE_CHAR.test(c) && !MARK.test(c) && c.normalize('NFKC') === c;
  const state = plain ? 1 : 2;
  PLAIN[code] = state;
  return state;
}

/** True when every code unit of text is plain (see PLAIN): text.normalize('NFKC') === text, no INVISIBLE. */
export function isPlainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // ASCII is plain: no table look-up for it.
    if (code >= 0x80 && (PLAIN[code] || classifyPlain(code)) !== 1) return false;
  }
  return true;
}

/** Trimmed NFKC text of any cell. Dates become their ISO calendar day; booleans TRUE/FALSE. */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') {
    if (isPlainText(value)) return value.trim();
    return value.normalize('NFKC').replace(INVISIBLE, '').trim();
  }
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return isoDateOfUtc(value);
  return '';
}

// What staff type into a cell that has nothing to say. Treated as empty, not as an error.
const PLACEHOLDERS = new Set(['无', '暂无', '空', '/', '\\', '-', '--', '---', '—', '——', 'null', 'none', 'n/a', '#n/a']);
const MAX_PLACEHOLDER_LENGTH = Math.max(...[...PLACEHOLDERS].map((p) => p.length));

/** True for text that means "nothing here" (after cellText): '', '无', '/', '-', 'NULL', 'N/A'. */
export function isPlaceholder(text: string): boolean {
  if (text === '') return true;
  // toLowerCase never makes a string shorter than half its length: long text is no placeholder.
  if (text.length > 2 * MAX_PLACEHOLDER_LENGTH) return false;
  return PLACEHOLDERS.has(text.toLowerCase());
}

const SPACE = /\s/;
const SPACES = /\s+/g;

/** Removes every kind of whitespace (NFKC has already turned U+3000 into a space). */
export function stripSpaces(text: string): string {
  return SPACE.test(text) ? text.replace(SPACES, '') : text;
}

// --- traditional → simplified, one character at a time ------------------------------------

/**
 * Characters OpenCC would convert that are also standard simplified characters (通用规范汉字表),
 * mostly in names: 昇 is not 升, 乾 (乾坤) is not 干, 於 is a surname. Taken from OpenCC's
 * traditional keys that GB 2312 also contains (乾 於 徵 吒 …, minus mere variants such as 後 夥),
 * plus characters the 2013 table restored for names (昇 喆 堃 淼 …).
 * Testing "cn→tw gives c back" does not work: every traditional character passes through s2t unchanged.
 */
const ALSO_SIMPLIFIED = new Set([...'昇乾喆堃淼瞭著於吒徵拚榘菸薹袷麴甦邨仝']);

type Convert = (s: string) => string;
let converters: { tw: Convert; hk: Convert } | undefined;

// Built on first use (~40 ms): modules that never meet traditional text don't pay for it.
function getConverters(): { tw: Convert; hk: Convert } {
  converters ??= { tw: Converter({ from: 'tw', to: 'cn' }), hk: Converter({ from: 'hk', to: 'cn' }) };
  return converters;
}
// Per-character memo: names and addresses use a few thousand distinct characters.
const simplifiedChar = new Map<string, string>();

function convertChar(c: string): string {
  const cached = simplifiedChar.get(c);
  if (cached !== undefined) return cached;
  let out = c;
  if (!ALSO_SIMPLIFIED.has(c)) {
    const { tw, hk } = getConverters();
    out = tw(c);
    if (out === c) out = hk(c);
    // A character must stay one character, or positions (surname, pinyin) drift.
    if ([...out].length !== 1) out = c;
  }
  simplifiedChar.set(c, out);
  return out;
}

const HAN = /\p{Script=Han}/u;

/** Per BMP code unit: 0 not yet seen, 1 a plain (see PLAIN) Han character, 2 anything else. */
const HAN_PLAIN = new Uint8Array(0x10000);

function classifyHanPlain(code: number): number {
  const c = String.fromCharCode(code);
  const state = code < 0xd800 || code > 0xdfff ? (HAN.test(c) && isPlainText(c) ? 1 : 2) : 2;
  HAN_PLAIN[code] = state;
  return state;
}

/**
 * True for non-empty text made only of BMP Han characters that NFKC leaves alone (张伟, 欧阳娜娜):
 * such text is its own cellText and matches /^\p{Script=Han}+$/u.
 */
export function isPlainHan(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const state = HAN_PLAIN[code] || classifyHanPlain(code);
    if (state !== 1) return false;
  }
  return true;
}

/**
 * Converts traditional characters to simplified, character by character (no phrase
 * guessing: names are not phrases), keeping characters that are valid simplified ones too.
 */
export function toSimplified(text: string): string {
  if (isSimplifiedAlready(text)) return text;
  let out = '';
  for (const c of text) out += HAN.test(c) ? convertChar(c) : c;
  return out;
}

/**
 * Per BMP code unit: 0 not yet seen, 1 toSimplified leaves it alone (not Han, or Han that
 * convertChar keeps), 2 it changes. Surrogates are never classified (always the slow path).
 */
const SIMPLIFY_STATE = new Uint8Array(0x10000);

function classifySimplify(code: number): number {
  const c = String.fromCharCode(code);
  const state = HAN.test(c) && convertChar(c) !== c ? 2 : 1;
  SIMPLIFY_STATE[code] = state;
  return state;
}

/**
 * True when text is its own NFKC form without INVISIBLE characters (isPlainText) and its own
 * toSimplified, in one pass.
 */
export function isPlainSimplified(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((PLAIN[code] || classifyPlain(code)) !== 1) return false;
    // Surrogates are never plain, so SIMPLIFY_STATE is only asked about BMP characters.
    if ((SIMPLIFY_STATE[code] || classifySimplify(code)) !== 1) return false;
  }
  return true;
}

/** True when toSimplified(text) === text, decided without building a string. */
function isSimplifiedAlready(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) return false;
    const state = SIMPLIFY_STATE[code] || classifySimplify(code);
    if (state !== 1) return false;
  }
  return true;
}

// --- numbers -------------------------------------------------------------------------------

const CN_DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 兩: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};

/**
 * Small Chinese numerals to a number: 二 → 2, 十二 → 12, 二十一 → 21, 一百零五 → 105, and
 * digit-by-digit forms such as 四〇一 → 401. Undefined when the text is not such a numeral.
 */
export function parseChineseNumeral(text: string): number | undefined {
  if (text === '') return undefined;
  if (!/[十百千]/.test(text)) {
    let n = 0;
    for (const c of text) {
      const d = CN_DIGITS[c];
      if (d === undefined) return undefined;
      n = n * 10 + d;
    }
    return n;
  }
  let total = 0;
  let current = 0;
  let lastWasDigit = false;
  for (const c of text) {
    const d = CN_DIGITS[c];
    if (d !== undefined) {
      current = d;
      lastWasDigit = true;
      continue;
    }
    const unit = c === '十' ? 10 : c === '百' ? 100 : c === '千' ? 1000 : 0;
    if (unit === 0) return undefined;
    // A bare 十 at the start means 一十.
    total += (lastWasDigit || current !== 0 ? current : 1) * unit;
    current = 0;
    lastWasDigit = false;
  }
  return total + current;
}

/** True for a non-empty string of ASCII digits only. */
export function isAsciiDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

const INTEGER_UNITS = /(周岁|岁|个|人|名|户|次|年|口)$/;

/** Whole numbers such as ages and counts: 45, '45', '45岁', '４５', '两个', '1,200'. */
export function normalizeInteger(value: CellValue): ParseResult<number> {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return { ok: true, value };
    return { ok: false, reason: `not a whole number: ${numberText(value)}` };
  }
  if (typeof value === 'boolean' || value instanceof Date) {
    return { ok: false, reason: `not a whole number: ${cellText(value)}` };
  }
  const text = cellText(value);
  if (isPlaceholder(text)) return { ok: 'empty' };
  // Plain digits (the usual cell) need none of the rules below.
  if (text.length <= 15 && isAsciiDigits(text)) return { ok: true, value: Number(text) };
  // '45 46' is two numbers, not 4546.
  if (/\d\s+\d/.test(text)) return { ok: false, reason: `not a whole number: "${text}"` };
  const core = stripSpaces(text).replace(INTEGER_UNITS, '');
  const m = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?$/.exec(core);
  if (m) {
    const n = Number((m[2] ?? '').replace(/,/g, ''));
    if (Number.isSafeInteger(n)) return { ok: true, value: m[1] === '-' ? -n : n };
  }
  const cn = parseChineseNumeral(core);
  if (cn !== undefined) return { ok: true, value: cn };
  return { ok: false, reason: `not a whole number: "${text}"` };
}

/** Money in yuan: 500, '1,234.50', '￥500', '500元', 'RMB 500.00'. */
export function normalizeAmount(value: CellValue): ParseResult<number> {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return { ok: true, value: Number(value.toPrecision(15)) };
    return { ok: false, reason: `not an amount: ${String(value)}` };
  }
  if (typeof value === 'boolean' || value instanceof Date) {
    return { ok: false, reason: `not an amount: ${cellText(value)}` };
  }
  const text = cellText(value);
  if (isPlaceholder(text)) return { ok: 'empty' };
  if (/\d\s+\d/.test(text)) return { ok: false, reason: `not an amount: "${text}"` };
  const core = stripSpaces(text)
    .replace(/^(¥|￥|RMB|CNY|人民币)/i, '')
    .replace(/(元|圆|块|RMB|CNY)$/i, '');
  const m = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$/.exec(core) ?? /^([+-]?)()(\.\d+)$/.exec(core);
  if (!m) return { ok: false, reason: `not an amount: "${text}"` };
  const n = Number(`${(m[2] ?? '').replace(/,/g, '') || '0'}${m[3] ?? ''}`);
  if (!Number.isFinite(n)) return { ok: false, reason: `not an amount: "${text}"` };
  return { ok: true, value: m[1] === '-' ? -n : n };
}
