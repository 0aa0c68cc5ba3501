/**
 * Keeps residents' golden records, versions, conflicts and alerts in step with their source
 * records: called by the linker, in its transaction, for the residents a run touched.
 */
import { createHash } from 'node:crypto';
import { eventsRepository, type ResidentEventWrite } from '../changes/events.repository.js';
import type { BulkWriter } from '../db/bulk.js';
import { stopwatch } from '../timing.js';
import { detectAlerts, detectConflicts, type ConflictField } from './conflicts.js';
import { goldenRepository as repo, type GoldenWrite, type IssueWrite } from './golden.repository.js';
import { stableStringify } from './stable-json.js';
import { buildGoldenRecord, hasValidId } from './survivorship.js';
import type { GoldenInput, GoldenRecord, IssueResolution, StaleDecision } from './types.js';
import { diffGolden, goldenJsonHash } from './version.js';

export interface GoldenRefreshSummary {
  residents: number;
  newVersions: number;
  conflictsOpened: number;
  alertsOpened: number;
  issuesObsoleted: number;
  /** Seconds per step. */
  timings: Record<string, number>;
}

const CHUNK = 2_000;
const YIELD_EVERY = 250;

/** A chunk's results, written while the next chunk is built. */
interface ChunkWrite {
  chunk: string[];
  writes: GoldenWrite[];
  issues: IssueWrite[];
  done: number;
}

/** What a version is a version of: the golden record and the records behind it. */
function versionHash(goldenHashValue: string, members: readonly string[]): string {
  return createHash('sha256').update(goldenHashValue).update('|').update(members.join(',')).digest('hex');
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

/**
 * Rebuilds the golden record of each resident in `members` (resident id → its source record
 * ids) with the auditors' standing field decisions, writes a new version where anything
 * changed (each with its event in the changes feed), and refreshes their conflicts and alerts.
 * `allResidents`: these are every resident (a full run), so district-wide checks run once.
 * `runId` null: a refresh outside a link run (an auditor's resolution or action). `events`: the
 * auditor action the new versions' events belong to, and the kind of a later version's event
 * ('restored' for an undo; 'updated' by default).
 */
export async function refreshGolden(
  writer: BulkWriter,
  runId: string | null,
  members: ReadonlyMap<string, readonly string[]>,
  options: {
    allResidents: boolean;
    onProgress?: (done: number, total: number) => void;
    events?: { actionId?: string | null; laterKind?: 'updated' | 'restored' };
  },
): Promise<GoldenRefreshSummary> {
  const residentIds = [...members.keys()];
  const { timings, lap } = stopwatch();
  const summary: GoldenRefreshSummary = { residents: 0, newVersions: 0, conflictsOpened: 0, alertsOpened: 0, issuesObsoleted: 0, timings };
  const idNumbers = new Set<string>();
  // Appended once for the whole refresh: one COPY (or unnest) however many residents.
  const events: ResidentEventWrite[] = [];
  // The run's one connection works while this process builds: one chain of statements (never
  // two at once on the connection) writes the previous chunk, then reads the next one.
  const read = async (chunk: string[]) => {
    const records = await repo.records(writer.db, chunk.flatMap((id) => members.get(id) ?? []));
    const states = await repo.states(writer.db, chunk);
    const decisions = await repo.decisions(writer.db, chunk);
    return { records, states, decisions };
  };
  const write = async ({ chunk, writes, issues, done }: ChunkWrite) => {
    await repo.writeGolden(writer, runId, writes);
    const written = await repo.writeIssues(writer.db, runId, chunk, issues, 'all');
    summary.newVersions += writes.length;
    summary.conflictsOpened += written.conflictsOpened;
    summary.alertsOpened += written.alertsOpened;
    summary.issuesObsoleted += written.obsoleted;
    options.onProgress?.(done, residentIds.length);
  };
  // Plain data between iterations, never a closure made inside the loop: such a closure keeps
  // its whole iteration's scope alive, and one that refers to the previous one chains every
  // chunk's records into memory until the end (1.3 GB on the seed district).
  const writeThenRead = async (previous: ChunkWrite | undefined, nextChunk: string[]) => {
    if (previous) await write(previous);
    return nextChunk.length ? read(nextChunk) : undefined;
  };
  let pending: ChunkWrite | undefined;
  let chain: Promise<Awaited<ReturnType<typeof read>> | undefined> = residentIds.length ? read(residentIds.slice(0, CHUNK)) : Promise.resolve(undefined);
  try {
    for (let start = 0; start < residentIds.length; start += CHUNK) {
      const chunk = residentIds.slice(start, start + CHUNK);
      // Defined: a next chunk was read whenever the loop goes on.
      const { records, states, decisions } = (await chain)!;
      const nextChunk = residentIds.slice(start + CHUNK, start + 2 * CHUNK);
      chain = writeThenRead(pending, nextChunk);
      pending = undefined;
      // Handled where it is awaited.
      chain.catch(() => {});
      lap('read');
      const writes: GoldenWrite[] = [];
      const issues: IssueWrite[] = [];
      for (const [index, id] of chunk.entries()) {
        // Now and then let the previous chunk's writes send their next statement.
        if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
        const list = (members.get(id) ?? []).map((recordId) => records.get(recordId)).filter((m) => m !== undefined);
        if (list.length === 0) continue;
        summary.residents++;
        const golden = buildGoldenRecord(list, decisions.get(id) ?? []);
        const memberIds = list.map((m) => m.recordId).sort();
        // Its stable JSON is both what the hash covers and what is stored.
        const goldenJson = stableStringify(golden);
        const hash = versionHash(goldenJsonHash(goldenJson), memberIds);
        const state = states.get(id);
        if (state?.goldenHash !== hash) {
          const version = (state?.version ?? 0) + 1;
          writes.push({
            id,
            version,
            golden,
            goldenJson,
            goldenHash: hash,
            // A first version is all additions: its golden record says it.
            changes: state?.golden ? diffGolden(state.golden, golden) : null,
            members: memberIds,
          });
          events.push({ residentId: id, kind: version === 1 ? 'created' : (options.events?.laterKind ?? 'updated'), version, runId, actionId: options.events?.actionId ?? null });
        }
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
        if (!options.allResidents) for (const idNumber of usableIdNumbers(list)) idNumbers.add(idNumber);
      }
      lap('build');
      const done = Math.min(start + CHUNK, residentIds.length);
      pending = { chunk, writes, issues, done };
    }
    await chain;
    if (pending) await write(pending);
    lap('write');
  } finally {
    // Nothing may still run on the connection when the caller rolls back.
    await chain.catch(() => {});
  }
  await eventsRepository.append(writer, events);
  lap('events');

  // One ID number held by records of different residents.
  let scope: string[] | 'all' = 'all';
  if (!options.allResidents) {
    for (const idNumber of await repo.sharedIdNumbersAlerted(writer.db, residentIds)) idNumbers.add(idNumber);
    scope = [...idNumbers].sort();
  }
  const holders = await repo.sharedIdNumbers(writer.db, scope);
  const shared: IssueWrite[] = [];
  for (const [idNumber, residents] of [...holders].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const sorted = [...residents].sort();
    for (const residentId of sorted) {
      shared.push({
        residentId,
        category: 'alert',
        kind: 'shared_id_number',
        severity: 'high',
        fingerprint: `shared_id_number|${idNumber}`,
        details: { kind: 'shared_id_number', severity: 'high', idNumber, residentKeys: sorted, message: `one ID number is held by records of ${sorted.length} different residents` },
        status: 'open',
      });
    }
  }
  const written = await repo.writeIssues(writer.db, runId, [], shared, []);
  summary.alertsOpened += written.alertsOpened;
  summary.issuesObsoleted += await repo.settleSharedIdAlerts(writer.db, scope, holders, runId);
  lap('shared_id');
  return summary;
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
