import { csvLine } from '../cli/csv.js';
import type { ImportFile, RejectedRow } from '../db/schema.js';

/**
 * The rejected rows of a batch as CSV: file, row, reasons, then the raw cells in the order the
 * files had their columns. A BOM so that Excel on Windows opens the Chinese text as UTF-8;
 * cells that would run as formulas are escaped (csvCell). `raw` lets a caller redact cells.
 */
export function rejectsCsv(rows: readonly RejectedRow[], files: readonly ImportFile[], raw: (row: RejectedRow) => Record<string, unknown> = (row) => row.raw): string {
  const cells = rows.map(raw);
  // Columns in the order the files had them (json objects from the database need not keep it).
  const fileOrder = files.flatMap((f) => (Array.isArray(f.headers) ? (f.headers as string[]) : []));
  const used = new Set(cells.flatMap((c) => Object.keys(c)));
  const headers = [...new Set([...fileOrder.filter((h) => used.has(h)), ...used])];
  let text = '\ufeff' + csvLine(['file', 'row', 'reasons', ...headers]);
  rows.forEach((row, i) => {
    const reasons = row.reasons.map((r) => `${r.code}: ${r.message}`).join('; ');
    text += csvLine([row.file_name, row.row_number, reasons, ...headers.map((h) => cells[i]![h] ?? '')]);
  });
  return text;
}
