// Reads one .xlsx in a disposable worker thread (see src/ingest/xlsx.ts and worker-host.ts).
//
// The zip is read with yauzl and its parts are parsed by hand (src/ingest/xlsx-parts.ts):
// relationships, the workbook, the styles and the shared strings first, then the first sheet
// with rows, streamed straight from the zip. exceljs's streaming reader did this before; it
// cost ~200 ms of start-up and parsing per file, and read the police sheet at ~23,000 rows/s.
// Every part is decoded with setEncoding('utf8'), which decodes across chunk boundaries (a
// Chinese character cut between two inflated chunks stays one character). Sheets are taken
// in workbook order (not zip order), visible ones first, skipping chart sheets.
//
// Decompressed bytes are bounded: the main thread rejected the file unless the central
// directory's declared sizes are within maxUncompressedBytes / maxCompressionRatio, and yauzl
// (validateEntrySizes) fails a stream that inflates to more bytes than its entry declares. A
// central directory that lies in some other way is still covered by the worker's heap limit
// and the wall-clock timeout, both enforced by the main thread.
import path from 'node:path';
import yauzl from 'yauzl';
// The worker runs bundled (src/worker-bundle.ts), which compiles the TypeScript it imports.
import { SharedStringsParser, SheetRowParser, parseRelationships, parseStyles, parseWorkbook } from '../xlsx-parts.ts';
import { ReaderFailure, createRowSink, serveFiles } from './sheet-common.mjs';

// A relationship's kind by the end of its type: transitional OOXML's types start
// http://schemas.openxmlformats.org/officeDocument/2006/relationships/, strict OOXML's
// http://purl.oclc.org/ooxml/officeDocument/relationships/.
const isType = (rel, type) => rel.type.endsWith(`/${type}`);

serveFiles(main, classify);

async function main({ filePath }) {
  const zip = await openZip(filePath);
  try {
    await readWorkbook(zip);
  } finally {
    zip.file.close();
  }
}

async function readWorkbook(zip) {
  // The workbook part: from _rels/.rels, normally xl/workbook.xml.
  let workbookPath = 'xl/workbook.xml';
  if (zip.entries.has('_rels/.rels')) {
    const office = parseRelationships(await zip.text('_rels/.rels')).find((r) => isType(r, 'officeDocument'));
    if (office) workbookPath = resolveTarget('', office.target);
  }
  if (!zip.entries.has(workbookPath)) {
    throw new ReaderFailure('RH_ERR_FILE_UNSUPPORTED', 'this ZIP file is not an Excel workbook (no workbook part inside)');
  }
  const baseDir = path.posix.dirname(workbookPath);
  const relsPath = path.posix.join(baseDir, '_rels', `${path.posix.basename(workbookPath)}.rels`);
  const workbookRels = zip.entries.has(relsPath) ? parseRelationships(await zip.text(relsPath)) : [];
  const workbook = parseWorkbook(await zip.text(workbookPath));

  const partOfType = (type) => {
    const rel = workbookRels.find((r) => isType(r, type));
    return rel ? resolveTarget(baseDir, rel.target) : undefined;
  };
  const stylesPath = partOfType('styles');
  const dateStyles = stylesPath && zip.entries.has(stylesPath) ? parseStyles(await zip.text(stylesPath)) : [];
  const sharedStringsPath = partOfType('sharedStrings');
  let sharedStrings = [];
  if (sharedStringsPath && zip.entries.has(sharedStringsPath)) {
    const parser = new SharedStringsParser();
    for await (const chunk of await zip.stream(sharedStringsPath)) parser.push(chunk);
    sharedStrings = parser.end();
  }

  // Worksheets in the workbook's order; visible ones first.
  const sheets = [];
  for (const sheet of workbook.sheets) {
    const rel = workbookRels.find((r) => r.id === sheet.relationshipId);
    if (!rel || !isType(rel, 'worksheet')) continue;
    const part = resolveTarget(baseDir, rel.target);
    if (zip.entries.has(part)) sheets.push({ name: sheet.name, state: sheet.state, part });
  }
  const ordered = [...sheets.filter((s) => s.state === 'visible'), ...sheets.filter((s) => s.state !== 'visible')];

  const context = { sharedStrings, dateStyles, date1904: workbook.date1904 };
  const sink = createRowSink();
  for (const sheet of ordered) {
    const parser = new SheetRowParser(context);
    const take = async (rows) => {
      for (const row of rows) await sink.addRow(sheet.name, row.rowNumber, row.cells);
    };
    for await (const chunk of await zip.stream(sheet.part)) await take(parser.push(chunk));
    await take(parser.end());
    if (sink.announced) break;
  }
  await sink.flush();
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
      const stream = (name) =>
        new Promise((res, rej) => {
          zipfile.openReadStream(entries.get(name), (e, readable) => {
            if (e || !readable) return rej(e);
            readable.setEncoding('utf8');
            res(readable);
          });
        });
      zipfile.on('end', () =>
        resolve({
          file: zipfile,
          entries,
          stream,
          async text(name) {
            let out = '';
            for await (const chunk of await stream(name)) out += chunk;
            return out;
          },
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
