import {
  cellText,
  normalizeAmount,
  normalizeEthnicity,
  normalizeIdNumber,
  normalizeInteger,
  normalizeMaritalStatus,
  normalizeName,
  normalizePersonStatus,
  normalizePhone,
  normalizeRelationship,
  normalizeSex,
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
  return {
    source: definition.source,
    systemName: definition.systemName,
    fields: definition.fields,
    toRecord(row: MappedRow, context: RowContext): AdapterResult {
      const data: RecordData = {};
      const flags: FieldFlag[] = [];
      for (const field of definition.fields) {
        const cell = row.get(field.key);
        if (cell === undefined || cell === null || (typeof cell === 'string' && cell.trim() === '')) continue;
        normalizeField(field, cell, data, flags);
      }
      if (!data.name && !data.idNumberText) {
        return {
          ok: false,
          reasons: [{ field: 'name', code: 'no_name_no_id', message: 'the row has neither a name nor an ID number' }],
        };
      }
      crossCheck(data, flags);
      definition.finish?.(data, flags, context);
      return { ok: true, naturalKey: definition.naturalKey(data, row), data, flags };
    },
  };
}

function flag(flags: FieldFlag[], field: FieldSpec, code: string, cell: CellValue, reason: string): void {
  flags.push({ field: field.key, code, message: `${field.label} "${cellText(cell)}": ${reason}` });
}

function take<T>(result: ParseResult<T>, field: FieldSpec, cell: CellValue, flags: FieldFlag[], code: string): T | undefined {
  if (result.ok === true) return result.value;
  if (result.ok === false) flag(flags, field, code, cell, result.reason);
  return undefined;
}

function normalizeField(field: FieldSpec, cell: CellValue, data: RecordData, flags: FieldFlag[]): void {
  const key = field.key;
  switch (field.kind) {
    case 'text':
    case 'code': {
      const text = cellText(cell);
      if (text) data[key] = text;
      return;
    }
    case 'name': {
      const name = normalizeName(cell);
      if (!name) return;
      data[key] = name.original;
      data[`${key}Match`] = name.matchForm;
      data[`${key}Pinyin`] = name.pinyin;
      if (key === 'name') {
        data.surname = name.surname;
        data.surnamePinyin = name.surnamePinyin;
        if (name.wasTraditional) data.nameWasTraditional = true;
      }
      return;
    }
    case 'idNumber': {
      const id = normalizeIdNumber(cell);
      if (id.status === 'empty') return;
      data[`${key}Text`] = id.original;
      data[`${key}Status`] = id.status;
      if (id.value) data[key] = id.value;
      if (id.survivingDigits) data[`${key}SurvivingDigits`] = id.survivingDigits;
      if (id.birthDate) data[`${key}BirthDate`] = id.birthDate;
      if (id.sex) data[`${key}Sex`] = id.sex;
      if (id.regionCode) data[`${key}Region`] = id.regionCode;
      if (id.status !== 'valid' && id.status !== 'upgraded') {
        flag(flags, field, `id_${id.status}`, cell, ID_STATUS_MESSAGES[id.status] ?? id.status);
      }
      return;
    }
    case 'date': {
      const value = take(parseDate(cell), field, cell, flags, 'date_invalid');
      if (value) data[key] = value;
      return;
    }
    case 'sex': {
      const value = take(normalizeSex(cell), field, cell, flags, 'code_unknown');
      if (value) data[key] = value;
      return;
    }
    case 'ethnicity': {
      const value = take(normalizeEthnicity(cell), field, cell, flags, 'code_unknown');
      if (value) data[key] = value;
      return;
    }
    case 'marital': {
      const value = take(normalizeMaritalStatus(cell), field, cell, flags, 'code_unknown');
      if (value) data[key] = value;
      return;
    }
    case 'relationship': {
      const value = take(normalizeRelationship(cell), field, cell, flags, 'code_unknown');
      if (value) {
        data[key] = value.code;
        data[`${key}Label`] = value.label;
      }
      return;
    }
    case 'personStatus': {
      const value = take(normalizePersonStatus(cell), field, cell, flags, 'code_unknown');
      if (value) data[key] = value;
      return;
    }
    case 'phone': {
      const value = take(normalizePhone(cell), field, cell, flags, 'phone_invalid');
      if (value) {
        data[key] = value.value;
        data[`${key}Kind`] = value.kind;
      }
      return;
    }
    case 'address': {
      const value = parseAddress(cell);
      if (value) data[key] = value;
      return;
    }
    case 'integer': {
      const value = take(normalizeInteger(cell), field, cell, flags, 'number_invalid');
      if (value !== undefined) data[key] = value;
      return;
    }
    case 'amount': {
      const value = take(normalizeAmount(cell), field, cell, flags, 'number_invalid');
      if (value !== undefined) data[key] = value;
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
