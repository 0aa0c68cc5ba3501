/**
 * Keeps residents' golden records, versions, conflicts and alerts in step with their source
 * records: called by the linker, in its transaction, for the residents a run touched.
 */
import { createHash } from 'node:crypto';
import type { BulkWriter } from '../db/bulk.js';
import { stopwatch } from '../timing.js';
import { detectAlerts, detectConflicts } from './conflicts.js';
import { goldenRepository as repo, type GoldenWrite, type IssueWrite } from './golden.repository.js';
import { stableStringify } from './stable-json.js';
import { buildGoldenRecord, hasValidId } from './survivorship.js';
import type { GoldenInput } from './types.js';
import { diffGolden, goldenHash } from './version.js';

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

/** What a version is a version of: the golden record and the records behind it. */
function versionHash(goldenHashValue: string, members: readonly string[]): string {
  return createHash('sha256').update(goldenHashValue).update('|').update(members.join(',')).digest('hex');
}

/**
 * Rebuilds the golden record of each resident in `members` (resident id → its source record
 * ids), writes a new version where anything changed, and refreshes their conflicts and alerts.
 * `allResidents`: these are every resident (a full run), so district-wide checks run once.
 */
export async function refreshGolden(
  writer: BulkWriter,
  runId: string,
  members: ReadonlyMap<string, readonly string[]>,
  options: { allResidents: boolean; onProgress?: (done: number, total: number) => void },
): Promise<GoldenRefreshSummary> {
  const residentIds = [...members.keys()];
  const { timings, lap } = stopwatch();
  const summary: GoldenRefreshSummary = { residents: 0, newVersions: 0, conflictsOpened: 0, alertsOpened: 0, issuesObsoleted: 0, timings };
  const idNumbers = new Set<string>();
  for (let start = 0; start < residentIds.length; start += CHUNK) {
    const chunk = residentIds.slice(start, start + CHUNK);
    const recordIds = chunk.flatMap((id) => members.get(id) ?? []);
    const [records, states] = await Promise.all([repo.records(writer.db, recordIds), repo.states(writer.db, chunk)]);
    lap('read');
    const writes: GoldenWrite[] = [];
    const issues: IssueWrite[] = [];
    for (const id of chunk) {
      const list = (members.get(id) ?? []).map((recordId) => records.get(recordId)).filter((m) => m !== undefined);
      if (list.length === 0) continue;
      summary.residents++;
      const golden = buildGoldenRecord(list);
      const memberIds = list.map((m) => m.recordId).sort();
      const hash = versionHash(goldenHash(golden), memberIds);
      const state = states.get(id);
      if (state?.goldenHash !== hash) {
        writes.push({
          id,
          version: (state?.version ?? 0) + 1,
          golden,
          goldenHash: hash,
          // A first version is all additions: its golden record says it.
          changes: state?.golden ? diffGolden(state.golden, golden) : null,
          members: memberIds,
        });
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
        });
      }
      for (const alert of detectAlerts(list, golden)) {
        const statusRecord = alert.kind === 'shared_id_number' ? '' : (alert.statusRecordId ?? '');
        issues.push({ residentId: id, category: 'alert', kind: alert.kind, severity: alert.severity, fingerprint: `${alert.kind}|${statusRecord}`, details: alert, status: 'open' });
      }
      if (!options.allResidents) for (const idNumber of usableIdNumbers(list)) idNumbers.add(idNumber);
    }
    lap('build');
    await repo.writeGolden(writer, runId, writes);
    lap('write');
    summary.newVersions += writes.length;
    const written = await repo.writeIssues(writer.db, runId, chunk, issues, 'all');
    summary.conflictsOpened += written.conflictsOpened;
    summary.alertsOpened += written.alertsOpened;
    summary.issuesObsoleted += written.obsoleted;
    lap('issues');
    options.onProgress?.(Math.min(start + CHUNK, residentIds.length), residentIds.length);
  }

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

function usableIdNumbers(members: readonly GoldenInput[]): string[] {
  const out: string[] = [];
  for (const m of members) {
    const id = m.data.idNumber;
    if (typeof id === 'string' && hasValidId(m.data)) out.push(id);
  }
  return out;
}
