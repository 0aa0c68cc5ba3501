/**
 * A source record's normalised values in words: field labels for the adapters' keys (the raw key
 * otherwise), code lists (sex, marital status, ethnicity, person status) as their names, ID
 * numbers with their validity, addresses as written. Messages under 'review.field.*' and
 * 'review.value.*'.
 */
import { t, type MessageKey } from '../i18n/index.js';

/** Shared keys of the adapters (adapters/*), in the order a person is described. */
export const FIELD_ORDER = [
  'name',
  'formerName',
  'idNumber',
  'birthDate',
  'sex',
  'ethnicity',
  'phone',
  'address',
  'currentAddress',
  'registeredAddress',
  'originAddress',
  'originRegionCode',
  'householdNumber',
  'familyNumber',
  'caseNumber',
  'registrationNumber',
  'relationship',
  'headName',
  'headIdNumber',
  'maritalStatus',
  'firstMarriageDate',
  'spouseName',
  'spouseIdNumber',
  'childrenCount',
  'nativePlace',
  'education',
  'employer',
  'personStatus',
  'statusDate',
  'community',
  'age',
  'health',
  'workAbility',
  'category',
  'monthlyAmount',
  'approvedOn',
  'bank',
  'bankAccount',
  'arrivedOn',
  'reason',
  'certificateNumber',
  'registeredOn',
  'deregisteredOn',
  'exportDate',
] as const;

const KNOWN = new Set<string>(FIELD_ORDER);
const ID_FIELDS = new Set(['idNumber', 'headIdNumber', 'spouseIdNumber']);
/** Suffixes of the values the normaliser derives from a field (nameMatch, idNumberStatus, …). */
const DERIVED = /^(.+?)(Match|Pinyin|Text|Status|SurvivingDigits|BirthDate|Sex|Region|Label|Kind|WasTraditional)$/;

/** The label of a record key: Chinese (or English) for the adapters' keys, the key itself otherwise. */
export function fieldLabel(key: string): string {
  const k = `review.field.${key}` as MessageKey;
  const text = t(k);
  return text === k ? key : text;
}

/** Keys derived by normalisation (shown apart), e.g. nameMatch, idNumberStatus, surname. */
export function isDerivedKey(key: string): boolean {
  if (key === 'surname' || key === 'surnamePinyin') return true;
  const m = DERIVED.exec(key);
  return m !== null && KNOWN.has(m[1]!);
}

/** The main keys present in any of `records`, in FIELD_ORDER, then unknown keys alphabetically. */
export function mainKeys(records: Record<string, unknown>[]): string[] {
  const present = new Set<string>();
  for (const data of records) {
    for (const key of Object.keys(data)) {
      if (!isDerivedKey(key)) present.add(key);
      // An ID number that failed validation is kept only as text.
      const m = /^(.+)Text$/.exec(key);
      if (m && ID_FIELDS.has(m[1]!)) present.add(m[1]!);
    }
  }
  const known = FIELD_ORDER.filter((k) => present.has(k));
  const other = [...present].filter((k) => !KNOWN.has(k)).sort();
  return [...known, ...other];
}

/** The derived keys present in any of `records`, sorted. */
export function derivedKeys(records: Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const data of records) for (const key of Object.keys(data)) if (isDerivedKey(key)) keys.add(key);
  return [...keys].sort();
}

function codeName(prefix: string, code: string): string {
  const k = `${prefix}${code}` as MessageKey;
  const text = t(k);
  return text === k ? code : text;
}

function ethnicityName(code: string): string {
  const n = Number(code);
  if (/^\d{2}$/.test(code) && n >= 1 && n <= 56) return t('review.value.ethnicities').split(',')[n - 1] ?? code;
  return codeName('review.value.ethnicity.', code);
}

/** Any value as short text (addresses as written, lists joined). */
export function plainValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'boolean') return value ? t('review.value.yes') : t('review.value.no');
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(plainValue).join('、');
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.original === 'string') return o.original;
    if (typeof o.normalized === 'string') return o.normalized;
    if ('value' in o) return plainValue(o.value);
    return JSON.stringify(value);
  }
  return String(value);
}

/** A code of a known list in words, with the code: 女 (2). */
export function codeValue(field: string, value: unknown): string {
  if (typeof value !== 'string') return plainValue(value);
  const name =
    field === 'sex' ? codeName('review.value.sex.', value)
    : field === 'maritalStatus' ? codeName('review.value.marital.', value)
    : field === 'ethnicity' ? ethnicityName(value)
    : field === 'personStatus' ? codeName('review.value.status.', value)
    : value;
  return name === value || field === 'personStatus' ? name : `${name} (${value})`;
}

export interface ShownValue {
  /** What the page shows; '' when the record has no value. */
  text: string;
  /** What two records are compared by (normalised): '' when absent. */
  compare: string;
  /** A remark, e.g. an ID number's validity. */
  note?: string;
}

/** One field of a record as shown and as compared. */
export function recordValue(key: string, data: Record<string, unknown>): ShownValue {
  const value = data[key];
  if (ID_FIELDS.has(key)) {
    const text = plainValue(value ?? data[`${key}Text`]);
    const status = data[`${key}Status`];
    const note = typeof status === 'string' && status !== 'valid' && text ? codeName('review.idStatus.', status) : undefined;
    return { text, compare: text.toUpperCase(), note };
  }
  if (key === 'relationship') {
    const label = data.relationshipLabel;
    const text = typeof label === 'string' && typeof value === 'string' ? `${label} (${value})` : plainValue(value);
    return { text, compare: plainValue(value) };
  }
  if (['sex', 'maritalStatus', 'ethnicity', 'personStatus'].includes(key)) return { text: codeValue(key, value), compare: plainValue(value) };
  if (key === 'name' || key === 'formerName' || key === 'headName' || key === 'spouseName') {
    const text = plainValue(value);
    const match = data[`${key}Match`];
    return { text, compare: typeof match === 'string' ? match : text };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const text = plainValue(value);
    return { text, compare: typeof o.normalized === 'string' ? o.normalized : text };
  }
  const text = plainValue(value);
  return { text, compare: text };
}
