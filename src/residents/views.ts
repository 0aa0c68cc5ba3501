/**
 * What the resident endpoints show, built from stored golden records, source records, issues
 * and versions, redacted for the caller's role (src/access/field-policy.ts) as the response is
 * built. Pure: no I/O.
 */
import { fieldTreatment, redactGolden, redactRecord, type RedactedGolden } from '../access/field-policy.js';
import type { Role } from '../access/roles.js';
import type { SourceName } from '../../adapters/types.js';
import type { FieldChange } from '../golden/version.js';
import type { GoldenRecord } from '../golden/types.js';

/** A resident in a list: enough to recognise the person, nothing more. */
export interface ResidentSummary {
  name: string | null;
  /** Absent when the role may not see ID numbers at all; masked unless it may see them in full. */
  idNumber?: string | null;
  birthDate: string | null;
  sex: string | null;
  status: string | null;
  sources: string[];
  /** The 社区/村 of the current address (else of the registered one). */
  community: string | null;
}

/** An address field cut down to the community, the only part a summary shows. */
function communityOnly(field: GoldenRecord['currentAddress']): GoldenRecord['currentAddress'] {
  if (!field) return field;
  return { ...field, value: { community: field.value.community } as typeof field.value };
}

export function residentSummary(role: Role, golden: GoldenRecord): ResidentSummary {
  // Only the fields a summary shows are redacted (the policy applies field by field): a search
  // page redacts twenty of these, not twenty whole records.
  const shown = {
    name: golden.name,
    birthDate: golden.birthDate,
    sex: golden.sex,
    status: golden.status,
    sources: golden.sources,
    idNumber: golden.idNumber,
    currentAddress: communityOnly(golden.currentAddress),
    registeredAddress: communityOnly(golden.registeredAddress),
  } as GoldenRecord;
  const g = redactGolden(role, shown);
  const address = g.currentAddress?.value ?? g.registeredAddress?.value;
  const summary: ResidentSummary = {
    name: g.name?.value ?? null,
    birthDate: g.birthDate?.value ?? null,
    sex: g.sex?.value ?? null,
    status: g.status?.value ?? null,
    sources: g.sources ?? [],
    community: address?.community ?? null,
  };
  if ('idNumber' in g) summary.idNumber = g.idNumber?.value ?? null;
  return summary;
}

/** A linked source record as the detail view shows it. */
export interface LinkedRecordRow {
  id: string;
  source: string;
  fileName: string;
  rowNumber: number;
  present: boolean;
  version: number;
  probability: number;
  method: string;
  data: Record<string, unknown>;
}

export interface LinkedRecordView {
  id: string;
  source: string;
  file: string;
  row: number;
  present: boolean;
  version: number;
  link: { probability: number; method: string };
  data: Record<string, unknown>;
}

export function linkedRecordView(role: Role, r: LinkedRecordRow): LinkedRecordView {
  return {
    id: r.id,
    source: r.source,
    file: r.fileName,
    row: r.rowNumber,
    present: r.present,
    version: r.version,
    link: { probability: r.probability, method: r.method },
    data: redactRecord(role, r.data, r.source as SourceName),
  };
}

export interface IssueRow {
  id: string;
  category: string;
  kind: string;
  severity: string;
  details: unknown;
  createdAt: string;
}

export interface IssueView extends Omit<IssueRow, 'details'> {
  details: Record<string, unknown>;
}

/**
 * Whether `role` may see an issue at all: a conflict over a field it may not see, or an alert
 * about an allowance (welfare, which it may not see), is left out, since its very presence
 * tells what the removed field would.
 */
export function issueVisible(role: Role, issue: Pick<IssueRow, 'kind' | 'details'>): boolean {
  if (issue.kind.includes('allowance') && fieldTreatment(role, 'allowance') === 'removed') return false;
  const field = issue.details !== null && typeof issue.details === 'object' ? (issue.details as { field?: unknown }).field : undefined;
  return typeof field !== 'string' || fieldTreatment(role, field) !== 'removed';
}

export function issueView(role: Role, issue: IssueRow): IssueView {
  const details = issue.details !== null && typeof issue.details === 'object' && !Array.isArray(issue.details) ? (issue.details as Record<string, unknown>) : { value: issue.details };
  return { ...issue, details: redactRecord(role, details) };
}

/** One change of a version, its values as the role may see them. */
export interface ChangeView {
  field: string;
  kind: string;
  from?: unknown;
  to?: unknown;
}

/**
 * A version's changes for `role`: a field the role may not see at all is left out (not even
 * that it changed shows); the values of the others are masked as the field's own values are.
 */
export function changeViews(role: Role, changes: readonly FieldChange[] | null): ChangeView[] {
  if (changes === null) return [];
  const out: ChangeView[] = [];
  for (const c of changes) {
    if (fieldTreatment(role, c.field) === 'removed') continue;
    // { field, value } lets the policy's walk treat the value as the named field's own.
    const from = redactRecord(role, { field: c.field, value: c.from ?? null }).value;
    const to = redactRecord(role, { field: c.field, value: c.to ?? null }).value;
    out.push({ field: c.field, kind: c.kind, from, to });
  }
  return out;
}

export interface VersionRow {
  version: number;
  createdAt: string;
  runId: string | null;
  changes: FieldChange[] | null;
  members: string[];
  golden: GoldenRecord;
}

export interface VersionView {
  version: number;
  createdAt: string;
  runId: string | null;
  changes: ChangeView[];
  members: string[];
  golden: RedactedGolden;
}

export function versionView(role: Role, v: VersionRow): VersionView {
  return { version: v.version, createdAt: v.createdAt, runId: v.runId, changes: changeViews(role, v.changes), members: v.members, golden: redactGolden(role, v.golden) };
}
