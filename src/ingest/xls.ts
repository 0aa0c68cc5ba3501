import { ErrorCodes } from '../errors.js';
import { fileError } from './reader-error.js';
import type { OpenedFile, ReaderLimits } from './types.js';
import { bundledReader, startSheetWorker, type SheetWorkerPool } from './worker-host.js';

/**
 * Largest legacy .xls accepted. SheetJS reads the whole file into memory (and needs ~10× its
 * size of heap); a BIFF8 sheet holds at most 65,536 rows, which real exports fit in far less.
 */
export const MAX_XLS_BYTES = 64 * 1024 * 1024;

/**
 * Opens a legacy Excel workbook in a disposable worker thread (heap limit, wall-clock timeout,
 * input size cap, plain rows out): an Excel 97-2003 (BIFF8) one, whose compound file has a
 * `Workbook` stream, with the hand-written reader (workers/biff8-worker.mjs, biff8.ts); an
 * older one (BIFF5, a `Book` stream: `legacy`) with SheetJS (workers/xls-worker.mjs).
 */
export async function openXls(filePath: string, limits: ReaderLimits, fileBytes?: number, legacy = false, pool?: SheetWorkerPool): Promise<OpenedFile> {
  const cap = Math.min(MAX_XLS_BYTES, limits.maxFileBytes);
  if (fileBytes !== undefined && fileBytes > cap) {
    throw fileError(
      ErrorCodes.FILE_TOO_LARGE,
      filePath,
      `legacy .xls files larger than ${Math.round(cap / 1048576)} MB are not accepted; open it in Excel and save it as .xlsx, or split it`,
      { bytes: fileBytes, limit: cap },
    );
  }
  const { sheetName, rows } = await startSheetWorker({
    worker: legacy
      ? { kind: 'file', url: new URL('./workers/xls-worker.mjs', import.meta.url) }
      : await bundledReader(new URL('./workers/biff8-worker.mjs', import.meta.url), filePath),
    filePath,
    limits,
    // SheetJS's workers are never reused (see Untrusted spreadsheets in the README).
    pool: legacy ? undefined : pool,
    data: { maxInputBytes: cap },
  });
  return { format: 'xls', sheetName, rows };
}
