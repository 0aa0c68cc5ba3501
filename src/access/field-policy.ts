/**
 * Field policy per role, applied when API responses are built (never only in a UI): which
 * personal fields a role sees in full, masked, or not at all. Fields are recognised by key —
 * the adapters' normalised keys (idNumber, headIdNumberText, phone, bankAccount…), golden field
 * names, and raw rows' Chinese headers with their synonyms (公民身份号码, 配偶身份证号, 联系电话,
 * 银行卡号…) — and, as a safety net, any ID-number-, phone- or account-like digit run in any
 * other string is masked too. Pure: no I/O.
 */
import type { SourceName } from '../../adapters/types.js';
import type { GoldenRecord } from '../golden/types.js';
import { normalizeHeader } from '../ingest/header.js';
import { normalizePhone } from '../normalize/phone.js';
import type { Role } from './roles.js';

/** Kinds of personal data the policy treats differently from the rest (shown to every reader). */
export type FieldCategory = 'idNumber' | 'phone' | 'bank' | 'welfare';
export const FIELD_CATEGORIES: readonly FieldCategory[] = ['idNumber', 'phone', 'bank', 'welfare'];

/** `removed`: the key is left out entirely, so that not even its presence shows. */
export type Treatment = 'full' | 'masked' | 'removed';

/**
 * - idNumber, phone: in full for the police (who issue ID numbers) and auditors (who must tell
 *   records apart); masked for the rest, which is enough to recognise a person already known.
 * - bank (开户银行, 银行账号): financial accounts are sensitive personal information; only
 *   civil-affairs, who pays the allowance, and auditors.
 * - welfare (allowance category and amount, 健康状况, 劳动能力): health is sensitive personal
 *   information and receiving assistance is nothing police or family planning need; community
 *   offices take the allowance applications, so they keep it.
 */
export const FIELD_POLICY: Readonly<Record<Role, Readonly<Record<FieldCategory, Treatment>>>> = {
  police: { idNumber: 'full', phone: 'full', bank: 'removed', welfare: 'removed' },
  'family-planning': { idNumber: 'masked', phone: 'masked', bank: 'removed', welfare: 'removed' },
  'civil-affairs': { idNumber: 'masked', phone: 'masked', bank: 'full', welfare: 'full' },
  community: { idNumber: 'masked', phone: 'masked', bank: 'removed', welfare: 'full' },
  auditor: { idNumber: 'full', phone: 'full', bank: 'full', welfare: 'full' },
  admin: { idNumber: 'masked', phone: 'masked', bank: 'removed', welfare: 'removed' },
};

// ---------------------------------------------------------------------------------------------
// Masking

/**
 * `410105199003071234` → `410105********1234`: the region code and the last four stay, the
 * birth-date digits 7–14 are hidden. Any other text given as an ID number (15-digit legacy
 * numbers, numbers that lost or gained a digit, `4.10105E+17`) hides the same positions and
 * keeps a tail only past them, so that no form of a number shows its birth date.
 */
export function maskIdNumber(value: string): string {
  const s = value.normalize('NFKC').replace(/[\s'‘’-]/g, '');
  if (s.length <= 6) return '*'.repeat(s.length);
  if (s.length <= 14) return s.slice(0, 6) + '*'.repeat(s.length - 6);
  return s.slice(0, 6) + '********' + s.slice(14).toUpperCase();
}

/**
 * `13812345678` → `138****5678`; `0371-65432100` → `0371-****2100` (the area code only says
 * which city); a bare local number keeps its last four. Several numbers in one cell are masked
 * each. Text that is no phone number keeps only its last four digits.
 */
export function maskPhone(value: string): string {
  const parsed = normalizePhone(value);
  if (parsed.ok === true) {
    const { value: first, extension, alternates } = parsed.value;
    const numbers = [first, ...(alternates ?? [])].map(maskNormalizedPhone);
    // The extension names a desk in an office, not a person.
    return numbers.join('/') + (extension !== undefined ? `转${extension}` : '');
  }
  return maskDigitsKeepingLast(value, 4);
}

function maskNormalizedPhone(phone: string): string {
  if (/^1\d{10}$/.test(phone)) return `${phone.slice(0, 3)}****${phone.slice(7)}`;
  const dash = phone.indexOf('-');
  const area = dash >= 0 ? phone.slice(0, dash + 1) : '';
  const local = phone.slice(dash + 1);
  return area + '*'.repeat(Math.max(0, local.length - 4)) + local.slice(-4);
}

/** Every digit (ASCII or full-width) but the last `keep` replaced by `*`. */
function maskDigitsKeepingLast(text: string, keep: number): string {
  let digits = 0;
  for (const ch of text) if (isDigit(ch)) digits++;
  let seen = 0;
  let out = '';
  for (const ch of text) {
    if (isDigit(ch)) {
      seen++;
      out += seen > digits - keep ? ch : '*';
    } else {
      out += ch;
    }
  }
  return out;
}

function isDigit(ch: string): boolean {
  return (ch >= '0' && ch <= '9') || (ch >= '０' && ch <= '９');
}

// Digit runs (ASCII or full-width), an ID number's X allowed at the end.
const RUN = /[0-9０-９]+[XxＸｘ]?/g;
// The same, with single spaces or hyphens inside ('138 1234 5678', '410105 19900307 123X').
const SPACED_RUN = /[0-9０-９](?:[ -]?[0-9０-９])+(?:[ -]?[XxＸｘ])?/g;

/**
 * What a run of `digits` (compact, half-width) probably is. `spaced`: the run was written in
 * groups ('138 1234 5678'), where only the exact shapes of an 18-character ID number, a mobile
 * or a landline with its area code count, so that dates and amounts written next to each other
 * are not taken for a number.
 */
function runCategory(digits: string, spaced: boolean): FieldCategory | undefined {
  const n = digits.length;
  if (/[Xx]$/.test(digits)) return n === 18 ? 'idNumber' : undefined;
  if (n === 18) return 'idNumber';
  if (n === 11 && /^1[3-9]/.test(digits)) return 'phone';
  if ((n === 11 || n === 12) && digits.startsWith('0')) return 'phone';
  if (spaced) return undefined;
  if (n === 15 || n === 17) return 'idNumber'; // legacy, or one digit lost
  if (n >= 11 && n <= 14) return 'phone';
  if (n >= 16) return 'bank';
  return undefined;
}

/**
 * The safety net: masks every ID-number-like (15, 17, 18 characters), phone-like (11–14 digits)
 * and account-like (16 or 19+ digits) run in free text whose category the role may not see in
 * full. Shorter runs (dates, amounts, house numbers) are left alone.
 */
export function redactText(role: Role, text: string): string {
  const policy = FIELD_POLICY[role];
  if (policy.idNumber === 'full' && policy.phone === 'full' && policy.bank === 'full') return text;
  const masked = text.replace(RUN, (match) => maskRun(match, runCategory(toDigits(match), false), policy));
  // A run masked by the first pass is split by its `*`, so the second never sees it again.
  return masked.replace(SPACED_RUN, (match) => maskSpacedRun(match, policy));
}

function toDigits(text: string): string {
  return text.normalize('NFKC').replace(/[ -]/g, '');
}

function maskRun(text: string, category: FieldCategory | undefined, policy: Readonly<Record<FieldCategory, Treatment>>): string {
  if (category === undefined || policy[category] === 'full') return text;
  const digits = toDigits(text);
  if (category === 'idNumber') return maskIdNumber(digits);
  if (category === 'phone') return maskPhone(digits);
  return '*'.repeat(digits.length);
}

/**
 * A run of digit groups ('2026-10-31 0371-65432100'): the leftmost longest stretches of two or
 * more groups with an ID number's or a phone's exact shape (see runCategory) are masked, the
 * rest kept, so that a date written next to a number does not hide the number from the net.
 */
function maskSpacedRun(run: string, policy: Readonly<Record<FieldCategory, Treatment>>): string {
  const parts = run.split(/([ -])/); // groups at even indexes, separators between
  const groups = (parts.length + 1) / 2;
  let out = '';
  let i = 0;
  while (i < groups) {
    let end = i; // last group of the stretch taken
    let category: FieldCategory | undefined;
    for (let j = groups - 1; j > i; j--) {
      category = runCategory(toDigits(parts.slice(2 * i, 2 * j + 1).join('')), true);
      if (category !== undefined) {
        end = j;
        break;
      }
    }
    out += maskRun(parts.slice(2 * i, 2 * end + 1).join(''), end > i ? category : undefined, policy);
    if (end + 1 < groups) out += parts[2 * end + 1] ?? '';
    i = end + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Which key holds what

const ID_HEADER_WORDS = ['身份证', '身份号码', '证件号'];
const PHONE_HEADER_WORDS = ['电话', '手机', '联系方式'];
const BANK_HEADER_WORDS = ['银行', '账号', '帐号', '卡号', '账户', '帐户', '开户'];
const WELFARE_HEADER_WORDS = ['健康', '劳动能力', '保障类别', '保障金', '保障金额', '低保金'];
// GA/T 543 identifiers and the usual pinyin abbreviations some exports use as headers.
const ID_HEADER_CODES = new Set(['gmsfhm', 'sfzh', 'sfzhm', 'zjhm']);
const PHONE_HEADER_CODES = new Set(['lxdh', 'sjhm', 'dhhm']);

/**
 * The category of the value under `key`, or undefined for the rest. `source` tells which
 * system a record's plain `category` comes from (保障类别 only in minimum-allowance).
 */
export function fieldCategory(key: string, source?: SourceName): FieldCategory | undefined {
  // Responses repeat the same few dozen keys: each is classified once.
  const memoKey = source === 'minimum-allowance' ? `ma\u0000${key}` : key;
  const memo = categoryMemo.get(memoKey);
  if (memo !== undefined) return memo === NONE ? undefined : memo;
  const category = classifyKey(key, source);
  if (categoryMemo.size >= CATEGORY_MEMO_LIMIT) categoryMemo.clear();
  categoryMemo.set(memoKey, category ?? NONE);
  return category;
}

const NONE = 'none';
const CATEGORY_MEMO_LIMIT = 10_000;
const categoryMemo = new Map<string, FieldCategory | typeof NONE>();

function classifyKey(key: string, source: SourceName | undefined): FieldCategory | undefined {
  // camelCase keys (idNumber, headIdNumberText), snake_case columns (id_number), golden field
  // names (allowance.category), headers (联系电话, GMSFHM, 月保障金额（元）).
  const k = normalizeHeader(key).replace(/_/g, '');
  // The strictest first: a header such as 银行预留电话 is a bank field.
  if (k.includes('bank') || BANK_HEADER_WORDS.some((w) => k.includes(w))) return 'bank';
  if (
    k.startsWith('allowance') ||
    k === 'health' ||
    k === 'workability' ||
    k === 'monthlyamount' ||
    k === 'approvedon' ||
    (k === 'category' && source === 'minimum-allowance') ||
    WELFARE_HEADER_WORDS.some((w) => k.includes(w))
  ) {
    return 'welfare';
  }
  // idNumber, its original text and the surviving digits of a damaged one; not its derived
  // status, birth date, sex or region.
  if (/idnumber(?:text|survivingdigits)?$/.test(k) || ID_HEADER_CODES.has(k) || ID_HEADER_WORDS.some((w) => k.includes(w))) {
    return 'idNumber';
  }
  if (/(?:phone|mobile|telephone)(?:text)?$/.test(k) || PHONE_HEADER_CODES.has(k) || PHONE_HEADER_WORDS.some((w) => k.includes(w))) {
    return 'phone';
  }
  return undefined;
}

/** How `role` sees the value under `key` (`full` for keys of no category). */
export function fieldTreatment(role: Role, key: string, source?: SourceName): Treatment {
  const category = fieldCategory(key, source);
  return category === undefined ? 'full' : FIELD_POLICY[role][category];
}

/** The allow-list test: whether a response for `role` may carry `key` at all. */
export function isFieldVisible(role: Role, key: string, source?: SourceName): boolean {
  return fieldTreatment(role, key, source) !== 'removed';
}

// ---------------------------------------------------------------------------------------------
// Redaction

/**
 * Keys under which an object holds the value of the field it belongs to: a golden field's
 * `value`, an address's `original`, a conflict's `values`, a stale decision's `decidedValue`.
 * Other keys of such an object (source, rule, sourceRecordId) are not the field's value.
 */
const VALUE_KEYS = new Set(['value', 'values', 'original', 'display', 'text', 'normalized', 'alternates', 'decidedValue', 'currentValue']);

const REMOVED = Symbol('removed');

interface WalkContext {
  role: Role;
  source: SourceName | undefined;
}

function walk(value: unknown, category: FieldCategory | undefined, ctx: WalkContext): unknown {
  const treatment = category === undefined ? undefined : FIELD_POLICY[ctx.role][category];
  if (treatment === 'removed') return REMOVED;
  if (treatment === 'full') return structuredClone(value);
  if (typeof value === 'string') {
    if (category === 'idNumber') return maskIdNumber(value);
    if (category === 'phone') return maskPhone(value);
    return redactText(ctx.role, value);
  }
  if (typeof value === 'number') {
    // An ID number or phone that reached JSON as a number (an Excel number cell).
    if (!Number.isInteger(value) || Math.abs(value) < 1e9) return value;
    const text = String(value);
    const masked = category === 'idNumber' ? maskIdNumber(text) : category === 'phone' ? maskPhone(text) : redactText(ctx.role, text);
    return masked === text ? value : masked;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const r = walk(item, category, ctx);
      if (r !== REMOVED) out.push(r);
    }
    return out;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const object = value as Record<string, unknown>;
    // { field: 'idNumber', decidedValue, … } (stale decisions, conflicts): the field's name says
    // what its values are.
    const named = typeof object.field === 'string' ? fieldCategory(object.field, ctx.source) : undefined;
    const inherited = category ?? named;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      const own = fieldCategory(key, ctx.source);
      const r = walk(object[key], own ?? (VALUE_KEYS.has(key) ? inherited : undefined), ctx);
      if (r !== REMOVED) out[key] = r;
    }
    return out;
  }
  return value instanceof Date ? new Date(value.getTime()) : value;
}

/**
 * A copy of a source record's normalised data or raw row (or any JSON-like object: an alert,
 * a review item's side) as `role` may see it: removed fields left out, masked ones masked,
 * the safety net over every other string. `source` is the record's system, when known.
 */
export function redactRecord(role: Role, data: Record<string, unknown>, source?: SourceName): Record<string, unknown> {
  return walk(data, undefined, { role, source }) as Record<string, unknown>;
}

/** A golden record as a role sees it: removed fields are absent (not null, which means "no value"). */
export type RedactedGolden = { [K in keyof GoldenRecord]?: GoldenRecord[K] };

export const GOLDEN_RECORD_KEYS = [
  'name',
  'formerNames',
  'idNumber',
  'birthDate',
  'sex',
  'ethnicity',
  'maritalStatus',
  'phone',
  'registeredAddress',
  'currentAddress',
  'status',
  'allowance',
  'sources',
  'staleDecisions',
] as const satisfies readonly (keyof GoldenRecord)[];

// Fails to compile when GoldenRecord gains a key that GOLDEN_RECORD_KEYS does not list.
type MissingGoldenKeys = Exclude<keyof GoldenRecord, (typeof GOLDEN_RECORD_KEYS)[number]>;
const _allGoldenKeysListed: [MissingGoldenKeys] extends [never] ? true : MissingGoldenKeys = true;

/** The golden fields a role's responses may carry. */
export function visibleGoldenFields(role: Role): (keyof GoldenRecord)[] {
  return GOLDEN_RECORD_KEYS.filter((key) => isFieldVisible(role, key));
}

/**
 * A golden record as `role` may see it. Masked values stay strings of the same field (the
 * type does not change); provenance, rules and dates are kept.
 */
export function redactGolden(role: Role, golden: GoldenRecord): RedactedGolden {
  return walk(golden, undefined, { role, source: undefined }) as RedactedGolden;
}
