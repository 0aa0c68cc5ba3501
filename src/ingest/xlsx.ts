import yauzl from 'yauzl';
import { ErrorCodes } from '../errors.js';
import { fileError } from './reader-error.js';
import type { OpenedFile, ReaderLimits } from './types.js';
import { bundledReader, startSheetWorker, type SheetWorkerPool } from './worker-host.js';

/** Entries smaller than this are not held to maxCompressionRatio: small XML compresses very well. */
export const RATIO_CHECK_MIN_BYTES = 1024 * 1024;
/** More entries than any real workbook has. */
export const MAX_ZIP_ENTRIES = 20_000;

export interface ZipSummary {
  entries: number;
  /** Sum of the declared uncompressed sizes. */
  uncompressedBytes: number;
  names: string[];
}

const MB = 1024 * 1024;
const fmtMb = (bytes: number) => `${Math.round(bytes / MB).toLocaleString('en-US')} MB`;

/**
 * Reads a zip's central directory only (nothing is inflated) and rejects zip bombs: total
 * declared uncompressed size above maxUncompressedBytes, or an entry above 1 MB whose
 * uncompressed/compressed ratio exceeds maxCompressionRatio. Also tells other zip files
 * (.ods, .docx, a plain archive) from a workbook. A broken or truncated zip → RH_ERR_FILE_CORRUPT.
 */
export async function inspectZip(filePath: string, limits: ReaderLimits): Promise<ZipSummary> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(filePath, { lazyEntries: true, autoClose: false, strictFileNames: false }, (err, zipfile) => {
      if (err || !zipfile) reject(corrupt(filePath, err));
      else resolve(zipfile);
    });
  });
  try {
    return await new Promise<ZipSummary>((resolve, reject) => {
      const names: string[] = [];
      let total = 0;
      zip.on('error', (err: Error) => reject(corrupt(filePath, err)));
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        total += entry.uncompressedSize;
        const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
        if (entry.isEncrypted()) {
          return reject(
            fileError(ErrorCodes.FILE_ENCRYPTED, filePath, 'the file is password-protected (encrypted ZIP); export it again without a password'),
          );
        }
        if (names.length > MAX_ZIP_ENTRIES) {
          return reject(bomb(filePath, `it holds more than ${MAX_ZIP_ENTRIES.toLocaleString('en-US')} files`, { entries: names.length }));
        }
        if (entry.uncompressedSize > RATIO_CHECK_MIN_BYTES && ratio > limits.maxCompressionRatio) {
          return reject(
            bomb(filePath, `its part "${entry.fileName}" expands ${Math.round(ratio)} times (${fmtMb(entry.uncompressedSize)})`, {
              entry: entry.fileName,
              ratio,
              limit: limits.maxCompressionRatio,
            }),
          );
        }
        if (total > limits.maxUncompressedBytes) {
          return reject(
            bomb(filePath, `it expands to more than ${fmtMb(limits.maxUncompressedBytes)}`, {
              uncompressedBytes: total,
              limit: limits.maxUncompressedBytes,
            }),
          );
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve({ entries: names.length, uncompressedBytes: total, names }));
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

function corrupt(filePath: string, err: unknown) {
  const cause = err instanceof Error ? err.message : String(err);
  return fileError(
    ErrorCodes.FILE_CORRUPT,
    filePath,
    'the file is damaged or incomplete (its ZIP structure cannot be read — a truncated download or copy?); export it again',
    { cause },
  );
}

function bomb(filePath: string, why: string, details: Record<string, unknown>) {
  return fileError(
    ErrorCodes.ZIP_BOMB,
    filePath,
    `rejected as unsafe: ${why}, far beyond any real export (a "zip bomb"); export the data again`,
    details,
  );
}

/** What a zip that is not a workbook seems to be, for the error message. */
function notAWorkbook(names: string[]): string | undefined {
  const has = (name: string) => names.includes(name);
  if (has('xl/workbook.xml') || names.some((n) => /^xl\/.*workbook\d*\.xml$/i.test(n)) || has('[Content_Types].xml')) {
    if (has('word/document.xml')) return 'a Word document (.docx), not a spreadsheet';
    if (has('ppt/presentation.xml')) return 'a PowerPoint file (.pptx), not a spreadsheet';
    if (names.some((n) => n.startsWith('xl/'))) return undefined;
    return 'an Office file that is not an Excel workbook';
  }
  if (has('mimetype') && has('content.xml')) return 'an OpenDocument file (.ods, WPS/LibreOffice); save it as .xlsx';
  return 'a ZIP archive, not an Excel workbook; unzip it and import the file inside';
}

/**
 * Opens an .xlsx: zip-bomb checks on the central directory here, then a disposable worker
 * thread (workers/xlsx-worker.mjs, parsing with xlsx-parts.ts) that reads the first sheet with
 * rows.
 */
export async function openXlsx(filePath: string, limits: ReaderLimits, pool?: SheetWorkerPool): Promise<OpenedFile> {
  const summary = await inspectZip(filePath, limits);
  const other = notAWorkbook(summary.names);
  if (other) throw fileError(ErrorCodes.FILE_UNSUPPORTED, filePath, `this is ${other}`);
  const { sheetName, rows } = await startSheetWorker({
    worker: await bundledReader(new URL('./workers/xlsx-worker.mjs', import.meta.url), filePath),
    filePath,
    limits,
    pool,
    // V8's default young generation: reading the police sheet alone took 3.6 / 3.8 s with it,
    // 4.2 / 4.2 s with 2 × 64 MB (which suited exceljs, the reader before).
  });
  return { format: 'xlsx', sheetName, rows };
}
