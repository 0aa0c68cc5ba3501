// Reads one Excel 97-2003 workbook (BIFF8) in a disposable worker thread (see src/ingest/xls.ts
// and worker-host.ts), with the hand-written parser of src/ingest/biff8.ts: the compound
// file's Workbook stream, its globals, then the first worksheet with rows, visible ones first.
// Excel 95 (BIFF5) workbooks go to SheetJS instead (xls-worker.mjs).
import { readFileSync, statSync } from 'node:fs';
// The worker runs bundled (src/worker-bundle.ts), which compiles the TypeScript it imports.
import { Biff8EncryptedError, readWorkbookGlobals, readWorksheet } from '../biff8.ts';
import { readCfbStream } from '../cfb.ts';
import { ReaderFailure, createRowSink, serveFiles } from './sheet-common.mjs';

serveFiles(main, classify);

async function main({ filePath, maxInputBytes }) {
  const size = statSync(filePath).size;
  if (size > maxInputBytes) {
    throw new ReaderFailure('RH_ERR_FILE_TOO_LARGE', `the .xls file is larger than ${Math.round(maxInputBytes / 1048576)} MB; save it as .xlsx or split it`);
  }
  const stream = await readCfbStream(readFileSync(filePath), 'Workbook');
  if (!stream) throw new Error('no Workbook stream');
  const workbook = readWorkbookGlobals(stream);
  const ordered = [...workbook.sheets.filter((s) => s.state === 0), ...workbook.sheets.filter((s) => s.state !== 0)];

  const sink = createRowSink();
  for (const sheet of ordered) {
    for (const row of readWorksheet(stream, sheet.offset, workbook)) await sink.addRow(sheet.name, row.rowNumber, row.cells);
    if (sink.announced) break;
  }
  await sink.flush();
}

function classify(err) {
  const message = err && err.message ? String(err.message) : String(err);
  if (err instanceof Biff8EncryptedError) {
    return new ReaderFailure('RH_ERR_FILE_ENCRYPTED', 'the workbook is password-protected (encrypted); export it again without a password');
  }
  return new ReaderFailure(
    'RH_ERR_FILE_CORRUPT',
    `the .xls workbook is damaged and cannot be read (${message}); export it again or open and re-save it in Excel`,
    { cause: message },
  );
}
