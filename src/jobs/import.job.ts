import type { DatabaseHandle } from '../db/database.js';
import type { ImportBatch } from '../db/schema.js';
import { runImport, type ImportProgress } from '../ingest/import.service.js';
import type { ReaderLimits } from '../ingest/types.js';

export const IMPORT_QUEUE = 'import';

export interface ImportJobData {
  batchId: string;
}

/** The job's body: the same function in a worker process and in process. */
export function processImportJob(
  store: DatabaseHandle,
  data: ImportJobData,
  reportProgress: (progress: ImportProgress) => void | Promise<void>,
  readerLimits?: Partial<ReaderLimits>,
): Promise<ImportBatch> {
  return runImport(store, data.batchId, reportProgress, { readerLimits });
}
