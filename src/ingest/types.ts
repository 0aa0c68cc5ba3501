/**
 * What a reader hands over, knowing nothing of departments. CSV gives strings; spreadsheets
 * give numbers, booleans and dates. A date cell arrives as a Date at UTC midnight of the
 * calendar day Excel shows.
 */
export type CellValue = string | number | boolean | Date | null;

export interface SheetRow {
  /** 1-based row number as Excel (or a text editor, for CSV) shows it; title and header rows count. */
  rowNumber: number;
  cells: CellValue[];
}

export type FileFormat = 'csv' | 'xlsx' | 'xls';

export interface ReaderLimits {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /** Largest total uncompressed size of an .xlsx package. */
  maxUncompressedBytes: number;
  /** Largest uncompressed/compressed ratio of any entry of an .xlsx package. */
  maxCompressionRatio: number;
  /** Wall-clock limit for parsing one spreadsheet in its worker thread. */
  parseTimeoutMs: number;
  /** Old-generation heap limit of the worker thread, in MB. */
  workerMaxHeapMb: number;
  /** Most rows (of any kind) a sheet may have. */
  maxRows: number;
  /**
   * A consumer that takes no rows for this long loses its worker: one that went away without
   * closing the file. 0: never, for a caller that always reads to the end or closes (an
   * import). Default: parseTimeoutMs, and at least a minute.
   */
  idleTimeoutMs?: number;
}

export interface OpenedFile {
  format: FileFormat;
  /** For CSV: 'utf-8', 'utf-8-bom' or 'gb18030'. */
  encoding?: string;
  /** For spreadsheets: the sheet that was read (the first one with data). */
  sheetName?: string;
  /** Rows in order, in chunks; blank rows are not yielded. */
  rows: AsyncIterable<SheetRow[]>;
}
