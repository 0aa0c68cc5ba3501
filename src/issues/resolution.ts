/**
 * How an auditor settles a conflict or an alert: which requests fit which finding, the value
 * a picked record holds for the finding's field, and an entered value checked as the field
 * requires. Pure: no I/O.
 */
import { AppError, ErrorCodes } from '../errors.js';
import { readField } from '../golden/survivorship.js';
import { GOLDEN_FIELD_NAMES, type GoldenFieldName, type GoldenInput } from '../golden/types.js';
import { isValidIsoDate, normalizeIdNumber, normalizeName, normalizeSex } from '../normalize/index.js';

export interface ResolveRequest {
  reason: string;
  /** Take the value this record of the resident holds for the finding's field. */
  sourceRecordId?: string;
  /** Enter a value for the finding's field. */
  value?: string;
}

/** What a finding needs to know to be resolved. */
export interface IssueToResolve {
  category: string;
  kind: string;
  details: unknown;
}

export type ResolutionPlan =
  | { via: 'record'; field: GoldenFieldName; sourceRecordId: string; reason: string }
  | { via: 'value'; field: GoldenFieldName; value: string; reason: string }
  | { via: 'acknowledged'; field: GoldenFieldName | null; reason: string };

function invalid(message: string): AppError {
  return new AppError(ErrorCodes.VALIDATION, message);
}

/** The golden field a finding is about: a conflict's, a stale decision's; none for other alerts. */
export function issueField(issue: IssueToResolve): GoldenFieldName | null {
  if (issue.category !== 'conflict' && issue.kind !== 'stale_decision') return null;
  const field = (issue.details as { field?: unknown } | null)?.field;
  return typeof field === 'string' && (GOLDEN_FIELD_NAMES as readonly string[]).includes(field) ? (field as GoldenFieldName) : null;
}

/**
 * What a request asks for, checked against the finding: a conflict is settled with a value
 * (picked or entered); an alert is acknowledged with a reason only; a stale decision either
 * way (acknowledging keeps the auditor's value, a value decides the field again).
 */
export function planResolution(issue: IssueToResolve, request: ResolveRequest): ResolutionPlan {
  const reason = request.reason.trim();
  if (reason === '') throw invalid('a resolution needs a reason');
  if (request.sourceRecordId !== undefined && request.value !== undefined) throw invalid('give either sourceRecordId (pick a record’s value) or value (enter one), not both');
  const field = issueField(issue);
  const decides = request.sourceRecordId !== undefined || request.value !== undefined;
  if (!decides) {
    if (issue.category === 'conflict') throw invalid(`a ${issue.kind} is resolved with a value: give sourceRecordId (the record whose value is right) or value`);
    return { via: 'acknowledged', field, reason };
  }
  if (field === null) throw invalid(`a ${issue.kind} alert concerns no single field: it is acknowledged with a reason only`);
  if (request.sourceRecordId !== undefined) return { via: 'record', field, sourceRecordId: request.sourceRecordId, reason };
  return { via: 'value', field, value: request.value!, reason };
}

/** The value `member` holds for `field` as survivorship reads it; undefined when it holds none usable. */
export function valueOfRecord(field: GoldenFieldName, member: GoldenInput): unknown {
  const reading = readField(field, member);
  if (reading === null) return undefined;
  // The status rule reads { value, date }; the golden record keeps the status itself.
  if (field === 'status') return (reading.value as { value: unknown }).value;
  return reading.value;
}

export type FieldValueCheck = { ok: true; value: string } | { ok: false; message: string };

/**
 * An entered value for `field`, in the form the golden record keeps it: a real date for the
 * birth date (YYYY-MM-DD), a valid GB 11643 number (18 characters, check character right, X
 * upper-case; a valid 15-digit number upgraded), a GB/T 2261.1 code for sex (男/女 accepted),
 * a name as written.
 */
export function checkFieldValue(field: GoldenFieldName, input: string): FieldValueCheck {
  const text = input.normalize('NFKC').trim();
  switch (field) {
    case 'birthDate':
      if (!isValidIsoDate(text)) return { ok: false, message: `birthDate must be a real date written YYYY-MM-DD, got "${input}"` };
      if (text < '1880-01-01') return { ok: false, message: `birthDate ${text} is before 1880` };
      return { ok: true, value: text };
    case 'idNumber': {
      const id = normalizeIdNumber(text);
      if ((id.status === 'valid' || id.status === 'upgraded') && id.value !== undefined) return { ok: true, value: id.value };
      return { ok: false, message: `idNumber must be a valid GB 11643 citizen ID number (${id.status})` };
    }
    case 'sex': {
      const sex = normalizeSex(text);
      if (sex.ok === true) return { ok: true, value: sex.value };
      return { ok: false, message: `sex must be a GB/T 2261.1 code (0, 1, 2, 9) or 男/女, got "${input}"` };
    }
    case 'name': {
      const name = text.length <= 50 ? normalizeName(text) : null;
      if (name === null || name.matchForm === '') return { ok: false, message: 'name must be a name of 1 to 50 characters' };
      return { ok: true, value: name.original };
    }
    default:
      return { ok: false, message: `values for ${field} are not entered here: pick the record whose value is right (sourceRecordId)` };
  }
}
