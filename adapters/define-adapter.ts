import {
  cellText,
  normalizeAmount,
  normalizeEthnicityShared,
  normalizeIdNumber,
  normalizeInteger,
  normalizeMaritalStatusShared,
  normalizeNameShared,
  normalizePersonStatusShared,
  normalizePhone,
  normalizeRelationshipShared,
  normalizeSexShared,
  parseAddress,
  parseDate,
  ageOn,
} from '../src/normalize/index.js';
import type { FieldFlag, ParseResult } from '../src/normalize/types.js';
import type { CellValue } from '../src/ingest/types.js';
import type { AdapterResult, FieldSpec, MappedRow, RowContext, SourceAdapter, SourceName } from './types.js';

export type RecordData = Record<string, unknown>;

interface AdapterDefinition {
  source: SourceName;
  systemName: string;
  fields: readonly FieldSpec[];
  /** The source's own key for a person; stable across exports of the same source. */
  naturalKey(data: RecordData, row: MappedRow): string;
  /** Source-specific derivations and checks, after the generic ones. */
  finish?(data: RecordData, flags: FieldFlag[], context: RowContext): void;
}

/** Builds a SourceAdapter from a declarative field list: normalisation is the same for every source. */
export function defineAdapter(definition: AdapterDefinition): SourceAdapter {
  const plans = definition.fields.map(planField);
  const builder = new RecordBuilder();
  return {
    source: definition.source,
    systemName: definition.systemName,
    fields: definition.fields,
    toRecord(row: MappedRow, context: RowContext): AdapterResult {
      builder.reset();
      const flags: FieldFlag[] = [];
      for (const plan of plans) {
        const cell = row.get(plan.field.key);
        if (cell === undefined || cell === null || (typeof cell === 'string' && isBlank(cell))) continue;
        normalizeField(plan, cell, builder, flags);
      }
      const data: RecordData = builder.build();
      if (!data.name && !data.idNumberText) {
        return {
          ok: false,
          reasons: [{ field: 'name', code: 'no_name_no_id', message: 'the row has neither a name nor an ID number' }],
        };
      }
      crossCheck(data, flags);
      checkBirthNotAfterExport(data, flags, context.exportDate);
      definition.finish?.(data, flags, context);
      return { ok: true, naturalKey: definition.naturalKey(data, row), data, flags };
    },
  };
}

/** `text.trim() === ''`, without trimming when the first character is plainly not a space. */
function isBlank(text: string): boolean {
  const first = text.charCodeAt(0);
  if ((first > 0x20 && first < 0x7f) || (first >= 0x3400 && first <= 0x9fff)) return false;
  return text.trim() === '';
}

/** The keys a field's values are stored under, built once per adapter (not per row). */
interface FieldPlan {
  field: FieldSpec;
  key: string;
  keys: {
    match: string;
    pinyin: string;
    text: string;
    status: string;
    survivingDigits: string;
    birthDate: string;
    sex: string;
    region: string;
    label: string;
    kind: string;
  };
}

function planField(field: FieldSpec): FieldPlan {
  const key = field.key;
  return {
    field,
    key,
    keys: {
      match: `${key}Match`,
      pinyin: `${key}Pinyin`,
      text: `${key}Text`,
      status: `${key}Status`,
      survivingDigits: `${key}SurvivingDigits`,
      birthDate: `${key}BirthDate`,
      sex: `${key}Sex`,
      region: `${key}Region`,
      label: `${key}Label`,
      kind: `${key}Kind`,
    },
  };
}

/**
 * Builds a plain object from `set(key, value)` calls: the object `o[key] = value` in the same
 * order gives, built the same way, but kept fast. V8 keeps an object that gets its properties
 * one by one under computed keys in fast mode only along key sequences it already knows (map
 * transitions); past a dozen properties it does not learn new ones from such stores, and the
 * object becomes a dictionary: slower to build, larger to collect. Copying an object with
 * spread makes V8 learn its key sequence, so the first object of each key sequence is copied
 * once. Key sequences are told apart by a trie walked as the keys are set.
 */
export class RecordBuilder {
  private readonly keys: string[] = [];
  private readonly values: unknown[] = [];
  private count = 0;
  private root: ShapeNode = newShapeNode();
  private node: ShapeNode = this.root;
  private nodes = 1;

  /** Forgets set() calls not followed by build() (a row abandoned by an exception). */
  reset(): void {
    for (let i = 0; i < this.count; i++) this.values[i] = undefined;
    this.count = 0;
    this.node = this.root;
  }

  set(key: string, value: unknown): void {
    this.keys[this.count] = key;
    this.values[this.count] = value;
    this.count++;
    const node = this.node;
    if (node.lastKey === key) {
      this.node = node.lastChild!;
      return;
    }
    let child = node.children.get(key);
    if (child === undefined) {
      child = newShapeNode();
      node.children.set(key, child);
      this.nodes++;
    }
    node.lastKey = key;
    node.lastChild = child;
    this.node = child;
  }

  /** The object of the set() calls since the last build(). */
  build(): Record<string, unknown> {
    const n = this.count;
    const node = this.node;
    this.count = 0;
    this.node = this.root;
    const record: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      record[this.keys[i]!] = this.values[i];
      this.values[i] = undefined;
    }
    if (!node.seeded) {
      // The copy makes V8 learn the key sequence (see above); it is not kept.
      node.seeded = true;
      _seed = { ...record };
      // A file whose rows keep changing shape: start again rather than grow without end.
      if (this.nodes > MAX_SHAPE_NODES) {
        this.root = newShapeNode();
        this.node = this.root;
        this.nodes = 1;
      }
    }
    return record;
  }
}

/** A key sequence (the path from the root); `seeded` once an object of it was copied. */
interface ShapeNode {
  children: Map<string, ShapeNode>;
  lastKey: string | undefined;
  lastChild: ShapeNode | undefined;
  seeded: boolean;
}

function newShapeNode(): ShapeNode {
  return { children: new Map(), lastKey: undefined, lastChild: undefined, seeded: false };
}

/** The last seeding copy, kept only so that the copy is really made. */
let _seed: unknown;

const MAX_SHAPE_NODES = 10_000;

function flag(flags: FieldFlag[], field: FieldSpec, code: string, cell: CellValue, reason: string): void {
  flags.push({ field: field.key, code, message: `${field.label} "${cellText(cell)}": ${reason}` });
}

function take<T>(result: ParseResult<T>, field: FieldSpec, cell: CellValue, flags: FieldFlag[], code: string): T | undefined {
  if (result.ok === true) return result.value;
  if (result.ok === false) flag(flags, field, code, cell, result.reason);
  return undefined;
}

function normalizeField(plan: FieldPlan, cell: CellValue, data: RecordBuilder, flags: FieldFlag[]): void {
  const { field, key, keys } = plan;
  switch (field.kind) {
    case 'text':
    case 'code': {
      const text = cellText(cell);
      if (text) data.set(key, text);
      return;
    }
    case 'name': {
      const name = normalizeNameShared(cell);
      if (!name) return;
      data.set(key, name.original);
      data.set(keys.match, name.matchForm);
      data.set(keys.pinyin, name.pinyin);
      if (key === 'name') {
        data.set('surname', name.surname);
        data.set('surnamePinyin', name.surnamePinyin);
        if (name.wasTraditional) data.set('nameWasTraditional', true);
      }
      return;
    }
    case 'idNumber': {
      const id = normalizeIdNumber(cell);
      if (id.status === 'empty') return;
      data.set(keys.text, id.original);
      data.set(keys.status, id.status);
      if (id.value) data.set(key, id.value);
      if (id.survivingDigits) data.set(keys.survivingDigits, id.survivingDigits);
      if (id.birthDate) data.set(keys.birthDate, id.birthDate);
      if (id.sex) data.set(keys.sex, id.sex);
      if (id.regionCode) data.set(keys.region, id.regionCode);
      if (id.status !== 'valid' && id.status !== 'upgraded') {
        flag(flags, field, `id_${id.status}`, cell, ID_STATUS_MESSAGES[id.status] ?? id.status);
      }
      return;
    }
    case 'date': {
      const value = take(parseDate(cell), field, cell, flags, 'date_invalid');
      if (value) data.set(key, value);
      return;
    }
    case 'sex': {
      const value = take(normalizeSexShared(cell), field, cell, flags, 'code_unknown');
      if (value) data.set(key, value);
      return;
    }
    case 'ethnicity': {
      const value = take(normalizeEthnicityShared(cell), field, cell, flags, 'code_unknown');
      if (value) data.set(key, value);
      return;
    }
    case 'marital': {
      const value = take(normalizeMaritalStatusShared(cell), field, cell, flags, 'code_unknown');
      if (value) data.set(key, value);
      return;
    }
    case 'relationship': {
      const value = take(normalizeRelationshipShared(cell), field, cell, flags, 'code_unknown');
      if (value) {
        data.set(key, value.code);
        data.set(keys.label, value.label);
      }
      return;
    }
    case 'personStatus': {
      const value = take(normalizePersonStatusShared(cell), field, cell, flags, 'code_unknown');
      if (value) data.set(key, value);
      return;
    }
    case 'phone': {
      const value = take(normalizePhone(cell), field, cell, flags, 'phone_invalid');
      if (value) {
        data.set(key, value.value);
        data.set(keys.kind, value.kind);
      }
      return;
    }
    case 'address': {
      const value = parseAddress(cell);
      if (value) data.set(key, value);
      return;
    }
    case 'integer': {
      const value = take(normalizeInteger(cell), field, cell, flags, 'number_invalid');
      if (value !== undefined) data.set(key, value);
      return;
    }
    case 'amount': {
      const value = take(normalizeAmount(cell), field, cell, flags, 'number_invalid');
      if (value !== undefined) data.set(key, value);
      return;
    }
  }
}

const ID_STATUS_MESSAGES: Record<string, string> = {
  bad_check: 'the check character is wrong (a mistyped digit?)',
  bad_date: 'the birth-date digits are not a real date',
  lost_digits: 'stored as an Excel number, its last digits are lost; not used for matching',
  malformed: 'not an ID number (wrong length or characters)',
};

/** Checks between fields that every source shares. */
function crossCheck(data: RecordData, flags: FieldFlag[]): void {
  const idBirth = data.idNumberBirthDate as string | undefined;
  const usableId = data.idNumberStatus === 'valid' || data.idNumberStatus === 'upgraded';
  if (usableId && typeof data.birthDate === 'string' && idBirth && data.birthDate !== idBirth) {
    flags.push({
      field: 'birthDate',
      code: 'birth_date_disagrees_with_id',
      message: `birth date ${data.birthDate} disagrees with the ID number's ${idBirth}`,
    });
  }
  if (usableId && typeof data.sex === 'string' && data.idNumberSex && (data.sex === '1' || data.sex === '2') && data.sex !== data.idNumberSex) {
    flags.push({
      field: 'sex',
      code: 'sex_disagrees_with_id',
      message: `sex ${data.sex === '1' ? '男' : '女'} disagrees with the ID number's ${data.idNumberSex === '1' ? '男' : '女'}`,
    });
  }
}

/**
 * A birth date after the export was made is a typo (a year or month keyed wrong): it is
 * flagged and not used, so that it neither decides the golden record nor argues against a
 * link. The raw row keeps what was typed.
 */
function checkBirthNotAfterExport(data: RecordData, flags: FieldFlag[], exportDate: string): void {
  const birth = data.birthDate;
  if (typeof birth !== 'string' || !exportDate || birth <= exportDate) return;
  flags.push({ field: 'birthDate', code: 'birth_date_after_export', message: `birth date ${birth} is after the export date ${exportDate}` });
  delete data.birthDate;
}

/** Minimum-allowance rows carry an age on the export date instead of a birth date. */
export function checkAgeAgainstId(data: RecordData, flags: FieldFlag[], exportDate: string): void {
  const idBirth = data.idNumberBirthDate as string | undefined;
  const age = data.age as number | undefined;
  if (age === undefined || !idBirth) return;
  const derived = ageOn(idBirth, exportDate);
  if (Math.abs(derived - age) > 1) {
    flags.push({
      field: 'age',
      code: 'age_disagrees_with_id',
      message: `age ${age} disagrees with the ID number's birth date ${idBirth} (${derived} on ${exportDate})`,
    });
  }
}

/** A key built from the ID number when it is trustworthy enough to name the record. */
export function idKey(data: RecordData, key = 'idNumber'): string | undefined {
  const status = data[`${key}Status`];
  const value = data[key];
  if (typeof value === 'string' && status !== 'lost_digits' && status !== 'malformed') return value;
  return undefined;
}
