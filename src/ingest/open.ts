import { open, stat } from 'node:fs/promises';
import { ErrorCodes } from '../errors.js';
import { CFB_MAGIC, CfbFormatError, listCfbEntryNames } from './cfb.js';
import { openCsv } from './csv.js';
import { SNIFF_BYTES, detectBom } from './encoding.js';
import { fileError } from './reader-error.js';
import type { OpenedFile, ReaderLimits } from './types.js';
import { openXls } from './xls.js';
import type { SheetWorkerPool } from './worker-host.js';
import { openXlsx } from './xlsx.js';

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<ReaderLimits> = Object.freeze({
  maxFileBytes: 512 * MiB,
  maxUncompressedBytes: 1024 * MiB,
  maxCompressionRatio: 200,
  parseTimeoutMs: 300_000,
  workerMaxHeapMb: 1024,
  maxRows: 1_048_576,
});

/** What the first bytes say a file is. */
export type SniffedKind =
  | { kind: 'zip' }
  | { kind: 'cfb' }
  | { kind: 'text' }
  | { kind: 'binary'; what?: string };

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Well-known binary formats, to tell district staff what they actually uploaded. */
const KNOWN_BINARY: { magic: number[]; what: string }[] = [
  { magic: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { magic: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { magic: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { magic: [0x52, 0x61, 0x72, 0x21], what: 'a RAR archive' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf], what: 'a 7-Zip archive' },
  { magic: [0x1f, 0x8b], what: 'a gzip archive' },
  { magic: [0x50, 0x4b, 0x05, 0x06], what: 'an empty ZIP archive' },
  { magic: [0x4d, 0x5a], what: 'a Windows program' },
];

const startsWith = (bytes: Uint8Array, magic: ArrayLike<number>) =>
  bytes.length >= magic.length && Array.prototype.every.call(magic, (b: number, i: number) => bytes[i] === b);

/** Mostly NULs at every other byte: UTF-16 text of mostly ASCII characters. */
function looksLikeUtf16(head: Uint8Array): boolean {
  const pairs = Math.floor(Math.min(head.length, 4096) / 2);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) even++;
    if (head[2 * i + 1] === 0) odd++;
  }
  return pairs >= 4 && Math.max(even, odd) > 0.4 * pairs && Math.min(even, odd) < 0.05 * pairs;
}

/**
 * The format by content (magic bytes), never by extension: ZIP → .xlsx, OLE2 compound file →
 * .xls (or an encrypted .xlsx), a BOM or text-like bytes → CSV; NUL bytes or mostly control
 * bytes → binary.
 */
export function sniffFormat(head: Uint8Array): SniffedKind {
  if (startsWith(head, ZIP_MAGIC)) return { kind: 'zip' };
  if (startsWith(head, CFB_MAGIC)) return { kind: 'cfb' };
  if (detectBom(head)) return { kind: 'text' };
  for (const known of KNOWN_BINARY) if (startsWith(head, known.magic)) return { kind: 'binary', what: known.what };
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    if (b === 0) return { kind: 'binary', what: looksLikeUtf16(head) ? 'UTF-16 text without a byte-order mark' : undefined };
    // Tab, LF, VT, FF, CR and SUB (an old end-of-file mark) occur in text files.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1a) control++;
    else if (b === 0x7f) control++;
  }
  if (head.length > 0 && control / head.length > 0.05) return { kind: 'binary' };
  return { kind: 'text' };
}

/**
 * Opens an export for reading, whatever it is: CSV (UTF-8, UTF-8 BOM, UTF-16 with BOM or
 * GB18030), .xlsx or legacy .xls, sniffed by content. Rows come in chunks, blank rows left
 * out, title/header/footer rows included (see header.ts). Throws AppError:
 * RH_ERR_FILE_NOT_FOUND, _FILE_EMPTY, _FILE_TOO_LARGE, _FILE_NOT_TEXT, _FILE_CORRUPT,
 * _FILE_ENCRYPTED, _FILE_UNSUPPORTED, _ZIP_BOMB, _PARSE_TIMEOUT, _PARSE_MEMORY,
 * _TOO_MANY_ROWS (the last ones possibly while iterating the rows).
 */
export async function openFile(filePath: string, limits: Partial<ReaderLimits> = {}, pool?: SheetWorkerPool): Promise<OpenedFile> {
  const effective: ReaderLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof ReaderLimits, number | undefined][]) {
    if (value !== undefined) effective[key] = value;
  }

  let size: number;
  try {
    const info = await stat(filePath);
    if (!info.isFile()) {
      throw fileError(ErrorCodes.FILE_UNSUPPORTED, filePath, 'this is a folder or a device, not a file');
    }
    size = info.size;
  } catch (err) {
    throw openError(filePath, err);
  }
  if (size === 0) throw fileError(ErrorCodes.FILE_EMPTY, filePath, 'the file is empty (0 bytes)');
  if (size > effective.maxFileBytes) {
    throw fileError(
      ErrorCodes.FILE_TOO_LARGE,
      filePath,
      `the file is ${formatSize(size)}, more than the ${formatSize(effective.maxFileBytes)} accepted; split it into several files`,
      { bytes: size, limit: effective.maxFileBytes },
    );
  }

  let head: Buffer;
  try {
    const fh = await open(filePath, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(SNIFF_BYTES, size));
      const { bytesRead } = await fh.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw openError(filePath, err);
  }

  const sniffed = sniffFormat(head);
  switch (sniffed.kind) {
    case 'zip':
      return openXlsx(filePath, effective, pool);
    case 'cfb':
      return openCompoundFile(filePath, effective, size, pool);
    case 'binary':
      if (sniffed.what?.startsWith('UTF-16')) {
        throw fileError(
          ErrorCodes.FILE_NOT_TEXT,
          filePath,
          'this looks like UTF-16 text without a byte-order mark, which cannot be read reliably; open it in Excel and save it as "CSV UTF-8"',
          { detected: sniffed.what },
        );
      }
      throw fileError(
        ErrorCodes.FILE_NOT_TEXT,
        filePath,
        `this is ${sniffed.what ?? 'a binary file'}, not a CSV text file or an Excel workbook; check that the right file was chosen`,
        sniffed.what ? { detected: sniffed.what } : {},
      );
    case 'text':
      return openCsv(filePath, effective, head, size);
  }
}

async function openCompoundFile(filePath: string, limits: ReaderLimits, size: number, pool?: SheetWorkerPool): Promise<OpenedFile> {
  let names: string[];
  try {
    names = (await listCfbEntryNames(filePath)).map((n) => n.toLowerCase());
  } catch (err) {
    if (!(err instanceof CfbFormatError)) throw openError(filePath, err);
    throw fileError(ErrorCodes.FILE_CORRUPT, filePath, 'the Excel file is damaged or incomplete (truncated download or copy?); export it again', {
      cause: err.message,
    });
  }
  if (names.includes('encryptedpackage') || names.includes('encryptioninfo')) {
    throw fileError(ErrorCodes.FILE_ENCRYPTED, filePath, 'the workbook is password-protected (encrypted); export it again without a password');
  }
  if (!names.includes('workbook') && !names.includes('book')) {
    const what = names.includes('worddocument')
      ? 'a Word document (.doc)'
      : names.includes('powerpoint document')
        ? 'a PowerPoint file (.ppt)'
        : 'an Office file that is not an Excel workbook';
    throw fileError(ErrorCodes.FILE_UNSUPPORTED, filePath, `this is ${what}; export the data as .xlsx, .xls or .csv`);
  }
  // FILEPASS (an encrypted .xls) is recognised inside the worker.
  return openXls(filePath, limits, size, !names.includes('workbook'), pool);
}

function openError(filePath: string, err: unknown) {
  if (err && typeof err === 'object' && 'code' in err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('RH_ERR_')) return err as unknown as Error;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fileError(ErrorCodes.FILE_NOT_FOUND, filePath, 'file not found', { path: filePath });
    if (code === 'EACCES' || code === 'EPERM') {
      return fileError(ErrorCodes.FILE_NOT_FOUND, filePath, 'the file cannot be opened: permission denied', { path: filePath });
    }
    if (code === 'EISDIR') return fileError(ErrorCodes.FILE_UNSUPPORTED, filePath, 'this is a folder, not a file');
  }
  const message = err instanceof Error ? err.message : String(err);
  return fileError(ErrorCodes.FILE_CORRUPT, filePath, `the file could not be read (${message})`, { cause: message });
}

function formatSize(bytes: number): string {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes >= 10 * MiB ? 0 : 1)} MB`;
  return `${Math.ceil(bytes / 1024)} KB`;
}
