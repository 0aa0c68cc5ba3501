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
  let records = 0;
  let chunk: SheetRow[] = [];
  try {
    for await (const batch of csvRecordBatches(filePath, encoding, delimiter)) {
      for (const record of batch.records) {
        records++;
        if (records > maxRows) {
          throw fileError(ErrorCodes.TOO_MANY_ROWS, filePath, `the file has more than ${maxRows.toLocaleString('en-US')} rows; split it into several files`, {
            maxRows,
          });
        }
        let last = -1;
        // The record's own array becomes the row's (nothing else holds it).
        const cells: CellValue[] = record;
        for (let i = 0; i < record.length; i++) {
          let value = record[i]!.trim();
          if (value === '') {
            cells[i] = null;
            continue;
          }
          if (batch.suspect && SUSPECT_CELL.test(value)) {
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
    }
  } catch (err) {
    throw csvError(filePath, err, records + 1);
  }
  if (chunk.length) yield chunk;
}

/** Records as csv-parse gives them; `suspect` false when no record of the batch has a SUSPECT_CELL character. */
interface RecordBatch {
  /** Arrays of their own, which the reader may reuse. */
  records: string[][];
  suspect: boolean;
}

const READ_CHUNK_BYTES = 256 * 1024;

/**
 * The file's records, exactly as csv-parse (csvParseRecords) gives them, read by CsvSplitter
 * while the text is ordinary. At anything else (a quote closed in the middle of a field, an
 * unclosed quote at the end, a huge record, U+FFFD in the text, a read error) csv-parse reads
 * the file again from the start, skipping the records already given, and reports the error
 * itself, so messages and row numbers are those of csv-parse.
 */
async function* csvRecordBatches(filePath: string, encoding: DetectedEncoding, delimiter: CsvDelimiter): AsyncGenerator<RecordBatch, void, undefined> {
  const splitter = new CsvSplitter(delimiter);
  const decoder = new TextDecoder(encoding.encoding === 'utf-8-bom' ? 'utf-8' : encoding.encoding, { ignoreBOM: true });
  const source = createReadStream(filePath, { start: encoding.bomLength, highWaterMark: READ_CHUNK_BYTES });
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let given = 0;
  let bailed = false;
  try {
    for (let done = false; !done; ) {
      let batch: RecordBatch | typeof BAIL;
      try {
        const next = await iterator.next();
        done = next.done === true;
        const text = done ? decoder.decode() : decoder.decode(next.value, { stream: true });
        batch = splitter.push(text, done);
      } catch {
        batch = BAIL; // a read error: csv-parse meets it again and reports it
      }
      if (batch === BAIL) {
        bailed = true;
        break;
      }
      if (batch.records.length) {
        given += batch.records.length;
        yield batch;
      }
    }
  } finally {
    source.destroy();
  }
  if (bailed) yield* csvParseRecords(filePath, encoding, delimiter, given);
}

/** The file's records read by csv-parse, the first `skip` left out. */
async function* csvParseRecords(
  filePath: string,
  encoding: DetectedEncoding,
  delimiter: CsvDelimiter,
  skip: number,
): AsyncGenerator<RecordBatch, void, undefined> {
  const source = createReadStream(filePath, { start: encoding.bomLength, highWaterMark: READ_CHUNK_BYTES });
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
  let seen = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (seen++ < skip) continue;
      yield { records: [record], suspect: true };
    }
  } finally {
    source.destroy();
  }
}

const BAIL = Symbol('bail');
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** Records longer than this (in UTF-16 units, so at most 3 MB of UTF-8) are left to csv-parse and its max_record_size. */
const MAX_FAST_RECORD_CHARS = 1_000_000;
/** V8 shares the text of a slice this long with its parent string. */
const SLICE_MIN_LENGTH = 13;

/**
 * Splits decoded text into records exactly as csv-parse does with the options of
 * csvParseRecords (quote and escape ", record delimiters \r\n \n \r, relax_quotes,
 * relax_column_count, no trimming), for text where csv-parse raises no error and takes no
 * relax_quotes detour: fields are unquoted (a " inside one is an ordinary character), or
 * quoted with "" for a quote and the closing quote followed by a delimiter, a record delimiter
 * or the end. Anything else answers BAIL. Tested against csv-parse in csv-splitter.test.ts.
 */
export class CsvSplitter {
  private carry = '';
  private readonly delimiter: number;
  private readonly delimiterText: string;

  constructor(delimiter: CsvDelimiter) {
    this.delimiter = delimiter.charCodeAt(0);
    this.delimiterText = delimiter;
  }

  /** The records completed by `text` (all the rest when `last`), or BAIL. */
  push(text: string, last: boolean): RecordBatch | typeof BAIL {
    const buf = this.carry === '' ? text : this.carry + text;
    this.carry = '';
    // One scan for the usual text, which has neither U+FFFD nor GB18030 private-use characters.
    const suspect = SUSPECT_CELL.test(buf);
    if (suspect && buf.includes('\uFFFD')) return BAIL;
    const records: string[][] = [];
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      const nl = buf.indexOf('\n', pos);
      if (nl !== -1) {
        // The usual record: one line, no quote, no CR but the one of CRLF.
        const end = nl > pos && buf.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
        const line = buf.slice(pos, end);
        if (!line.includes('"') && !line.includes('\r')) {
          if (nl - pos > MAX_FAST_RECORD_CHARS) return BAIL;
          const fields = line.split(this.delimiterText);
          for (let i = 0; i < fields.length; i++) fields[i] = detach(fields[i]!);
          records.push(fields);
          pos = nl + 1;
          continue;
        }
      }
      const next = this.record(buf, pos, last, records);
      if (next === BAIL) return BAIL;
      if (next === NEED_MORE) break;
      if (next - pos > MAX_FAST_RECORD_CHARS) return BAIL;
      pos = next;
    }
    if (pos < len) {
      if (last || len - pos > MAX_FAST_RECORD_CHARS) return BAIL;
      this.carry = buf.slice(pos);
    }
    return { records, suspect };
  }

  /** Reads the record at `pos` into `out`; the position after it, NEED_MORE (its end is not in buf yet) or BAIL. */
  private record(buf: string, pos: number, last: boolean, out: string[][]): number | typeof BAIL | typeof NEED_MORE {
    const len = buf.length;
    const delimiter = this.delimiter;
    const fields: string[] = [];
    const done = (next: number): number => {
      for (let i = 0; i < fields.length; i++) fields[i] = detach(fields[i]!);
      out.push(fields);
      return next;
    };
    let p = pos;
    for (;;) {
      if (p < len && buf.charCodeAt(p) === QUOTE) {
        let value = '';
        let q = p + 1;
        for (;;) {
          const close = buf.indexOf('"', q);
          if (close === -1) return last ? BAIL : NEED_MORE; // csv-parse: CSV_QUOTE_NOT_CLOSED at the end
          if (close + 1 >= len) {
            if (!last) return NEED_MORE;
            fields.push(value + buf.slice(q, close));
            return done(len);
          }
          const after = buf.charCodeAt(close + 1);
          if (after === QUOTE) {
            // "" inside quotes: one quote
            value += buf.slice(q, close + 1);
            q = close + 2;
            continue;
          }
          value += buf.slice(q, close);
          if (after === delimiter) {
            fields.push(value);
            p = close + 2;
            break;
          }
          if (after === LF) {
            fields.push(value);
            return done(close + 2);
          }
          if (after === CR) {
            if (close + 2 >= len && !last) return NEED_MORE;
            fields.push(value);
            return done(close + 2 + (buf.charCodeAt(close + 2) === LF ? 1 : 0));
          }
          return BAIL; // text after a closing quote: csv-parse's relax_quotes handling
        }
        continue;
      }
      let q = p;
      while (q < len) {
        const c = buf.charCodeAt(q);
        if (c === delimiter || c === LF || c === CR) break;
        q++;
      }
      if (q >= len) {
        if (!last) return NEED_MORE;
        fields.push(buf.slice(p, q));
        return done(len);
      }
      fields.push(buf.slice(p, q));
      const c = buf.charCodeAt(q);
      if (c === delimiter) {
        p = q + 1;
        continue;
      }
      if (c === LF) return done(q + 1);
      if (q + 1 >= len && !last) return NEED_MORE; // CR: maybe CRLF
      return done(q + 1 + (buf.charCodeAt(q + 1) === LF ? 1 : 0));
    }
  }
}

const NEED_MORE = Symbol('need more');

/**
 * The same text in a string of its own. A slice of the decoded chunk would keep the whole
 * chunk alive as long as it lives (in a cache, a set of keys): csv-parse's fields do not.
 */
function detach(s: string): string {
  return s.length < SLICE_MIN_LENGTH ? s : (' ' + s).slice(1);
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
