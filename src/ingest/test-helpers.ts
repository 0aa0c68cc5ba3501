/** Builders of throw-away input files for the reader tests (not used by production code). */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';
import type { AppError } from '../errors.js';
import type { OpenedFile, SheetRow } from './types.js';

export async function makeTempDir(prefix = 'rh-ingest-'): Promise<{ dir: string; file: (name: string) => string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, file: (name) => path.join(dir, name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** All rows of an opened file, flattened. */
export async function collectRows(opened: OpenedFile): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const chunk of opened.rows) out.push(...chunk);
  return out;
}

/** The AppError a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

export interface ZipPart {
  name: string;
  data: string | Buffer | Readable;
  compress?: boolean;
}

/** Writes a zip with yazl; streams are streamed, never buffered whole. */
export async function writeZip(file: string, parts: ZipPart[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const part of parts) {
    const options = { compress: part.compress ?? true };
    if (part.data instanceof Readable) zip.addReadStream(part.data, part.name, options);
    else zip.addBuffer(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data, 'utf8'), part.name, options);
  }
  zip.end();
  const out = createWriteStream(file);
  zip.outputStream.pipe(out);
  await finished(out);
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WORKBOOK = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`;

/**
 * A minimal valid .xlsx package (no styles, no shared strings) whose single sheet's XML is
 * given as a string or a stream (for sheets too big to hold in memory).
 */
export function minimalXlsxParts(sheetXml: string | Readable): ZipPart[] {
  return [
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: '_rels/.rels', data: ROOT_RELS },
    { name: 'xl/workbook.xml', data: WORKBOOK },
    { name: 'xl/_rels/workbook.xml.rels', data: WORKBOOK_RELS },
    { name: 'xl/worksheets/sheet1.xml', data: sheetXml },
  ];
}

export const SHEET_XML_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
export const SHEET_XML_TAIL = '</sheetData></worksheet>';

/** `<row>` XML with inline strings / numbers, for hand-built sheets. */
export function rowXml(rowNumber: number, cells: (string | number)[]): string {
  const parts = cells.map((value, i) => {
    const ref = `${String.fromCharCode(65 + i)}${rowNumber}`;
    return typeof value === 'number'
      ? `<c r="${ref}"><v>${value}</v></c>`
      : `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
  });
  return `<row r="${rowNumber}">${parts.join('')}</row>`;
}

/**
 * Rows of seeded random cell values for round trips through a writer and a reader: a code,
 * a Chinese name, text of 1-200 characters (mostly Chinese, some Latin), two numbers and a
 * boolean. No value has spaces to trim or is empty.
 */
export function seededSheetRows(seed: number, count: number): (string | number | boolean)[][] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const han = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤䶮';
  const text = (length: number, wide: boolean) =>
    Array.from({ length }, () => (wide ? han[Math.floor(next() * han.length)] : String.fromCharCode(97 + Math.floor(next() * 26)))).join('');
  return Array.from({ length: count }, (_, r) => [
    `F${r}`,
    text(2 + Math.floor(next() * 3), true),
    text(1 + Math.floor(next() * 200), next() < 0.7),
    Math.round(next() * 1e6) / 100,
    Math.floor(next() * 1e9),
    next() < 0.5,
  ]);
}
