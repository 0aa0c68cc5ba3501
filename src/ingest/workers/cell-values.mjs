// Cell values as every spreadsheet reader gives them: Excel date serials as the day Excel
// shows, text trimmed. Plain JavaScript, so that the SheetJS worker (run unbundled) and the
// TypeScript readers (xlsx-parts.ts, biff8.ts; types in cell-values.d.mts) share it.

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);
/** 9999-12-31, the last day Excel shows. */
const MAX_SERIAL = 2_958_465;

/**
 * An Excel date serial → Date at UTC midnight of the day Excel shows (the time of day dropped).
 * Pure arithmetic, independent of the machine's time zone. In the 1900 system Excel counts a
 * fictitious 1900-02-29 (serial 60), so serials below 61 are one day later than the calendar.
 * A serial Excel cannot show as a date (negative, past 9999) stays a number.
 */
export function serialToDate(serial, date1904) {
  if (typeof serial !== 'number' || !Number.isFinite(serial)) return null;
  if (serial < 0 || serial >= MAX_SERIAL + 1) return serial;
  let day = Math.floor(Math.round(serial * DAY_MS) / DAY_MS);
  if (date1904) return new Date(EPOCH_1904 + day * DAY_MS);
  if (day < 61) day += 1;
  return new Date(EPOCH_1900 + day * DAY_MS);
}

/** Trimmed text, '' → null. */
export function text(value) {
  const trimmed = String(value).trim();
  return trimmed === '' ? null : trimmed;
}

/** Finite number or null. */
export function num(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
