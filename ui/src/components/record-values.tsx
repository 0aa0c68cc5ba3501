/**
 * A person's data in words, the one place every page takes it from: field labels for the
 * adapters' keys (the raw key otherwise), code lists (sex, marital status, ethnicity, person
 * status) as their names, ID numbers with their validity, addresses as written, and a record's
 * fields as labelled rows. Messages under 'record.field.*' and 'record.value.*'
 * (i18n/messages/record.ts).
 */
import { messageOr, t, useT } from '../i18n/index.js';

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
/** Keys of the golden record (and of the API's summaries) that name a record field otherwise. */
const SAME_AS: Record<string, string> = { status: 'personStatus' };
/** The code lists, by field: the message prefix of their names. */
const CODE_LISTS: Record<string, string> = { sex: 'sex', maritalStatus: 'marital', ethnicity: 'ethnicity', personStatus: 'status' };
/** Lists whose codes are words already (active, deceased): shown by name alone, never with the code. */
const WORD_CODES = new Set(['personStatus']);

/** The label of a field: Chinese (or English) for the adapters' keys, the key itself otherwise. */
export function fieldLabel(key: string): string {
  return messageOr(`record.field.${SAME_AS[key] ?? key}`, key);
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

/** Any value as short text (addresses as written, lists joined). */
export function plainValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'boolean') return value ? t('record.value.yes') : t('record.value.no');
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

/** A value of `field` by name alone where the field has a code list (女), as plain text otherwise. */
export function codeName(field: string, value: unknown): string {
  const list = CODE_LISTS[SAME_AS[field] ?? field];
  if (typeof value !== 'string' || !list) return plainValue(value);
  return messageOr(`record.value.${list}.${value}`, value);
}

/** A value of `field` by name with its code where the field has a numeric code list: 女 (2). */
export function codeValue(field: string, value: unknown): string {
  const name = codeName(field, value);
  if (typeof value !== 'string' || name === value || WORD_CODES.has(SAME_AS[field] ?? field)) return name;
  return `${name} (${value})`;
}

export interface ShownValue {
  /** What the page shows; '' when the record has no value. */
  text: string;
  /** What two records are compared by (normalised): '' when absent. */
  compare: string;
  /** A remark, e.g. an ID number's validity. */
  note?: string;
}

/** One field of a source record as shown and as compared. */
export function recordValue(key: string, data: Record<string, unknown>): ShownValue {
  const value = data[key];
  if (ID_FIELDS.has(key)) {
    const text = plainValue(value ?? data[`${key}Text`]);
    const status = data[`${key}Status`];
    const note = typeof status === 'string' && status !== 'valid' && text ? messageOr(`record.value.idStatus.${status}`, status) : undefined;
    return { text, compare: text.toUpperCase(), note };
  }
  if (key === 'relationship') {
    const label = data.relationshipLabel;
    const text = typeof label === 'string' && typeof value === 'string' ? `${label} (${value})` : plainValue(value);
    return { text, compare: plainValue(value) };
  }
  if (key in CODE_LISTS) return { text: codeValue(key, value), compare: plainValue(value) };
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

/** One labelled field of several records: its key, its label, and each record's value in words. */
export interface RecordRow {
  key: string;
  label: string;
  values: ShownValue[];
}

/** The main fields present in any of `records`, labelled and worded, one value per record. */
export function recordRows(records: Record<string, unknown>[]): RecordRow[] {
  return mainKeys(records).map((key) => ({ key, label: fieldLabel(key), values: records.map((data) => recordValue(key, data)) }));
}

/** A shown value with its remark: 6101…（校验位错误）. Nothing for an absent value. */
export function ShownText(props: { value: ShownValue }) {
  const t = useT();
  const { text, note } = props.value;
  if (!text) return null;
  return (
    <>
      {text}
      {note && <span class="record-note"> {t('record.value.note', { note })}</span>}
    </>
  );
}

/** A shown value as one string, remark included (for comparing what the page shows). */
export function shownString(value: ShownValue): string {
  return value.text && value.note ? `${value.text} ${t('record.value.note', { note: value.note })}` : value.text;
}
