// Reads one Excel 95 .xls (BIFF5: a compound file with a `Book` stream and no `Workbook` one)
// with SheetJS in a disposable worker thread (see src/ingest/xls.ts and worker-host.ts); Excel
// 97-2003 workbooks (BIFF8) go to the project's own reader (biff8-worker.mjs).
//
// npm's xlsx 0.18.5 carries CVE-2023-30533 (prototype pollution while reading) and
// CVE-2024-22363 (ReDoS); the fixed builds are not on npm. It is contained: it only ever runs
// in this thread, created for one file and terminated afterwards (a polluted Object.prototype
// dies with it), under a heap limit, a wall-clock timeout and an input size cap enforced by
// the main thread, and nothing but fresh arrays of primitives and Dates leaves it.
import { readFileSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { runInThisContext } from 'node:vm';
import { workerData } from 'node:worker_threads';
import { SHEETJS_PATCHES } from './sheetjs-patches.mjs';
import { num, serialToDate, text } from './cell-values.mjs';
import { ReaderFailure, createRowSink, runWorker } from './sheet-common.mjs';

const { filePath, maxInputBytes } = workerData;
const require = createRequire(import.meta.url);
/** SheetJS, loaded by main() for the file at hand. */
let XLSX;

/**
 * SheetJS's core build (a sixth of the full build's start-up time), with the legacy code pages
 * it lacks: a BIFF5 workbook's text is in the machine's code page (GBK on Chinese Windows), not
 * UTF-16. The core build picks up a global `cptable` when it loads.
 */
function loadSheetJs() {
  globalThis.cptable = require('xlsx/dist/cpexcel.js');
  return loadPatched(require.resolve('xlsx/dist/xlsx.core.min.js'));
}

/** The build at `filename`, evaluated as require would, with SHEETJS_PATCHES applied where they fit. */
function loadPatched(filename) {
  let source = readFileSync(filename, 'utf8');
  for (const { shipped, fixed } of SHEETJS_PATCHES) {
    if (source.split(shipped).length === 2) source = source.replace(shipped, () => fixed);
  }
  const load = runInThisContext(Module.wrap(source), { filename });
  const module = { exports: {} };
  load.call(module.exports, module.exports, require, module, filename, path.dirname(filename));
  return module.exports;
}
runWorker(main, classify);

async function main() {
  const size = statSync(filePath).size;
  if (size > maxInputBytes) {
    throw new ReaderFailure('RH_ERR_FILE_TOO_LARGE', `the .xls file is larger than ${Math.round(maxInputBytes / 1048576)} MB; save it as .xlsx or split it`);
  }
  const buffer = readFileSync(filePath);
  XLSX = loadSheetJs();
  const workbook = XLSX.read(buffer, {
    type: 'buffer',
    dense: true, // 0.18.5: each sheet is an array of rows (arrays of cell objects), holes for empty ones
    // Dates are computed here from the serial number and the cell's number format: SheetJS's
    // cellDates builds them from *local* time (new Date(y, m, d)), which shifts with the
    // machine's time zone and cannot represent a day whose local midnight does not exist.
    cellDates: false,
    cellNF: true, // keep the number format (cell.z) to know which numbers are dates
    cellText: false,
    cellHTML: false,
    cellFormula: false,
    cellStyles: false,
  });
  const date1904 = Boolean(workbook.Workbook && workbook.Workbook.WBProps && workbook.Workbook.WBProps.date1904);
  const hidden = new Set(
    ((workbook.Workbook && workbook.Workbook.Sheets) || []).filter((s) => s && s.Hidden).map((s) => s.name),
  );
  const names = workbook.SheetNames.filter((n) => !hidden.has(n)).concat(workbook.SheetNames.filter((n) => hidden.has(n)));

  const sink = createRowSink();
  for (const name of names) {
    const sheet = workbook.Sheets[name];
    if (!Array.isArray(sheet)) continue; // chart sheets, or not dense
    for (let r = 0; r < sheet.length; r++) {
      const row = sheet[r];
      if (!Array.isArray(row)) continue;
      const cells = new Array(row.length);
      for (let c = 0; c < row.length; c++) cells[c] = toCellValue(row[c], date1904);
      await sink.addRow(String(name), r + 1, cells);
    }
    if (sink.announced) break;
  }
  await sink.flush();
}

/** SheetJS cell → string | number | boolean | Date | null (never a SheetJS object). */
function toCellValue(cell, date1904) {
  if (!cell || typeof cell !== 'object') return null;
  const value = cell.v;
  switch (cell.t) {
    case 's':
    case 'str':
      return value === undefined || value === null ? null : text(value);
    case 'n':
      if (typeof value !== 'number') return null;
      if (typeof cell.z === 'string' && XLSX.SSF.is_date(cell.z)) return serialToDate(value, date1904);
      return num(value);
    case 'b':
      return typeof value === 'boolean' ? value : Boolean(value);
    case 'd':
      // Only with cellDates; kept for safety: SheetJS's local-time Date → the day it shows.
      return value instanceof Date && Number.isFinite(value.getTime())
        ? new Date(Date.UTC(value.getFullYear(), value.getMonth(), value.getDate()))
        : null;
    default:
      return null; // 'e' (#N/A…), 'z' (stub)
  }
}

function classify(err) {
  const message = err && err.message ? String(err.message) : String(err);
  if (/password|encrypt/i.test(message)) {
    return new ReaderFailure('RH_ERR_FILE_ENCRYPTED', 'the workbook is password-protected (encrypted); export it again without a password');
  }
  if (/unsupported|unrecognized|not supported/i.test(message)) {
    return new ReaderFailure('RH_ERR_FILE_UNSUPPORTED', `this Excel file format is not supported (${message}); open it in Excel and save it as .xlsx`, {
      cause: message,
    });
  }
  return new ReaderFailure(
    'RH_ERR_FILE_CORRUPT',
    `the .xls workbook is damaged and cannot be read (${message}); export it again or open and re-save it in Excel`,
    { cause: message },
  );
}
