import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, type Readable, type Transform } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { isAppError, ErrorCodes } from '../errors.js';
import {
  SNIFF_BYTES,
  createDecoderStream,
  decodeBytes,
  detectBom,
  detectEncoding,
  firstNonAscii,
  isAscii,
  mapGb18030PrivateUse,
  type DetectedEncoding,
} from './encoding.js';
import { fileError } from './reader-error.js';
import type { CellValue, OpenedFile, ReaderLimits, SheetRow } from './types.js';

export type CsvDelimiter = ',' | '\t' | ';';

const CSV_CHUNK_ROWS = 1000;
/** A record longer than this is an unbalanced quote swallowing the file, not data. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** Lines looked at to choose the delimiter. */
const SNIFF_LINES = 30;
/** U+FFFD (undecodable bytes) or a GB18030-2005 private-use character: a cell needing a closer look. */
const SUSPECT_CELL = /[\uFFFD\uE78D-\uE864]/;

/**
 * The delimiter among `,` `\t` `;` that splits the first lines most consistently (same
 * non-zero count on most lines, quoted text ignored). Title rows without any delimiter do not
 * count. Defaults to `,`.
 */
export function sniffDelimiter(sample: string): CsvDelimiter {
  const candidates: CsvDelimiter[] = [',', '\t', ';'];
  const perLine: Record<CsvDelimiter, number[]> = { ',': [], '\t': [], ';': [] };
  const current: Record<CsvDelimiter, number> = { ',': 0, '\t': 0, ';': 0 };
  let inQuotes = false;
  let lines = 0;
  let lineHasText = false;
  const endLine = () => {
    if (lineHasText) {
      for (const d of candidates) perLine[d].push(current[d]);
      lines++;
    }
    for (const d of candidates) current[d] = 0;
    lineHasText = false;
  };
  for (let i = 0; i < sample.length && lines < SNIFF_LINES; i++) {
    const ch = sample[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (ch === '\n' || ch === '\r') endLine();
    else if (ch === ',' || ch === '\t' || ch === ';') current[ch]++;
    else if (ch !== ' ') lineHasText = true;
    if (ch === ',' || ch === '\t' || ch === ';') lineHasText = true;
  }
  endLine();

  let best: CsvDelimiter = ',';
  let bestScore = [0, 0];
  for (const d of candidates) {
    const frequency = new Map<number, number>();
    for (const n of perLine[d]) if (n > 0) frequency.set(n, (frequency.get(n) ?? 0) + 1);
    let mode = 0;
    let modeLines = 0;
    for (const [n, f] of frequency) {
      if (f > modeLines || (f === modeLines && n > mode)) {
        mode = n;
        modeLines = f;
      }
    }
    const score = [modeLines, mode];
    if (score[0]! > bestScore[0]! || (score[0] === bestScore[0] && score[1]! > bestScore[1]!)) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

/**
 * The encoding of a text file from its first bytes. When those are all ASCII (both UTF-8 and
 * GB18030 read them alike) the decision is taken at the first non-ASCII byte further on, so a
 * GBK file with a long ASCII-only start is not taken for UTF-8.
 */
export async function detectFileEncoding(filePath: string, head: Uint8Array, fileBytes: number): Promise<DetectedEncoding> {
  const complete = head.length >= fileBytes;
  const bom = detectBom(head);
  if (bom) return bom;
  if (complete || !isAscii(head)) return detectEncoding(head, complete);
  const fh = await open(filePath, 'r');
  try {
    const block = Buffer.alloc(1024 * 1024);
    for (let position = head.length; position < fileBytes; ) {
      const { bytesRead } = await fh.read(block, 0, block.length, position);
      if (bytesRead === 0) break;
      const index = firstNonAscii(block.subarray(0, bytesRead));
      if (index >= 0) {
        const start = position + index;
        const window = Buffer.alloc(Math.min(SNIFF_BYTES, fileBytes - start));
        const { bytesRead: n } = await fh.read(window, 0, window.length, start);
        return detectEncoding(window.subarray(0, n), start + n >= fileBytes);
      }
      position += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { encoding: 'utf-8', bomLength: 0 };
}

export interface CsvReadOptions {
  encoding: DetectedEncoding;
  delimiter: CsvDelimiter;
  maxRows: number;
}

/**
 * Streams a CSV file as chunks of ~1000 rows. rowNumber is the 1-based record index as Excel
 * shows it (blank lines counted, a quoted multi-line field is one row); blank rows are counted
 * but not yielded; cells are trimmed, '' → null, trailing empty cells dropped.
 */
export async function* readCsvRows(filePath: string, options: CsvReadOptions): AsyncGenerator<SheetRow[], void, undefined> {
  const { encoding, delimiter, maxRows } = options;
  const source = createReadStream(filePath, { start: encoding.bomLength, highWaterMark: 256 * 1024 });
  const parser = parse({
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    bom: false, // skipped above
    max_record_size: MAX_RECORD_BYTES,
  });
  const stages: (Readable | Transform)[] =
    encoding.encoding === 'utf-8' || encoding.encoding === 'utf-8-bom'
      ? [source] // csv-parse decodes UTF-8 bytes itself
      : [source, createDecoderStream(encoding.encoding)];
  pipeline([...stages, parser], () => {
    // errors reach the consumer through the parser, which pipeline destroys with them
  });

  let records = 0;
  let chunk: SheetRow[] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      records++;
      if (records > maxRows) {
        throw fileError(ErrorCodes.TOO_MANY_ROWS, filePath, `the file has more than ${maxRows.toLocaleString('en-US')} rows; split it into several files`, {
          maxRows,
        });
      }
      let last = -1;
      const cells: CellValue[] = new Array<CellValue>(record.length);
      for (let i = 0; i < record.length; i++) {
        let value = record[i]!.trim();
        if (value === '') {
          cells[i] = null;
          continue;
        }
        if (SUSPECT_CELL.test(value)) {
          if (value.includes('\uFFFD')) throw undecodable(filePath, records, encoding);
          value = mapGb18030PrivateUse(value);
        }
        cells[i] = value;
        last = i;
      }
      if (last < 0) continue;
      cells.length = last + 1;
      chunk.push({ rowNumber: records, cells });
      if (chunk.length >= CSV_CHUNK_ROWS) {
        const out = chunk;
        chunk = [];
        yield out;
      }
    }
  } catch (err) {
    throw csvError(filePath, err, records + 1);
  } finally {
    source.destroy();
  }
  if (chunk.length) yield chunk;
}

function undecodable(filePath: string, row: number, encoding: DetectedEncoding) {
  const label = encoding.encoding === 'gb18030' ? 'GBK/GB18030' : encoding.encoding.toUpperCase().replace('-BOM', '');
  return fileError(
    ErrorCodes.FILE_CORRUPT,
    filePath,
    `row ${row} contains bytes that are not valid ${label} text (they would show as �): the file mixes text encodings or is damaged; ` +
      'open it in Excel and save it again as "CSV UTF-8"',
    { row, encoding: encoding.encoding },
  );
}

function csvError(filePath: string, err: unknown, row: number) {
  if (isAppError(err)) return err;
  if (err instanceof CsvError) {
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      return fileError(
        ErrorCodes.FILE_CORRUPT,
        filePath,
        `row ${row}: a quoted field (starting with ") is never closed — the file is probably truncated or damaged; export it again`,
        { row, cause: err.code },
      );
    }
    if (err.code === 'CSV_MAX_RECORD_SIZE') {
      return fileError(
        ErrorCodes.FILE_CORRUPT,
        filePath,
        `row ${row} is longer than ${MAX_RECORD_BYTES / 1048576} MB — probably a quote (") that is never closed; the file is damaged`,
        { row, cause: err.code },
      );
    }
    return fileError(ErrorCodes.FILE_CORRUPT, filePath, `row ${row} cannot be read as CSV (${err.message})`, { row, cause: err.code });
  }
  const message = err instanceof Error ? err.message : String(err);
  return fileError(ErrorCodes.FILE_CORRUPT, filePath, `the file could not be read (${message})`, { row, cause: message });
}

/** Recognises web pages and XML saved under a spreadsheet name. */
function disguisedMarkup(sample: string): string | undefined {
  const start = sample.trimStart().slice(0, 2048).toLowerCase();
  if (start.startsWith('<?xml') && start.includes('urn:schemas-microsoft-com:office:spreadsheet')) {
    return 'an "XML Spreadsheet 2003" file, not a CSV or a real Excel file; open it in Excel and save it as .xlsx';
  }
  if (/^<(!doctype html|html|table|head|body|meta)\b/.test(start) || (start.startsWith('<?xml') && start.includes('<html'))) {
    return 'a web page (HTML) saved with a spreadsheet name, not a real Excel or CSV file; open it in Excel and save it as .xlsx';
  }
  if (start.startsWith('<?xml')) return 'an XML file, not a CSV or Excel file';
  return undefined;
}

/** Opens a text file as CSV: encoding, emptiness, disguised HTML/XML, delimiter; rows streamed. */
export async function openCsv(filePath: string, limits: ReaderLimits, head: Uint8Array, fileBytes: number): Promise<OpenedFile> {
  const encoding = await detectFileEncoding(filePath, head, fileBytes);
  const complete = head.length >= fileBytes;
  const sample = decodeBytes(head, encoding, complete);
  if (complete && sample.trim() === '') {
    throw fileError(ErrorCodes.FILE_EMPTY, filePath, 'the file is empty (no text in it)');
  }
  const markup = disguisedMarkup(sample);
  if (markup) throw fileError(ErrorCodes.FILE_UNSUPPORTED, filePath, `this is ${markup}`);
  const delimiter = sniffDelimiter(sample);
  return {
    format: 'csv',
    encoding: encoding.encoding,
    rows: readCsvRows(filePath, { encoding, delimiter, maxRows: limits.maxRows }),
  };
}
