/**
 * Versions of a golden record: what changed between two computations (every change makes a
 * new version), and a stable hash to tell quickly whether anything did. Pure.
 */
import { hash } from 'node:crypto';
import { stableStringify } from './stable-json.js';
import type { GoldenField, GoldenRecord, Provenance } from './types.js';

export { stableStringify };

export type ChangeKind = 'added' | 'removed' | 'value' | 'provenance';

export interface FieldChange {
  /** 'name', 'allowance.category', 'status', 'status.date', 'formerNames', 'sources', … */
  field: string;
  /** added: the field had no value; removed: it has none now; value: the value changed; provenance: same value, another record or rule. */
  kind: ChangeKind;
  from: unknown;
  to: unknown;
  fromProvenance: Provenance | null;
  toProvenance: Provenance | null;
}

type FieldGetter = (golden: GoldenRecord) => GoldenField<unknown> | null | undefined;

/** The traced fields, in the order changes are reported. */
const TRACED: readonly [string, FieldGetter][] = [
  ['name', (g) => g.name],
  ['idNumber', (g) => g.idNumber],
  ['birthDate', (g) => g.birthDate],
  ['sex', (g) => g.sex],
  ['ethnicity', (g) => g.ethnicity],
  ['maritalStatus', (g) => g.maritalStatus],
  ['phone', (g) => g.phone],
  ['registeredAddress', (g) => g.registeredAddress],
  ['currentAddress', (g) => g.currentAddress],
  ['status', (g) => g.status],
  ['allowance.category', (g) => g.allowance?.category],
  ['allowance.monthlyAmount', (g) => g.allowance?.monthlyAmount],
  ['allowance.approvedOn', (g) => g.allowance?.approvedOn],
];

/** Untraced parts of the record, compared as wholes. */
const PLAIN: readonly [string, (golden: GoldenRecord) => unknown][] = [
  ['status.date', (g) => g.status?.date ?? null],
  ['formerNames', (g) => g.formerNames],
  ['sources', (g) => g.sources],
  ['staleDecisions', (g) => g.staleDecisions],
];

function provenanceOf(field: GoldenField<unknown> | null | undefined): Provenance | null {
  if (field === null || field === undefined) return null;
  return { sourceRecordId: field.sourceRecordId, source: field.source, rule: field.rule };
}

/** Provenance as compared: the record, the rule and an auditor's reason and date. */
function provenanceKey(field: GoldenField<unknown>): string {
  return stableStringify({ ...provenanceOf(field), reason: field.reason, decidedAt: field.decidedAt });
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (Array.isArray(value) && value.length === 0);
}

/**
 * The fields that differ between two versions of a resident's golden record, each with its
 * old and new value and where each came from. With no previous version every field that has
 * a value is 'added'.
 */
export function diffGolden(previous: GoldenRecord | undefined, next: GoldenRecord): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, get] of TRACED) {
    const before = previous === undefined ? null : (get(previous) ?? null);
    const after = get(next) ?? null;
    if (before === null && after === null) continue;
    const base = { field, from: before?.value ?? null, to: after?.value ?? null, fromProvenance: provenanceOf(before), toProvenance: provenanceOf(after) };
    if (before === null) changes.push({ ...base, kind: 'added' });
    else if (after === null) changes.push({ ...base, kind: 'removed' });
    else if (stableStringify(before.value) !== stableStringify(after.value)) changes.push({ ...base, kind: 'value' });
    else if (provenanceKey(before) !== provenanceKey(after)) changes.push({ ...base, kind: 'provenance' });
  }
  for (const [field, get] of PLAIN) {
    const before = previous === undefined ? null : get(previous);
    const after = get(next);
    if (stableStringify(before ?? null) === stableStringify(after ?? null)) continue;
    const kind: ChangeKind = isEmpty(before) ? 'added' : isEmpty(after) ? 'removed' : 'value';
    if (kind === 'added' && isEmpty(after)) continue; // [] vs nothing
    changes.push({ field, kind, from: before ?? null, to: after ?? null, fromProvenance: null, toProvenance: null });
  }
  return changes;
}

/** A stable fingerprint of a golden record (sha-256 of its JSON with sorted keys). */
export function goldenHash(golden: GoldenRecord): string {
  return goldenJsonHash(stableStringify(golden));
}

/** goldenHash of a golden record already written as stableStringify(golden). */
export function goldenJsonHash(goldenJson: string): string {
  // One-shot: the same digest as a Hash object's, without making one per resident.
  return hash('sha256', goldenJson);
}
