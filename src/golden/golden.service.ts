/**
 * Keeps residents' golden records, versions, conflicts and alerts in step with their source
 * records: called by the linker, in its transaction, for the residents a run touched.
 */
import { eventsRepository, type ResidentEventWrite } from '../changes/events.repository.js';
import type { BulkWriter } from '../db/bulk.js';
import { stopwatch } from '../timing.js';
import { goldenRepository as repo, type GoldenWrite, type IssueWrite } from './golden.repository.js';
import type { ResidentSnapshot, StoredRecord } from './resident-build.js';
import { inlineBuilder, workerBuilder, WORKER_MIN_RESIDENTS, type ResidentBuilder } from './resident-builder.js';

export { staleDecisionIssue } from './resident-build.js';

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

/** A chunk's results, written while the next chunk is built. */
interface ChunkWrite {
  chunk: string[];
  writes: GoldenWrite[];
  issues: IssueWrite[];
  done: number;
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
    /** Residents with a reserved id and no row yet (the linker's new ones): inserted whole here. */
    newResidents?: ReadonlySet<string>;
    /** Build on a worker thread: by default when there are at least WORKER_MIN_RESIDENTS. */
    worker?: boolean;
  },
): Promise<GoldenRefreshSummary> {
  const residentIds = [...members.keys()];
  const { timings, lap } = stopwatch();
  const summary: GoldenRefreshSummary = { residents: 0, newVersions: 0, conflictsOpened: 0, alertsOpened: 0, issuesObsoleted: 0, timings };
  const idNumbers = new Set<string>();
  // Appended once for the whole refresh: one COPY (or unnest) however many residents.
  const events: ResidentEventWrite[] = [];
  // The reserved new residents whose rows the writes insert.
  const inserted = new Set<string>();
  // The run's one connection works while this process builds: one chain of statements (never
  // two at once on the connection) writes the previous chunk, then reads the next one.
  const read = async (chunk: string[]) => {
    const records = await repo.storedRecords(writer.db, chunk.flatMap((id) => members.get(id) ?? []));
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
  const onWorker = options.worker ?? residentIds.length >= WORKER_MIN_RESIDENTS;
  const builder: ResidentBuilder = onWorker ? await workerBuilder() : inlineBuilder();
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
      const snapshots: ResidentSnapshot[] = chunk.map((id) => ({
        id,
        records: (members.get(id) ?? []).map((recordId) => records.get(recordId)).filter((r): r is StoredRecord => r !== undefined),
        decisions: decisions.get(id) ?? [],
        state: states.get(id) ?? null,
        reserved: options.newResidents?.has(id) === true,
      }));
      const writes: GoldenWrite[] = [];
      const issues: IssueWrite[] = [];
      for (const outcome of await builder.build(snapshots, !options.allResidents)) {
        if (!outcome.built) continue;
        summary.residents++;
        const write = outcome.write;
        if (write) {
          writes.push(write);
          if (write.isNew) inserted.add(write.id);
          events.push({
            residentId: write.id,
            kind: write.version === 1 ? 'created' : (options.events?.laterKind ?? 'updated'),
            version: write.version,
            runId,
            actionId: options.events?.actionId ?? null,
          });
        }
        for (const issue of outcome.issues) issues.push(issue);
        for (const idNumber of outcome.idNumbers) idNumbers.add(idNumber);
      }
      lap('build');
      const done = Math.min(start + CHUNK, residentIds.length);
      pending = { chunk, writes, issues, done };
    }
    await chain;
    if (pending) await write(pending);
    // A new resident left without a golden record (none of its records could be read) still gets its row.
    if (options.newResidents?.size) {
      const bare = [...options.newResidents].filter((id) => !inserted.has(id));
      await repo.insertResidents(
        writer,
        runId,
        bare.map((id) => ({ id, version: 0, hash: null, name: null, id_number: null, birth_date: null, sources: null, community: null })),
      );
    }
    lap('write');
  } finally {
    // Nothing may still run on the connection when the caller rolls back.
    await chain.catch(() => {});
    await builder.close();
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
