/**
 * One CSV cell. Cells that a spreadsheet would run as a formula (= + - @, tab, carriage
 * return) get a leading apostrophe: a rejects report opened in Excel must not execute data.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
