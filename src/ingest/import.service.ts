import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { adapterFor } from '../../adapters/index.js';
import type { DatabaseHandle } from '../db/database.js';
import type { SourceName } from '../../adapters/types.js';
import type { Database, ImportBatch, ImportFile } from '../db/schema.js';
import { AppError, ErrorCodes, isAppError } from '../errors.js';
import { importRepository as repo, type CompletedFile, type ExistingRecord, type RecordCopy, type RecordWrite, type RejectWrite } from './import.repository.js';
import { prepareRow, type PreparedRow } from './prepare-row.js';
import { openSourceFile, type OpenedSourceFile } from './source-file.js';
import type { ReaderLimits } from './types.js';
import { SheetWorkerPool } from './worker-host.js';

export interface ImportProgress {
  batchId: string;
  phase: 'reading' | 'finishing' | 'done';
  fileIndex: number;
  fileCount: number;
  fileName: string;
  /** Data rows handled so far in the whole batch. */
  rowsDone: number;
  /** Bytes of the batch's files already handled, of bytesTotal: a progress bar's measure. */
  bytesDone: number;
  bytesTotal: number;
  accepted: number;
  rejected: number;
}

export interface StagedImport {
  /** Deterministic: the same source and the same files give the same job id. */
  jobId: string;
  batch?: ImportBatch;
  /** Every file is identical to one already imported: nothing to do. */
  noOp: boolean;
  files: { name: string; sha256: string; alreadyImportedInBatch?: string }[];
}

export interface ImportOptions {
  /**
   * The files are part of the source's records only (one community's export, say): records
   * not in them are not marked as no longer present.
   */
  partial?: boolean;
  requestedBy?: string;
  readerLimits?: Partial<ReaderLimits>;
}

const CHUNK_ROWS = 2000;
const STREAMED_ROWS_PER_WRITE = 100;

export async function sha256File(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Records an import request: hashes the files, skips those already imported, and creates the
 * batch the job will process. Re-staging the same request returns the same batch.
 */
export async function stageImport(
  db: Kysely<Database>,
  source: SourceName,
  filePaths: string[],
  options: ImportOptions = {},
): Promise<StagedImport> {
  adapterFor(source);
  if (!filePaths.length) throw new AppError(ErrorCodes.USAGE, 'no files to import');
  const files: { name: string; path: string; sha256: string; size: number; alreadyImportedInBatch?: string }[] = [];
  for (const filePath of filePaths) {
    const absolute = path.resolve(filePath);
    const name = path.basename(absolute);
    let stat;
    try {
      stat = await fs.stat(absolute);
    } catch {
      throw new AppError(ErrorCodes.FILE_NOT_FOUND, `${name}: file not found (${absolute})`, { file: name });
    }
    if (!stat.isFile()) throw new AppError(ErrorCodes.FILE_NOT_FOUND, `${name}: not a file (${absolute})`, { file: name });
    const sha256 = await sha256File(absolute);
    const earlier = await repo.findCompletedFile(db, source, sha256);
    files.push({ name, path: absolute, sha256, size: stat.size, alreadyImportedInBatch: earlier?.batch_id });
  }
  const jobId = importJobId(source, files.map((f) => f.sha256), options.partial ?? false);
  const summaryFiles = files.map((f) => ({ name: f.name, sha256: f.sha256, alreadyImportedInBatch: f.alreadyImportedInBatch }));
  const existing = await repo.findBatchByJobId(db, jobId);
  if (existing) {
    // The same request again: completed → a no-op; failed → try again; otherwise attach to it.
    if (existing.status === 'failed') {
      await repo.updateBatch(db, existing.id, { status: 'queued', error: null, finished_at: null });
      return { jobId, batch: { ...existing, status: 'queued' }, noOp: false, files: summaryFiles };
    }
    return { jobId, batch: existing, noOp: existing.status === 'completed', files: summaryFiles };
  }
  if (files.every((f) => f.alreadyImportedInBatch)) return { jobId, noOp: true, files: summaryFiles };

  const batch = await db.transaction().execute(async (trx) => {
    const created = await repo.insertBatch(trx, {
      source,
      job_id: jobId,
      status: 'queued',
      partial: options.partial ?? false,
      requested_by: options.requestedBy ?? null,
      reject_reasons: {},
      flag_counts: {},
    });
    await repo.insertFiles(
      trx,
      files.map((f, position) => ({
        batch_id: created.id,
        position,
        source,
        file_name: f.name,
        path: f.path,
        sha256: f.sha256,
        size_bytes: f.size,
        status: f.alreadyImportedInBatch ? 'skipped' : 'pending',
        skipped_because_batch: f.alreadyImportedInBatch ?? null,
      })),
    );
    return created;
  });
  return { jobId, batch, noOp: false, files: summaryFiles };
}

export function importJobId(source: string, shas: string[], partial: boolean): string {
  const digest = createHash('sha256').update([...shas].sort().join(',')).digest('hex').slice(0, 32);
  return `import-${source}-${partial ? 'partial-' : ''}${digest}`;
}

interface Totals {
  read: number;
  accepted: number;
  rejected: number;
  skipped: number;
  idsFlagged: number;
  created: number;
  updated: number;
  unchanged: number;
  rejectReasons: Record<string, number>;
  flagCounts: Record<string, number>;
}

/**
 * Processes a staged batch: the job's body, the same in a BullMQ worker and in process.
 * The whole batch is one transaction: a file that turns out unreadable halfway leaves nothing
 * stored, and a worker killed mid-import leaves nothing half-written, so running the job again
 * imports every row exactly once.
 */
export async function runImport(
  store: DatabaseHandle,
  batchId: string,
  onProgress: (progress: ImportProgress) => void | Promise<void> = () => {},
  options: { readerLimits?: Partial<ReaderLimits>; today?: string } = {},
): Promise<ImportBatch> {
  const db = store.db;
  const batch = await repo.getBatch(db, batchId);
  if (!batch) throw new AppError(ErrorCodes.BATCH_NOT_FOUND, `import batch ${batchId} not found`);
  if (batch.status === 'completed') return batch;
  const adapter = adapterFor(batch.source);
  const files = await repo.filesOfBatch(db, batch.id);
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const bytesTotal = files.reduce((sum, f) => sum + Number(f.size_bytes), 0);
  await repo.updateBatch(db, batch.id, { status: 'running', started_at: batch.started_at ?? new Date(), error: null });

  const totals: Totals = {
    read: 0, accepted: 0, rejected: 0, skipped: 0, idsFlagged: 0, created: 0, updated: 0, unchanged: 0,
    rejectReasons: {}, flagCounts: {},
  };
  let bytesDone = 0;
  // The batch-wide counts every progress report carries.
  const report = (phase: ImportProgress['phase'], fileIndex: number, fileName: string, bytes: number) =>
    onProgress({
      batchId: batch.id, phase, fileIndex, fileCount: files.length, fileName, rowsDone: totals.read,
      bytesDone: bytes, bytesTotal, accepted: totals.accepted, rejected: totals.rejected,
    });
  const statsRows = await repo.statisticsRowCount(db);
  try {
    const finished = await store.transactionWithClient(async (trx, copyClient) => {
      await repo.lockSource(trx, batch.source);
      const writer: ChunkWriter = {
        trx,
        // COPY is the fast bulk path on PostgreSQL; PGlite's adapter takes the recordset insert.
        copyClient,
        // A source with no records yet has nothing to update: no lookups needed.
        sourceWasEmpty: (await repo.countRecords(trx, batch.source)) === 0,
        seenKeys: new Map(),
      };
      // Each file is opened while the one before it is imported: a spreadsheet's worker reads
      // its whole workbook before the first row comes out (a 65,000-row .xls: ~3 s), and that
      // read now overlaps the previous file's rows. At most two files are open at once.
      const toRead = files.filter((f) => f.status !== 'skipped');
      const opening = new Map<ImportFile, Promise<OpenedSourceFile>>();
      // A spreadsheet reader's worker that ends a file cleanly may read the next one of this batch.
      const workers = new SheetWorkerPool();
      const open = (file: ImportFile | undefined) => {
        if (!file || opening.has(file)) return;
        // No idle guard: a file opened ahead waits for as long as the file before it takes,
        // and every file opened here is read to its end or closed below.
        const opened = openSourceFile(file.path, adapter, { ...options.readerLimits, idleTimeoutMs: 0 }, workers);
        // Its failure is reported when the file's turn comes, in order.
        opened.catch(() => {});
        opening.set(file, opened);
      };
      // One sink for the whole batch: a first load's COPY stays open from the first file to the
      // last. Ended after each file, it made the import wait for the server to catch up once
      // per file (~4 ms for each of 45 small community rolls, a third of their import).
      const sink = writer.copyClient && writer.sourceWasEmpty ? streamingSink(writer, writer.copyClient, batch) : chunkedSink(writer, batch);
      const completed: CompletedFile[] = [];
      try {
        for (const [index, file] of files.entries()) {
          if (file.status === 'skipped') {
            bytesDone += Number(file.size_bytes);
            continue;
          }
          open(file);
          open(toRead[toRead.indexOf(file) + 1]);
          const opened = opening.get(file)!;
          opening.delete(file);
          const fileTotals = await importFile(sink, writer, batch, file, await opened, totals, today, async (rowsInFile) => {
            await report('reading', index, file.file_name, bytesDone + Math.min(Number(file.size_bytes), estimateBytes(file, rowsInFile)));
          });
          bytesDone += Number(file.size_bytes);
          completed.push({ id: file.id, ...fileTotals, finished_at: new Date().toISOString() });
        }
        await sink.finish();
      } catch (err) {
        // Never leave a write in flight: its remaining statements would run after the rollback.
        await sink.abort(err);
        throw err;
      } finally {
        // A file opened ahead of one that failed: end its worker.
        for (const opened of opening.values()) await opened.then((o) => o.close(), () => {});
        await workers.close();
      }
      // Each file's counts, once its rows are all stored (the connection was the COPY's until now).
      await repo.completeFiles(trx, completed);
      await report('finishing', files.length, '', bytesDone);
      const keptShas = files.filter((f) => f.status === 'skipped').map((f) => f.sha256);
      // A source's first load wrote every record the source has: none can be missing.
      const missing = batch.partial || writer.sourceWasEmpty ? 0 : await repo.markMissing(trx, batch.source, batch.id, keptShas);
      await repo.queueForLinking(trx, batch.id);
      await repo.updateBatch(trx, batch.id, {
        status: 'completed',
        rows_read: totals.read,
        rows_accepted: totals.accepted,
        rows_rejected: totals.rejected,
        rows_skipped: totals.skipped,
        ids_flagged: totals.idsFlagged,
        records_created: totals.created,
        records_updated: totals.updated,
        records_unchanged: totals.unchanged,
        records_missing: missing,
        reject_reasons: JSON.stringify(totals.rejectReasons),
        flag_counts: JSON.stringify(totals.flagCounts),
        progress: null,
        finished_at: new Date(),
      });
      return repo.getBatch(trx, batch.id);
    });
    if (needsAnalyze(totals.created + totals.updated, statsRows, store.kind === 'postgres')) await repo.analyzeRecords(db);
    await report('done', files.length, '', bytesTotal);
    return finished!;
  } catch (err) {
    const error = isAppError(err)
      ? { code: err.code, message: err.message }
      : { code: ErrorCodes.INTERNAL, message: err instanceof Error ? err.message : String(err) };
    await repo.updateBatch(db, batch.id, { status: 'failed', error: JSON.stringify(error), finished_at: new Date() });
    throw err;
  }
}

/** Where a batch's chunks go: its transaction, and what it knows about the source so far. */
interface ChunkWriter {
  trx: Kysely<Database>;
  copyClient?: pg.PoolClient;
  sourceWasEmpty: boolean;
  seenKeys: Map<string, number>;
}

const ANALYZE_AFTER_ROWS = 5_000;

/**
 * Whether a batch that wrote `changed` records must refresh the planner's statistics before it
 * counts as done. Statistics taken on a nearly empty table make every later lookup plan as if
 * it still were, so a batch that at least doubles what they describe analyzes at once (about
 * a second on a large table). Smaller changes are left to autovacuum's own ANALYZE, in the
 * background; PGlite has no autovacuum, so there a tenth of the table is enough.
 */
export function needsAnalyze(changed: number, statisticsRows: number, autovacuum: boolean): boolean {
  if (changed < ANALYZE_AFTER_ROWS) return false;
  return changed >= Math.max(statisticsRows, 0) * (autovacuum ? 1 : 0.1);
}

/** Rough position inside a file for the progress bar (rows are not known before reading). */
function estimateBytes(file: ImportFile, rowsDone: number): number {
  // ~150 bytes a row in CSV, less in compressed spreadsheets; the bar only needs to move.
  const perRow = file.file_name.toLowerCase().endsWith('.csv') ? 150 : 60;
  return rowsDone * perRow;
}

async function importFile(
  sink: ChunkSink,
  writer: ChunkWriter,
  batch: ImportBatch,
  file: ImportFile,
  opened: OpenedSourceFile,
  totals: Totals,
  today: string,
  progress: (rowsInFile: number) => Promise<void>,
): Promise<Omit<CompletedFile, 'id' | 'finished_at'>> {
  const fileTotals = { read: 0, accepted: 0, rejected: 0, skipped: 0, lastRow: 0 };
  let buffer: PreparedRow[] = [];
  let reported = 0;
  const flush = async (last: boolean) => {
    if (buffer.length) {
      const rows = buffer;
      buffer = [];
      await sink.write(prepareChunk(batch, file, rows, writer.seenKeys, totals, fileTotals));
    }
    if (last || fileTotals.read - reported >= CHUNK_ROWS) {
      reported = fileTotals.read;
      await progress(fileTotals.read);
    }
  };
  const context = { source: batch.source, fileName: file.file_name, fileSha256: file.sha256 };
  for await (const parsed of opened.chunks(opened.info.exportDate ?? today)) {
    for (const parsedRow of parsed) {
      const row = prepareRow(parsedRow, context);
      fileTotals.lastRow = row.rowNumber;
      if (row.kind === 'skipped') {
        fileTotals.skipped++;
        totals.skipped++;
        continue;
      }
      buffer.push(row);
      if (buffer.length >= sink.rowsPerWrite) await flush(false);
    }
  }
  await flush(true);
  return {
    rows_read: fileTotals.read,
    rows_accepted: fileTotals.accepted,
    rows_rejected: fileTotals.rejected,
    rows_skipped: fileTotals.skipped,
    rows_done: fileTotals.lastRow,
    format: opened.info.format,
    encoding: opened.info.encoding ?? null,
    sheet_name: opened.info.sheetName ?? null,
    header_row: opened.info.headerRow,
    headers: opened.info.headers,
  };
}

interface PreparedChunk {
  writes: RecordWrite[];
  rejects: RejectWrite[];
  totals: Totals;
}

/** Counts and shapes a chunk's rows for the database; no I/O. */
function prepareChunk(
  batch: ImportBatch,
  file: ImportFile,
  rows: PreparedRow[],
  seenKeys: Map<string, number>,
  totals: Totals,
  fileTotals: { read: number; accepted: number; rejected: number },
): PreparedChunk {
  const writes: RecordWrite[] = [];
  const rejects: RejectWrite[] = [];
  for (const row of rows) {
    if (row.kind === 'skipped') continue;
    totals.read++;
    fileTotals.read++;
    if (row.kind === 'rejected') {
      totals.rejected++;
      fileTotals.rejected++;
      for (const reason of row.reasons) totals.rejectReasons[reason.code] = (totals.rejectReasons[reason.code] ?? 0) + 1;
      rejects.push({ file_name: file.file_name, file_sha256: file.sha256, row_number: row.rowNumber, raw: row.raw, reasons: row.reasons });
      continue;
    }
    totals.accepted++;
    fileTotals.accepted++;
    let idFlagged = false;
    for (const f of row.flags) {
      totals.flagCounts[f.code] = (totals.flagCounts[f.code] ?? 0) + 1;
      if (f.field === 'idNumber' && f.code.startsWith('id_')) idFlagged = true;
    }
    if (idFlagged) totals.idsFlagged++;
    // Two rows of one export with the same natural key are two records: number the repeats.
    const key = row.write.natural_key;
    const seen = seenKeys.get(key) ?? 0;
    seenKeys.set(key, seen + 1);
    writes.push(seen > 0 ? { ...row.write, natural_key: `${key}#${seen + 1}` } : row.write);
  }
  return { writes, rejects, totals };
}

/** Where a file's prepared chunks go. */
interface ChunkSink {
  /** Rows per write(). */
  readonly rowsPerWrite: number;
  write(chunk: PreparedChunk): Promise<void>;
  /** Everything written is stored (in the batch's transaction): once, after the batch's last file. */
  finish(): Promise<void>;
  abort(reason: unknown): Promise<void>;
}

/**
 * Chunk by chunk: existing records are looked up by natural key, then inserted, updated or
 * touched. One chunk is written while the next is read and normalised: the database works in
 * its own process, so the two overlap. Writes stay in order on the transaction's connection.
 */
function chunkedSink(writer: ChunkWriter, batch: ImportBatch): ChunkSink {
  let writing: Promise<void> = Promise.resolve();
  return {
    // Each chunk looks its rows up in one query.
    rowsPerWrite: CHUNK_ROWS,
    async write(chunk) {
      await writing;
      writing = writeChunk(writer, batch, chunk);
      // Marked as handled here; the failure surfaces at the next write or at finish.
      writing.catch(() => {});
    },
    async finish() {
      await writing;
    },
    async abort() {
      await writing.catch(() => {});
    },
  };
}

/**
 * A source's first load (PostgreSQL): every row is new, so there is nothing to look up, and the
 * rows stream into one open COPY while the file is read. Rejected rows wait beside it and go in
 * between COPYs (the connection runs one statement at a time), a bounded number at once.
 */
function streamingSink(writer: ChunkWriter, client: pg.PoolClient, batch: ImportBatch): ChunkSink {
  let copy: RecordCopy | undefined;
  let rejects: RejectWrite[] = [];
  const writeRejects = async () => {
    if (!rejects.length) return;
    await copy?.end();
    copy = undefined;
    await repo.insertRejected(writer.trx, batch.source, batch.id, rejects);
    rejects = [];
  };
  return {
    // Rows go into the COPY as bytes soon after they are read, so that their objects die
    // young: held for a 2,000-row chunk, most were copied into the old generation, which made
    // a quarter of the import's time garbage collection.
    rowsPerWrite: STREAMED_ROWS_PER_WRITE,
    async write(chunk) {
      chunk.totals.created += chunk.writes.length;
      rejects.push(...chunk.rejects);
      if (rejects.length >= CHUNK_ROWS) await writeRejects();
      if (!chunk.writes.length) return;
      copy ??= repo.openRecordCopy(client, batch.source, batch.id);
      await copy.write(chunk.writes);
    },
    async finish() {
      await copy?.end();
      copy = undefined;
      await writeRejects();
    },
    async abort(reason) {
      await copy?.abort(reason);
    },
  };
}

async function writeChunk(writer: ChunkWriter, batch: ImportBatch, chunk: PreparedChunk): Promise<void> {
  const { trx } = writer;
  const { writes, rejects, totals } = chunk;
  const existing = writer.sourceWasEmpty
    ? new Map<string, ExistingRecord>()
    : new Map((await repo.findRecords(trx, batch.source, writes.map((w) => w.natural_key))).map((r) => [r.natural_key, r]));
  const inserts: RecordWrite[] = [];
  const updates: (RecordWrite & { id: string })[] = [];
  const touches: { id: string; file_name: string; file_sha256: string; row_number: number }[] = [];
  for (const write of writes) {
    const current = existing.get(write.natural_key);
    if (!current) inserts.push(write);
    else if (current.content_hash !== write.content_hash || !current.present) updates.push({ ...write, id: current.id });
    else touches.push({ id: current.id, file_name: write.file_name, file_sha256: write.file_sha256, row_number: write.row_number });
  }
  totals.created += inserts.length;
  totals.updated += updates.length;
  totals.unchanged += touches.length;
  if (writer.copyClient) await repo.copyRecords(writer.copyClient, batch.source, batch.id, inserts);
  else await repo.insertRecords(trx, batch.source, batch.id, inserts);
  await repo.updateRecords(trx, batch.id, updates);
  await repo.touchRecords(trx, batch.id, touches);
  await repo.insertRejected(trx, batch.source, batch.id, rejects);
}
