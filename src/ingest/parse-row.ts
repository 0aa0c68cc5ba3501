import { RecordBuilder } from '../../adapters/define-adapter.js';
import type { ColumnMap } from '../../adapters/header-map.js';
import type { AdapterResult, MappedRow, SourceAdapter } from '../../adapters/types.js';
import { cellText } from '../normalize/index.js';
import type { FieldFlag } from '../normalize/types.js';
import { isFooterRow } from './header.js';
import type { CellValue, SheetRow } from './types.js';

/** A data row as the adapter read it. */
export type ParsedRow =
  | { rowNumber: number; kind: 'accepted'; raw: Record<string, string>; result: Extract<AdapterResult, { ok: true }> }
  | { rowNumber: number; kind: 'rejected'; raw: Record<string, string>; reasons: FieldFlag[] }
  | { rowNumber: number; kind: 'skipped' };

/** One data row through the adapter: skipped (a footer, an empty row), rejected or accepted. Pure. */
export function parseRow(row: SheetRow, adapter: SourceAdapter, columns: Pick<ColumnMap, 'headers' | 'columnByField'>, context: { exportDate: string }): ParsedRow {
  if (isFooterRow(row.cells)) return { rowNumber: row.rowNumber, kind: 'skipped' };
  const raw = rawValues(row.cells, columns.headers);
  if (isEmptyRecord(raw)) return { rowNumber: row.rowNumber, kind: 'skipped' };
  const result = adapter.toRecord(new RowCells(row.rowNumber, row.cells, columns.columnByField), context);
  if (!result.ok) return { rowNumber: row.rowNumber, kind: 'rejected', raw, reasons: result.reasons };
  return { rowNumber: row.rowNumber, kind: 'accepted', raw, result };
}

/** A row's cells looked up by field key (a class, so no closure is made per row). */
class RowCells implements MappedRow {
  constructor(
    readonly rowNumber: number,
    private readonly cells: readonly CellValue[],
    private readonly columnByField: ColumnMap['columnByField'],
  ) {}

  get(key: string): CellValue | undefined {
    const index = this.columnByField.get(key);
    return index === undefined ? undefined : this.cells[index];
  }
}

function isEmptyRecord(raw: Record<string, string>): boolean {
  for (const key in raw) if (Object.hasOwn(raw, key)) return false;
  return true;
}

/** The row as found, header → text, unknown columns included; empty cells left out. */
function rawValues(cells: readonly CellValue[], headers: readonly string[]): Record<string, string> {
  const keys = rawKeysOf(headers, cells.length);
  if (keys === undefined) return rawValuesOneByOne(cells, headers);
  for (let index = 0; index < cells.length; index++) {
    const text = cellText(cells[index] ?? null);
    if (text) rawBuilder.set(keys[index]!, text);
  }
  return rawBuilder.build() as Record<string, string>;
}

/** rawValues the plain way: each cell's key checked against those already taken. */
function rawValuesOneByOne(cells: readonly CellValue[], headers: readonly string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (let index = 0; index < cells.length; index++) {
    const text = cellText(cells[index] ?? null);
    if (!text) continue;
    let key = headers[index] || `column ${index + 1}`;
    if (key in raw) key = `${key} (column ${index + 1})`;
    raw[key] = text;
  }
  return raw;
}

const rawBuilder = new RecordBuilder();

/** A file's raw keys by column (`headers[i] || column i+1`); `clash` when two are equal or one is inherited (toString). */
interface RawKeys {
  keys: string[];
  taken: Set<string>;
  clash: boolean;
}

const rawKeysByHeaders = new WeakMap<readonly string[], RawKeys>();

/**
 * The key of each of the first `length` columns, when no two columns can ever share a key
 * (then rawValuesOneByOne would never rename one); undefined otherwise.
 */
function rawKeysOf(headers: readonly string[], length: number): readonly string[] | undefined {
  let info = rawKeysByHeaders.get(headers);
  if (info === undefined) {
    info = { keys: [], taken: new Set(), clash: false };
    rawKeysByHeaders.set(headers, info);
  }
  for (let index = info.keys.length; index < length && !info.clash; index++) {
    const key = headers[index] || `column ${index + 1}`;
    if (info.taken.has(key) || key in Object.prototype) info.clash = true;
    info.taken.add(key);
    info.keys.push(key);
  }
  return info.clash ? undefined : info.keys;
}

