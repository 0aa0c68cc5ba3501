import { sql } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { once } from 'node:events';
import type { ImportBatch, ImportBatchUpdate, ImportFile, NewImportBatch, RejectedRow } from '../db/schema.js';
import { LOCKS } from '../db/locks.js';
import { CopyEncoder, type BulkColumn } from '../db/bulk.js';

/** Everything the import feature stores. The caller owns the transaction: pass `trx` or `db`. */
export type { Executor } from '../db/schema.js';
import type { Executor } from '../db/schema.js';

export interface RecordWrite {
  natural_key: string;
  file_name: string;
  file_sha256: string;
  row_number: number;
  content_hash: string;
  /** raw, data and flags as JSON, serialised once (for the content hash, COPY or the recordset). */
  rawJson: string;
  dataJson: string;
  flagsJson: string;
  name: string | null;
  name_match: string | null;
  name_pinyin: string | null;
  id_number: string | null;
  id_status: string | null;
  birth_date: string | null;
  sex: string | null;
  phone: string | null;
  household_key: string | null;
  former_name_match: string | null;
}

/** An open COPY into source_record (see openRecordCopy). */
export interface RecordCopy {
  write(rows: RecordWrite[]): Promise<void>;
  /** Completes the COPY; rejects if the server refused any row. */
  end(): Promise<void>;
  /** Cancels the COPY (CopyFail): nothing it sent stays, and the connection is usable again. */
  abort(reason: unknown): Promise<void>;
}

/** A file read to its end: what import_file keeps of it. */
export interface CompletedFile {
  id: string;
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rows_skipped: number;
  rows_done: number;
  format: string;
  encoding: string | null;
  sheet_name: string | null;
  header_row: number;
  headers: string[];
  /** ISO timestamp. */
  finished_at: string;
}

export interface ExistingRecord {
  id: string;
  natural_key: string;
  batch_id: string;
  content_hash: string;
  present: boolean;
}

export interface RejectWrite {
  file_name: string;
  file_sha256: string;
  row_number: number;
  raw: Record<string, string>;
  reasons: { field: string; code: string; message: string }[];
}

const RECORD_COLUMNS = sql.raw(`natural_key text, file_name text, file_sha256 text, row_number int, content_hash text,
  raw jsonb, data jsonb, flags jsonb, name text, name_match text, name_pinyin text, id_number text, id_status text,
  birth_date date, sex text, phone text, household_key text, former_name_match text`);

/** Rows as the JSON array jsonb_to_recordset reads, with data and flags as already serialised. */
function recordsetJson(rows: readonly (RecordWrite & { id?: string })[]): string {
  const parts = rows.map((r) => {
    const { rawJson, dataJson, flagsJson, ...rest } = r;
    const head = JSON.stringify(rest);
    return `${head.slice(0, -1)},"raw":${rawJson},"data":${dataJson},"flags":${flagsJson}}`;
  });
  return `[${parts.join(',')}]`;
}

/** The columns openRecordCopy's rows fill, in order. */
const RECORD_COPY_COLUMNS: readonly BulkColumn[] = [
  { name: 'source', type: 'text' },
  { name: 'natural_key', type: 'text' },
  { name: 'first_batch_id', type: 'bigint' },
  { name: 'batch_id', type: 'bigint' },
  { name: 'file_name', type: 'text' },
  { name: 'file_sha256', type: 'text' },
  { name: 'row_number', type: 'integer' },
  { name: 'content_hash', type: 'text' },
  { name: 'raw', type: 'json' },
  { name: 'data', type: 'json' },
  { name: 'flags', type: 'json' },
  { name: 'name', type: 'text' },
  { name: 'name_match', type: 'text' },
  { name: 'name_pinyin', type: 'text' },
  { name: 'id_number', type: 'text' },
  { name: 'id_status', type: 'text' },
  { name: 'birth_date', type: 'date' },
  { name: 'sex', type: 'text' },
  { name: 'phone', type: 'text' },
  { name: 'household_key', type: 'text' },
  { name: 'former_name_match', type: 'text' },
];

/** What one open COPY may hold in Node before write() waits: about one chunk beyond what the socket holds. */
const COPY_BUFFER_BYTES = 8 * 1024 * 1024;

export const importRepository = {
  async findBatchByJobId(db: Executor, jobId: string): Promise<ImportBatch | undefined> {
    return db.selectFrom('import_batch').selectAll().where('job_id', '=', jobId).executeTakeFirst();
  },

  async getBatch(db: Executor, id: string | number): Promise<ImportBatch | undefined> {
    return db.selectFrom('import_batch').selectAll().where('id', '=', String(id)).executeTakeFirst();
  },

  async listBatches(db: Executor, opts: { source?: string; limit?: number } = {}): Promise<ImportBatch[]> {
    let q = db.selectFrom('import_batch').selectAll().orderBy('id', 'desc').limit(opts.limit ?? 100);
    if (opts.source) q = q.where('source', '=', opts.source);
    return q.execute();
  },

  async insertBatch(db: Executor, batch: NewImportBatch): Promise<ImportBatch> {
    return db.insertInto('import_batch').values(batch).returningAll().executeTakeFirstOrThrow();
  },

  async updateBatch(db: Executor, id: string, patch: ImportBatchUpdate): Promise<void> {
    await db.updateTable('import_batch').set(patch).where('id', '=', id).execute();
  },

  async insertFiles(
    db: Executor,
    files: { batch_id: string; position: number; source: string; file_name: string; path: string; sha256: string; size_bytes: number; status: string; skipped_because_batch: string | null }[],
  ): Promise<void> {
    if (files.length) await db.insertInto('import_file').values(files).execute();
  },

  async filesOfBatch(db: Executor, batchId: string): Promise<ImportFile[]> {
    return db.selectFrom('import_file').selectAll().where('batch_id', '=', batchId).orderBy('position').execute();
  },

  /** Files read to their end, with their counts: one statement for a batch's files. */
  async completeFiles(db: Executor, files: readonly CompletedFile[]): Promise<void> {
    if (!files.length) return;
    await sql`
      update import_file f set status = 'completed', rows_read = x.rows_read, rows_accepted = x.rows_accepted,
        rows_rejected = x.rows_rejected, rows_skipped = x.rows_skipped, rows_done = x.rows_done, format = x.format,
        encoding = x.encoding, sheet_name = x.sheet_name, header_row = x.header_row, headers = x.headers, finished_at = x.finished_at
      from jsonb_to_recordset(${JSON.stringify(files)}::jsonb) as x(id bigint, rows_read int, rows_accepted int, rows_rejected int,
        rows_skipped int, rows_done int, format text, encoding text, sheet_name text, header_row int, headers jsonb, finished_at timestamptz)
      where f.id = x.id`.execute(db);
  },

  /** The completed import of an identical file (same source, same bytes), if any. */
  async findCompletedFile(db: Executor, source: string, sha256: string): Promise<ImportFile | undefined> {
    return db
      .selectFrom('import_file')
      .selectAll()
      .where('source', '=', source)
      .where('sha256', '=', sha256)
      .where('status', '=', 'completed')
      .orderBy('id')
      .executeTakeFirst();
  },

  /** Serialises imports of one source: concurrent batches would race on natural keys. */
  async lockSource(trx: Executor, source: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext(${'resident-hub:import:' + source}))`.execute(trx);
  },

  async findRecords(db: Executor, source: string, keys: string[]): Promise<ExistingRecord[]> {
    if (!keys.length) return [];
    const result = await sql<ExistingRecord>`
      select id, natural_key, batch_id, content_hash, present from source_record
      where source = ${source} and natural_key = any(${keys}::text[])`.execute(db);
    return result.rows;
  },

  async insertRecords(db: Executor, source: string, batchId: string, rows: RecordWrite[]): Promise<void> {
    if (!rows.length) return;
    await sql`
      insert into source_record (source, natural_key, first_batch_id, batch_id, file_name, file_sha256, row_number,
        content_hash, raw, data, flags, name, name_match, name_pinyin, id_number, id_status, birth_date, sex, phone, household_key,
        former_name_match)
      select ${source}, x.natural_key, ${batchId}::bigint, ${batchId}::bigint, x.file_name, x.file_sha256, x.row_number,
        x.content_hash, x.raw, x.data, x.flags, x.name, x.name_match, x.name_pinyin, x.id_number, x.id_status, x.birth_date,
        x.sex, x.phone, x.household_key, x.former_name_match
      from jsonb_to_recordset(${recordsetJson(rows)}::jsonb) as x(${RECORD_COLUMNS})`.execute(db);
  },

  /** The same as insertRecords, through COPY: PostgreSQL's fastest way in (not available on PGlite's adapter). */
  async copyRecords(client: pg.PoolClient, source: string, batchId: string, rows: RecordWrite[]): Promise<void> {
    if (!rows.length) return;
    const copy = this.openRecordCopy(client, source, batchId);
    try {
      await copy.write(rows);
    } catch (err) {
      await copy.abort(err);
      throw err;
    }
    await copy.end();
  },

  /**
   * One COPY kept open while a file is read: rows go in as they are normalised, and the server
   * parses and indexes them meanwhile instead of waiting for a statement per chunk. The
   * connection can run nothing else until end() or abort().
   */
  openRecordCopy(client: pg.PoolClient, source: string, batchId: string): RecordCopy {
    const names = RECORD_COPY_COLUMNS.map((c) => c.name).join(', ');
    const stream = client.query(copyFrom(`copy source_record (${names}) from stdin with (format binary)`, { highWaterMark: COPY_BUFFER_BYTES }));
    let failure: unknown;
    const finished = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', (err) => {
        failure ??= err;
        reject(err);
      });
    });
    finished.catch(() => {});
    const encoder = new CopyEncoder(RECORD_COPY_COLUMNS);
    return {
      async write(rows) {
        if (failure) throw failure;
        if (!rows.length) return;
        for (const r of rows) {
          encoder.row([
            source, r.natural_key, batchId, batchId, r.file_name, r.file_sha256, r.row_number, r.content_hash, r.rawJson, r.dataJson, r.flagsJson,
            r.name, r.name_match, r.name_pinyin, r.id_number, r.id_status, r.birth_date, r.sex, r.phone, r.household_key, r.former_name_match,
          ]);
        }
        // Backpressure: wait while the socket is full, but give up as soon as the COPY fails.
        let ready = true;
        for (const buffer of encoder.take()) ready = stream.write(buffer);
        if (!ready) await Promise.race([once(stream, 'drain'), finished]);
        if (failure) throw failure;
      },
      async end() {
        if (failure) throw failure;
        encoder.end();
        stream.end(Buffer.concat(encoder.take()));
        await finished;
      },
      async abort(reason) {
        if (!stream.destroyed) stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
        await finished.catch(() => {});
      },
    };
  },

  /** Keeps the current version in history, then writes the new one. */
  async updateRecords(db: Executor, batchId: string, rows: (RecordWrite & { id: string })[]): Promise<void> {
    if (!rows.length) return;
    const ids = rows.map((r) => r.id);
    await this.snapshotToHistory(db, batchId, ids);
    await sql`
      update source_record s set version = s.version + 1, present = true, batch_id = ${batchId}::bigint,
        file_name = x.file_name, file_sha256 = x.file_sha256, row_number = x.row_number, content_hash = x.content_hash,
        raw = x.raw, data = x.data, flags = x.flags, name = x.name, name_match = x.name_match, name_pinyin = x.name_pinyin,
        id_number = x.id_number, id_status = x.id_status, birth_date = x.birth_date, sex = x.sex, phone = x.phone,
        household_key = x.household_key, former_name_match = x.former_name_match, updated_at = now()
      from jsonb_to_recordset(${recordsetJson(rows)}::jsonb) as x(id bigint, ${RECORD_COLUMNS})
      where s.id = x.id`.execute(db);
  },

  /** Unchanged records: only where they were seen last moves (batch, file, row). */
  async touchRecords(db: Executor, batchId: string, rows: { id: string; file_name: string; file_sha256: string; row_number: number }[]): Promise<void> {
    if (!rows.length) return;
    await sql`
      update source_record s set batch_id = ${batchId}::bigint, file_name = x.file_name, file_sha256 = x.file_sha256,
        row_number = x.row_number
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id bigint, file_name text, file_sha256 text, row_number int)
      where s.id = x.id`.execute(db);
  },

  async snapshotToHistory(db: Executor, batchId: string, ids: string[]): Promise<void> {
    await sql`
      insert into source_record_history (source_record_id, version, present, batch_id, file_name, file_sha256, row_number,
        content_hash, raw, data, flags, superseded_by_batch_id)
      select id, version, present, batch_id, file_name, file_sha256, row_number, content_hash, raw, data, flags, ${batchId}::bigint
      from source_record where id = any(${ids}::bigint[])`.execute(db);
  },

  /**
   * Records of the source that this batch's snapshot no longer holds become "not present"
   * (a new version; never deleted). Records last seen in a file this batch skipped as
   * identical are still present.
   */
  async markMissing(db: Executor, source: string, batchId: string, keptShas: string[]): Promise<number> {
    const missing = await sql<{ id: string }>`
      select id from source_record
      where source = ${source} and present and batch_id <> ${batchId}::bigint
        and not (file_sha256 = any(${keptShas}::text[]))`.execute(db);
    const ids = missing.rows.map((r) => r.id);
    if (!ids.length) return 0;
    await this.snapshotToHistory(db, batchId, ids);
    await sql`
      update source_record set present = false, version = version + 1, batch_id = ${batchId}::bigint, updated_at = now()
      where id = any(${ids}::bigint[])`.execute(db);
    return ids.length;
  },

  /**
   * Queues the batch's records for the linker: every record this batch wrote (created,
   * changed, seen again or marked missing); the linker skips those already linked as they are.
   */
  async queueForLinking(db: Executor, batchId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock_shared(${LOCKS.link})`.execute(db);
    await sql`
      insert into link_pending (source_record_id)
      select id from source_record where batch_id = ${batchId}::bigint
      on conflict do nothing`.execute(db);
  },

  async insertRejected(db: Executor, source: string, batchId: string, rows: RejectWrite[]): Promise<void> {
    if (!rows.length) return;
    await sql`
      insert into rejected_row (batch_id, source, file_name, file_sha256, row_number, raw, reasons)
      select ${batchId}::bigint, ${source}, x.file_name, x.file_sha256, x.row_number, x.raw, x.reasons
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(file_name text, file_sha256 text, row_number int, raw jsonb, reasons jsonb)`.execute(db);
  },

  async rejectedRows(db: Executor, batchId: string): Promise<RejectedRow[]> {
    return db.selectFrom('rejected_row').selectAll().where('batch_id', '=', batchId).orderBy('file_name').orderBy('row_number').execute();
  },

  /** Fresh planner statistics once a big batch changed the table (autovacuum may lag far behind). */
  async analyzeRecords(db: Executor): Promise<void> {
    await sql`analyze source_record`.execute(db);
  },

  /** The row count the planner's statistics of source_record describe (-1: never analyzed). */
  async statisticsRowCount(db: Executor): Promise<number> {
    const result = await sql<{ reltuples: number }>`select reltuples from pg_class where oid = 'source_record'::regclass`.execute(db);
    return Number(result.rows[0]?.reltuples ?? -1);
  },

  async countRecords(db: Executor, source?: string): Promise<number> {
    let q = db.selectFrom('source_record').select((eb) => eb.fn.countAll<string>().as('n'));
    if (source) q = q.where('source', '=', source);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  },
};
