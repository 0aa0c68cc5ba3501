/**
 * One resident's golden record, version, conflicts and alerts, from its records as stored:
 * everything the golden stage computes per resident, in one pure function over plain data, so
 * that it runs the same inline or in a worker thread (resident-builder.ts). The records' data
 * arrive as their JSON text and are parsed here: on a worker, the parsing leaves the main
 * thread too. Pure.
 */
import { hash } from 'node:crypto';
import type { SourceName } from '../../adapters/types.js';
import type { ConflictField } from './conflicts.js';
import { detectAlerts, detectConflicts } from './conflicts.js';
import type { GoldenWrite, IssueWrite, ResidentState } from './golden.repository.js';
import { stableStringify } from './stable-json.js';
import { buildGoldenRecord, hasValidId } from './survivorship.js';
import type { AuditorDecision, GoldenInput, GoldenRecord, IssueResolution, StaleDecision } from './types.js';
import { diffGolden, goldenJsonHash } from './version.js';

/** A source record as read for survivorship: its normalised data still as stored JSON text. */
export interface StoredRecord {
  recordId: string;
  source: SourceName;
  present: boolean;
  dataJson: string;
  /** ISO date of the import batch, for records whose data name no export date. */
  batchDate: string;
}

/** A resident as the golden stage finds it: its records, the auditors' standing decisions, its current version. */
export interface ResidentSnapshot {
  id: string;
  records: StoredRecord[];
  decisions: AuditorDecision[];
  /** null: no row yet (a new resident, its id reserved) or a resident never given a version. */
  state: Omit<ResidentState, 'id'> | null;
  /** The id was reserved for it by the linker and its row is inserted with this version. */
  reserved: boolean;
}

export interface ResidentOutcome {
  id: string;
  /** False when none of its records could be read (then nothing else is set). */
  built: boolean;
  /** Present when anything changed: the new version to store. */
  write: GoldenWrite | null;
  issues: IssueWrite[];
  /** Its records' usable ID numbers (for the shared-ID-number check), when asked for. */
  idNumbers: string[];
}

/** A stored record as survivorship reads it. */
export function toGoldenInput(record: StoredRecord): GoldenInput {
  const data = JSON.parse(record.dataJson) as Record<string, unknown>;
  const observedAt = typeof data.exportDate === 'string' && data.exportDate ? data.exportDate : record.batchDate;
  return { recordId: record.recordId, source: record.source, present: record.present, data, observedAt };
}

/** What a version is a version of: the golden record and the records behind it. */
function versionHash(goldenHashValue: string, members: readonly string[]): string {
  // One-shot over the concatenation: the same digest as updating a Hash with each part.
  return hash('sha256', `${goldenHashValue}|${members.join(',')}`);
}

/** `withIdNumbers`: also list the usable ID numbers (a refresh of some residents checks those for sharing). */
export function buildResident(snapshot: ResidentSnapshot, withIdNumbers: boolean): ResidentOutcome {
  const { id, state } = snapshot;
  if (snapshot.records.length === 0) return { id, built: false, write: null, issues: [], idNumbers: [] };
  const list = snapshot.records.map(toGoldenInput);
  const golden = buildGoldenRecord(list, snapshot.decisions);
  const memberIds = list.map((m) => m.recordId).sort();
  // Its stable JSON is both what the hash covers and what is stored.
  const goldenJson = stableStringify(golden);
  const hash = versionHash(goldenJsonHash(goldenJson), memberIds);
  let write: GoldenWrite | null = null;
  if (state?.goldenHash !== hash) {
    // A first version is all additions: its golden record says it.
    const changes = state?.goldenJson ? diffGolden(JSON.parse(state.goldenJson) as GoldenRecord, golden) : null;
    write = {
      id,
      version: (state?.version ?? 0) + 1,
      goldenJson,
      goldenHash: hash,
      columns: {
        name: golden.name?.value ?? null,
        idNumber: golden.idNumber?.value ?? null,
        birthDate: golden.birthDate?.value ?? null,
        sources: golden.sources.join(','),
        community: golden.currentAddress?.value.community ?? null,
      },
      changesJson: changes === null ? null : JSON.stringify(changes),
      members: memberIds,
      isNew: state === null && snapshot.reserved,
    };
  }
  const issues: IssueWrite[] = [];
  for (const conflict of detectConflicts(list, golden)) {
    issues.push({
      residentId: id,
      category: 'conflict',
      kind: conflict.kind,
      severity: conflict.severity,
      fingerprint: `${conflict.kind}|${stableStringify(conflict.values.map((v) => v.value).sort())}`,
      details: conflict,
      status: conflict.resolved ? 'resolved' : 'open',
      ...(conflict.resolved ? { resolution: standingResolution(golden, conflict.field) } : {}),
    });
  }
  for (const alert of detectAlerts(list, golden)) {
    const statusRecord = alert.kind === 'shared_id_number' ? '' : (alert.statusRecordId ?? '');
    issues.push({ residentId: id, category: 'alert', kind: alert.kind, severity: alert.severity, fingerprint: `${alert.kind}|${statusRecord}`, details: alert, status: 'open' });
  }
  for (const stale of golden.staleDecisions) issues.push(staleDecisionIssue(id, stale));
  return { id, built: true, write, issues, idNumbers: withIdNumbers ? usableIdNumbers(list) : [] };
}

/** The alert that an auditor's decision no longer matches the record it was taken from. */
export function staleDecisionIssue(residentId: string, stale: StaleDecision): IssueWrite {
  const message =
    stale.change === 'record_missing'
      ? `the record the auditor's ${stale.field} was taken from is no longer the resident's; the auditor's value is kept`
      : `the record the auditor's ${stale.field} was taken from now says otherwise; the auditor's value is kept`;
  return {
    residentId,
    category: 'alert',
    kind: 'stale_decision',
    severity: 'medium',
    // A new current value is a new finding; the same one stays acknowledged once acknowledged.
    fingerprint: `stale_decision|${stale.field}|${stale.sourceRecordId}|${stale.change}|${stableStringify(stale.currentValue ?? null)}`,
    details: { kind: 'stale_decision', severity: 'medium', ...stale, currentValue: stale.currentValue ?? null, message },
    status: 'open',
  };
}

/** A conflict found already settled by an auditor's standing decision on its field. */
function standingResolution(golden: GoldenRecord, field: ConflictField): IssueResolution {
  const decided = golden[field];
  return { via: 'standing_decision', field, reason: decided?.reason ?? null, decidedAt: decided?.decidedAt ?? null, sourceRecordId: decided?.sourceRecordId ?? null };
}

function usableIdNumbers(members: readonly GoldenInput[]): string[] {
  const out: string[] = [];
  for (const m of members) {
    const id = m.data.idNumber;
    if (typeof id === 'string' && hasValidId(m.data)) out.push(id);
  }
  return out;
}
