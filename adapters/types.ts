import type { CellValue } from '../src/ingest/types.js';
import type { FieldFlag } from '../src/normalize/types.js';

/** The four source systems. The names are part of the public CLI contract. */
export const SOURCE_NAMES = ['police', 'family-planning', 'floating-population', 'minimum-allowance'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export function isSourceName(value: string): value is SourceName {
  return (SOURCE_NAMES as readonly string[]).includes(value);
}

/** How a column's cells are normalised. */
export type FieldKind =
  | 'text'
  | 'name'
  | 'idNumber'
  | 'date'
  | 'sex'
  | 'ethnicity'
  | 'marital'
  | 'relationship'
  | 'personStatus'
  | 'phone'
  | 'address'
  | 'integer'
  | 'amount'
  | 'code';

export interface FieldSpec {
  /** Key in the normalised record, shared across sources for the same meaning (name, idNumber, …). */
  key: string;
  /** The column's name in the source system, for messages. */
  label: string;
  /** The header as the source calls it, then its synonyms; matched after header normalisation. */
  headers: readonly string[];
  kind: FieldKind;
  /** A file without this column is not an export of this source. */
  required?: boolean;
}

/** One data row, its cells looked up by field key. */
export interface MappedRow {
  rowNumber: number;
  get(key: string): CellValue | undefined;
}

/** A row turned into a record, or the reasons it cannot describe a person. */
export type AdapterResult =
  | { ok: true; naturalKey: string; data: Record<string, unknown>; flags: FieldFlag[] }
  | { ok: false; reasons: FieldFlag[] };

export interface RowContext {
  /** The export's date when known (e.g. from a `制表日期` title row), else the import date. */
  exportDate: string;
}

/**
 * The port every department implements. Adding a fifth department means a new folder under
 * `adapters/` with one of these: the header synonyms, the row → record mapping and the
 * source's own natural key.
 */
export interface SourceAdapter {
  readonly source: SourceName;
  /** The system's name, in Chinese, as staff know it. */
  readonly systemName: string;
  readonly fields: readonly FieldSpec[];
  toRecord(row: MappedRow, context: RowContext): AdapterResult;
}
