import path from 'node:path';
import { adapters } from '../../adapters/index.js';
import { headerScore, mapColumns, type ColumnMap } from '../../adapters/header-map.js';
import type { SourceAdapter } from '../../adapters/types.js';
import { AppError, ErrorCodes } from '../errors.js';
import { cellText, parseDate } from '../normalize/index.js';
import { findHeaderRow } from './header.js';
import { parseRow, type ParsedRow } from './parse-row.js';
import { openFile } from './open.js';
import type { OpenedFile, ReaderLimits, SheetRow } from './types.js';
import type { SheetWorkerPool } from './worker-host.js';

/** Rows scanned for the header: title rows sit above it, never more than a few. */
const HEADER_SCAN_ROWS = 20;

export interface SourceFileInfo {
  format: OpenedFile['format'];
  encoding?: string;
  sheetName?: string;
  headerRow: number;
  headers: string[];
  /** From a `制表日期：…` title row when present. */
  exportDate?: string;
}

export type { ParsedRow } from './parse-row.js';

export interface OpenedSourceFile {
  info: SourceFileInfo;
  /**
   * Data rows after the header, in chunks as read, each row parsed by the adapter as it is
   * taken: a row's objects are garbage by the time the next one is parsed, not after the whole
   * chunk (young objects that outlive two scavenges are copied into the old generation).
   */
  chunks(exportDate: string): AsyncIterable<Iterable<ParsedRow>>;
  /** Stops reading (a spreadsheet's worker ends): for a file opened but never read through. */
  close(): Promise<void>;
}

/**
 * Opens a department's export: finds the header under the title rows, checks it is this
 * department's, and maps each data row to a record through the adapter. Knows every adapter
 * only to say which department a wrong file seems to come from.
 */
export async function openSourceFile(
  filePath: string,
  adapter: SourceAdapter,
  limits?: Partial<ReaderLimits>,
  pool?: SheetWorkerPool,
): Promise<OpenedSourceFile> {
  const fileName = path.basename(filePath);
  const opened = await openFile(filePath, limits, pool);
  const iterator = opened.rows[Symbol.asyncIterator]();
  const head: SheetRow[] = [];
  let pending: SheetRow[] = [];
  while (head.length < HEADER_SCAN_ROWS) {
    const next = await iterator.next();
    if (next.done) break;
    for (const row of next.value) {
      if (head.length < HEADER_SCAN_ROWS) head.push(row);
      else pending.push(row);
    }
  }
  if (head.length === 0) {
    await iterator.return?.();
    throw new AppError(ErrorCodes.FILE_EMPTY, `${fileName}: the file has no rows`, { file: fileName });
  }

  const headerIndex = findHeaderRow(head, (cells) => headerScore(adapter, cells));
  const expected = adapter.fields.filter((f) => f.required).map((f) => f.headers[0]);
  const headerRow = headerIndex >= 0 ? head[headerIndex] : undefined;
  const columns: ColumnMap | undefined = headerRow ? mapColumns(adapter, headerRow.cells) : undefined;
  if (!headerRow || !columns || columns.missingRequired.length) {
    await iterator.return?.();
    throw headerError(fileName, adapter, head, headerRow, columns, expected);
  }

  const titleRows = head.slice(0, headerIndex);
  const exportDate = findExportDate(titleRows);
  // Rows already pulled past the header scan window still have to be processed, in order.
  pending = [...head.slice(headerIndex + 1), ...pending];
  const info: SourceFileInfo = {
    format: opened.format,
    encoding: opened.encoding,
    sheetName: opened.sheetName,
    headerRow: headerRow.rowNumber,
    headers: columns.headers,
    exportDate,
  };

  // The data rows as read, in chunks: those pulled with the header first.
  async function* sheetChunks(): AsyncGenerator<SheetRow[]> {
    try {
      if (pending.length) yield pending;
      pending = [];
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }

  const sourceFile: OpenedSourceFile = {
    info,
    async *chunks(defaultExportDate: string) {
      const context = { exportDate: exportDate ?? defaultExportDate };
      const parse = (row: SheetRow): ParsedRow => parseRow(row, adapter, columns, context);
      for await (const rows of sheetChunks()) yield parsedOneByOne(rows, parse);
    },
    async close() {
      await iterator.return?.();
    },
  };
  return sourceFile;
}

function* parsedOneByOne(rows: SheetRow[], parse: (row: SheetRow) => ParsedRow): Generator<ParsedRow> {
  for (const row of rows) yield parse(row);
}

function findExportDate(titleRows: SheetRow[]): string | undefined {
  for (const row of titleRows) {
    for (const cell of row.cells) {
      const match = /制表日期\s*[:：]\s*([0-9０-９年月日./-]+)/.exec(cellText(cell));
      if (match?.[1]) {
        const date = parseDate(match[1]);
        if (date.ok === true) return date.value;
      }
    }
  }
  return undefined;
}

function headerError(
  fileName: string,
  adapter: SourceAdapter,
  head: SheetRow[],
  headerRow: SheetRow | undefined,
  columns: ColumnMap | undefined,
  expected: (string | undefined)[],
): AppError {
  const candidate = headerRow ?? head[0];
  const found = (candidate?.cells ?? []).map((c) => cellText(c)).filter(Boolean);
  // Which department's header does the file carry, if not this one's?
  let best: { source: string; systemName: string; score: number } | undefined;
  for (const other of Object.values(adapters)) {
    if (other.source === adapter.source) continue;
    for (const row of head) {
      const cells = row.cells.map((c) => cellText(c));
      const score = headerScore(other, cells);
      const otherColumns = mapColumns(other, row.cells);
      if (otherColumns.missingRequired.length === 0 && (!best || score > best.score)) {
        best = { source: other.source, systemName: other.systemName, score };
      }
    }
  }
  const missing = columns?.missingRequired.map((f) => f.headers[0]) ?? expected;
  const details = { file: fileName, expected, missing, found, looksLike: best?.source };
  if (best) {
    return new AppError(
      ErrorCodes.WRONG_SOURCE,
      `${fileName}: this looks like an export of ${best.systemName} (--source ${best.source}), not of ${adapter.systemName} (--source ${adapter.source}); ` +
        `missing columns: ${missing.join(', ')}; found: ${found.join(', ') || '(none)'}`,
      details,
    );
  }
  return new AppError(
    ErrorCodes.HEADER_NOT_FOUND,
    `${fileName}: no header row of ${adapter.systemName} found in the first ${HEADER_SCAN_ROWS} rows; ` +
      `missing columns: ${missing.join(', ')} (expected at least: ${expected.join(', ')}); found: ${found.join(', ') || '(none)'}`,
    details,
  );
}
