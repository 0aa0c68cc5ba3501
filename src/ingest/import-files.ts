import type { SourceName } from '../../adapters/types.js';
import { systemActor } from '../access/keys.service.js';
import { auditInTransaction } from '../audit/audit.service.js';
import type { AppContext } from '../context.js';
import { fromJsonColumn } from '../db/json-column.js';
import type { ImportBatch, ImportFile } from '../db/schema.js';
import { importRepository as repo } from './import.repository.js';
import { stageImport, type ImportOptions, type ImportProgress } from './import.service.js';

export interface ImportSummary {
  source: string;
  /** Nothing to do: every file was already imported. */
  noOp: boolean;
  batch?: BatchSummary;
  files: { name: string; sha256: string; alreadyImportedInBatch?: string }[];
}

export interface BatchSummary {
  id: string;
  source: string;
  status: string;
  partial: boolean;
  createdAt: string;
  finishedAt: string | null;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsSkipped: number;
  idsFlagged: number;
  records: { created: number; updated: number; unchanged: number; missing: number };
  rejectReasons: Record<string, number>;
  flagCounts: Record<string, number>;
  error: { code: string; message: string } | null;
  files: {
    name: string;
    sha256: string;
    status: string;
    format: string | null;
    encoding: string | null;
    headerRow: number | null;
    rowsRead: number;
    rowsAccepted: number;
    rowsRejected: number;
    rowsSkipped: number;
    alreadyImportedInBatch: string | null;
  }[];
}

/** Imports files of one source as a job (queued or in process) and waits for it: what the CLI and the API call. */
export async function importFiles(
  ctx: AppContext,
  source: SourceName,
  filePaths: string[],
  options: ImportOptions = {},
  onProgress?: (progress: ImportProgress) => void,
): Promise<ImportSummary> {
  const staged = await stageImport(ctx.db, source, filePaths, options);
  // The command line acts as its operating-system user; every import request is audited.
  await ctx.db.transaction().execute((trx) =>
    auditInTransaction(trx, [
      {
        actor: systemActor(),
        action: 'imports:create',
        target: { type: 'import_batch', id: staged.batch?.id ?? null },
        outcome: 'success',
        details: { source, files: staged.files.map((f) => ({ name: f.name, sha256: f.sha256 })), noOp: staged.noOp },
      },
    ]),
  );
  if (staged.noOp || !staged.batch) {
    return { source, noOp: true, batch: staged.batch ? await summarizeBatch(ctx, staged.batch) : undefined, files: staged.files };
  }
  const batch = await ctx.jobs.runImport(staged.jobId, { batchId: staged.batch.id }, onProgress);
  return { source, noOp: false, batch: await summarizeBatch(ctx, batch), files: staged.files };
}

export async function summarizeBatch(ctx: Pick<AppContext, 'db'>, batch: ImportBatch): Promise<BatchSummary> {
  const files = await repo.filesOfBatch(ctx.db, batch.id);
  return toSummary(batch, files);
}

export function toSummary(batch: ImportBatch, files: ImportFile[]): BatchSummary {
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: batch.id,
    source: batch.source,
    status: batch.status,
    partial: batch.partial,
    createdAt: iso(batch.created_at)!,
    finishedAt: iso(batch.finished_at),
    rowsRead: batch.rows_read,
    rowsAccepted: batch.rows_accepted,
    rowsRejected: batch.rows_rejected,
    rowsSkipped: batch.rows_skipped,
    idsFlagged: batch.ids_flagged,
    records: {
      created: batch.records_created,
      updated: batch.records_updated,
      unchanged: batch.records_unchanged,
      missing: batch.records_missing,
    },
    rejectReasons: fromJsonColumn<Record<string, number> | null>(batch.reject_reasons) ?? {},
    flagCounts: fromJsonColumn<Record<string, number> | null>(batch.flag_counts) ?? {},
    error: fromJsonColumn<{ code: string; message: string } | null>(batch.error) ?? null,
    files: files.map((f) => ({
      name: f.file_name,
      sha256: f.sha256,
      status: f.status,
      format: f.format,
      encoding: f.encoding,
      headerRow: f.header_row,
      rowsRead: f.rows_read,
      rowsAccepted: f.rows_accepted,
      rowsRejected: f.rows_rejected,
      rowsSkipped: f.rows_skipped,
      alreadyImportedInBatch: f.skipped_because_batch,
    })),
  };
}
