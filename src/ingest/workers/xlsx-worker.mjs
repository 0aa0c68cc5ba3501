// Reads one .xlsx in a disposable worker thread (see src/ingest/xlsx.ts and worker-host.ts).
//
// The parsing is exceljs's streaming reader (WorkbookReader with the options below, and its
// WorksheetReader for the rows), but the zip is read with yauzl instead of WorkbookReader's
// own unzipper pipe, for three reasons:
//  1. exceljs decodes every decompressed chunk on its own with TextDecoder, so a Chinese
//     character cut between two chunks becomes two U+FFFD (exceljs issues #2063, #2084, still
//     open in 4.4.0). Here every part is read with setEncoding('utf8'), which decodes across
//     chunk boundaries.
//  2. WorkbookReader spills a worksheet to a temporary file whenever sharedStrings.xml comes
//     after it in the zip — which is how Excel writes it — so the sheet's decompressed bytes
//     would go to disk unbounded. With random access, shared strings and styles are read first
//     and the sheet is streamed straight from the zip.
//  3. Sheets are taken in workbook order (not zip order), skipping chart sheets.
//
// Decompressed bytes are bounded: the main thread rejected the file unless the central
// directory's declared sizes are within maxUncompressedBytes / maxCompressionRatio, and yauzl
// (validateEntrySizes) fails a stream that inflates to more bytes than its entry declares. A
// central directory that lies in some other way is still covered by the worker's heap limit
// and the wall-clock timeout, both enforced by the main thread.
import path from 'node:path';
import { workerData } from 'node:worker_threads';
import WorkbookReader from 'exceljs/lib/stream/xlsx/workbook-reader.js';
import WorksheetReader from 'exceljs/lib/stream/xlsx/worksheet-reader.js';
import RelationshipsXform from 'exceljs/lib/xlsx/xform/core/relationships-xform.js';
import excelUtils from 'exceljs/lib/utils/utils.js';
import yauzl from 'yauzl';
import { ReaderFailure, compactCells, createRowSink, num, runWorker, serialToDate, text } from './sheet-common.mjs';

// Static imports, so that src/worker-bundle.ts can bundle this worker into one file.
const { isDateFmt } = excelUtils;

const { filePath, maxRows } = workerData;
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/';
const DAY_MS = 86_400_000;

runWorker(main, classify);

async function main() {
  const zip = await openZip(filePath);
  try {
    await readWorkbook(zip);
  } finally {
    zip.file.close();
  }
}

async function readWorkbook(zip) {
  const workbook = new WorkbookReader(filePath, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  for (const name of ['_parseRels', '_parseWorkbook', '_parseStyles', '_parseSharedStrings']) {
    if (typeof workbook[name] !== 'function') {
      throw new Error(`exceljs WorkbookReader.${name} is missing (exceljs version changed?)`);
    }
  }

  // The workbook part: from _rels/.rels, normally xl/workbook.xml.
  let workbookPath = 'xl/workbook.xml';
  if (zip.entries.has('_rels/.rels')) {
    const rels = await new RelationshipsXform().parseStream(await zip.text('_rels/.rels'));
    const office = (rels || []).find((r) => String(r.Type).endsWith('/officeDocument'));
    if (office) workbookPath = resolveTarget('', office.Target);
  }
  if (!zip.entries.has(workbookPath)) {
    throw new ReaderFailure('RH_ERR_FILE_UNSUPPORTED', 'this ZIP file is not an Excel workbook (no workbook part inside)');
  }
  const baseDir = path.posix.dirname(workbookPath);
  const relsPath = path.posix.join(baseDir, '_rels', `${path.posix.basename(workbookPath)}.rels`);
  if (zip.entries.has(relsPath)) await workbook._parseRels(await zip.text(relsPath));
  const workbookRels = workbook.workbookRels || [];
  await workbook._parseWorkbook(await zip.text(workbookPath));
  const date1904 = Boolean(workbook.properties && workbook.properties.model && workbook.properties.model.date1904);

  const partOfType = (type) => {
    const rel = workbookRels.find((r) => String(r.Type) === REL + type);
    return rel ? resolveTarget(baseDir, rel.Target) : undefined;
  };
  const stylesPath = partOfType('styles');
  if (stylesPath && zip.entries.has(stylesPath)) await workbook._parseStyles(await zip.text(stylesPath));
  const sharedStringsPath = partOfType('sharedStrings');
  if (sharedStringsPath && zip.entries.has(sharedStringsPath)) {
    // In 'cache' mode this generator fills workbook.sharedStrings and yields nothing.
    for await (const _ of workbook._parseSharedStrings(await zip.text(sharedStringsPath))) void _;
  }
  if (!workbook.sharedStrings) workbook.sharedStrings = [];

  // Worksheets in the workbook's order; visible ones first.
  const sheets = [];
  for (const sheet of (workbook.model && workbook.model.sheets) || []) {
    const rel = workbookRels.find((r) => r.Id === sheet.rId);
    if (!rel || String(rel.Type) !== REL + 'worksheet') continue;
    const part = resolveTarget(baseDir, rel.Target);
    if (zip.entries.has(part)) sheets.push({ name: sheet.name, state: sheet.state, part, id: sheet.id });
  }
  const ordered = [...sheets.filter((s) => !s.state || s.state === 'visible'), ...sheets.filter((s) => s.state && s.state !== 'visible')];

  const sink = createRowSink();
  for (const sheet of ordered) {
    const reader = new WorksheetReader({
      workbook,
      id: sheet.id,
      iterator: await zip.text(sheet.part),
      options: workbook.options,
    });
    for await (const row of reader) {
      const rowNumber = row.number;
      if (rowNumber > maxRows) {
        throw new ReaderFailure(
          'RH_ERR_TOO_MANY_ROWS',
          `the sheet "${sheet.name}" has more than ${maxRows.toLocaleString('en-US')} rows; split it into several files`,
          { sheet: sheet.name, maxRows },
        );
      }
      const cells = [];
      row.eachCell({ includeEmpty: false }, (cell, column) => {
        cells[column - 1] = toCellValue(cell.value, cell.numFmt, date1904);
      });
      const compact = compactCells(cells);
      if (!compact) continue;
      if (!Number.isInteger(rowNumber)) {
        throw new ReaderFailure('RH_ERR_FILE_CORRUPT', `the sheet "${sheet.name}" has a row without a row number; the file is damaged`);
      }
      sink.announce(sheet.name);
      await sink.add(rowNumber, compact);
    }
    if (sink.announced) break;
  }
  await sink.flush();
}

/** exceljs cell value → string | number | boolean | Date | null. */
function toCellValue(value, numFmt, date1904) {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return text(value);
    case 'number':
      return num(value);
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return null;
  }
  if (value instanceof Date) return fromExcelJsDate(value, date1904);
  if (Array.isArray(value.richText)) return text(value.richText.map((run) => (run && run.text) || '').join(''));
  if ('formula' in value || 'sharedFormula' in value) {
    const result = value.result;
    if (typeof result === 'number' && isDateFmt(numFmt)) return serialToDate(result, date1904);
    if (result !== null && typeof result === 'object' && !(result instanceof Date)) return null; // {error: '#N/A'}
    return toCellValue(result, numFmt, date1904);
  }
  if ('error' in value) return null;
  if ('text' in value) return toCellValue(value.text, undefined, date1904); // hyperlink
  return null;
}

/** exceljs turned a date-formatted number into a Date (UTC, time of day kept): back to the day Excel shows. */
function fromExcelJsDate(date, date1904) {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return null;
  return serialToDate(ms / DAY_MS + 25569 - (date1904 ? 1462 : 0), date1904);
}

function resolveTarget(baseDir, target) {
  const t = String(target).replace(/\\/g, '/');
  return t.startsWith('/') ? path.posix.normalize(t.slice(1)) : path.posix.normalize(path.posix.join(baseDir, t));
}

/** The zip's central directory (names → entries), and UTF-8 text streams of its parts. */
function openZip(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, zipfile) => {
      if (err || !zipfile) return reject(err);
      const entries = new Map();
      zipfile.on('error', reject);
      zipfile.on('entry', (entry) => {
        entries.set(entry.fileName.replace(/\\/g, '/').replace(/^\//, ''), entry);
        zipfile.readEntry();
      });
      zipfile.on('end', () =>
        resolve({
          file: zipfile,
          entries,
          text: (name) =>
            new Promise((res, rej) => {
              zipfile.openReadStream(entries.get(name), (e, stream) => {
                if (e || !stream) return rej(e);
                stream.setEncoding('utf8');
                res(stream);
              });
            }),
        }),
      );
      zipfile.readEntry();
    });
  });
}

function classify(err) {
  const message = err && err.message ? String(err.message) : String(err);
  if (/password|encrypt/i.test(message)) {
    return new ReaderFailure('RH_ERR_FILE_ENCRYPTED', 'the workbook is password-protected (encrypted); export it again without a password');
  }
  return new ReaderFailure(
    'RH_ERR_FILE_CORRUPT',
    `the workbook is damaged and cannot be read (${message}); export it again or open and re-save it in Excel`,
    { cause: message },
  );
}
