import { normalizeHeader } from '../src/ingest/header.js';
import { cellText } from '../src/normalize/index.js';
import type { CellValue } from '../src/ingest/types.js';
import type { FieldSpec, SourceAdapter } from './types.js';

/** Where each field of an adapter sits in a file, found from the header row. */
export interface ColumnMap {
  /** Column index → field key, for the columns the adapter knows. */
  fieldByColumn: Map<number, string>;
  /** Field key → column index. */
  columnByField: Map<string, number>;
  /** The header cells as found (original text), by column index. */
  headers: string[];
  /** Required fields with no column. */
  missingRequired: FieldSpec[];
}

const lookupCache = new WeakMap<SourceAdapter, Map<string, string>>();

function headerLookup(adapter: SourceAdapter): Map<string, string> {
  let lookup = lookupCache.get(adapter);
  if (!lookup) {
    lookup = new Map();
    for (const field of adapter.fields) {
      for (const header of field.headers) lookup.set(normalizeHeader(header), field.key);
    }
    lookupCache.set(adapter, lookup);
  }
  return lookup;
}

export function mapColumns(adapter: SourceAdapter, headerCells: readonly CellValue[]): ColumnMap {
  const lookup = headerLookup(adapter);
  const fieldByColumn = new Map<number, string>();
  const columnByField = new Map<string, number>();
  const headers = headerCells.map((c) => cellText(c));
  headers.forEach((text, index) => {
    const key = lookup.get(normalizeHeader(text));
    // The first column wins when an export repeats a header.
    if (key && !columnByField.has(key)) {
      fieldByColumn.set(index, key);
      columnByField.set(key, index);
    }
  });
  const missingRequired = adapter.fields.filter((f) => f.required && !columnByField.has(f.key));
  return { fieldByColumn, columnByField, headers, missingRequired };
}

/** How much a row looks like this adapter's header: distinct known fields, required ones counting double. */
export function headerScore(adapter: SourceAdapter, cells: readonly string[]): number {
  const lookup = headerLookup(adapter);
  const seen = new Set<string>();
  let score = 0;
  for (const cell of cells) {
    const key = lookup.get(normalizeHeader(cell));
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const field = adapter.fields.find((f) => f.key === key);
    score += field?.required ? 2 : 1;
  }
  return score;
}
