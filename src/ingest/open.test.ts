import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import XLSX from 'xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { DEFAULT_LIMITS, openFile, sniffFormat } from './open.js';
import { collectRows, makeTempDir, rejectionOf, writeZip } from './test-helpers.js';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(() => tmp.cleanup());

async function failure(name: string, bytes: Buffer | string) {
  const file = tmp.file(name);
  await writeFile(file, bytes);
  return rejectionOf(openFile(file));
}

/** A compound file like Office writes for a password-protected .xlsx. */
function encryptedXlsx(): Buffer {
  const cfb = XLSX.CFB.utils.cfb_new();
  XLSX.CFB.utils.cfb_add(cfb, 'EncryptionInfo', Buffer.from([4, 0, 4, 0, 0x40, 0, 0, 0]));
  XLSX.CFB.utils.cfb_add(cfb, 'EncryptedPackage', randomBytes(4096));
  return Buffer.from(XLSX.CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}

describe('openFile: sniffing and file-level errors', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_LIMITS).toMatchObject({ maxFileBytes: 512 * 1024 * 1024, maxRows: 1_048_576, maxCompressionRatio: 200 });
  });

  it('sniffs by content', () => {
    expect(sniffFormat(Buffer.from('PK\x03\x04rest', 'latin1')).kind).toBe('zip');
    expect(sniffFormat(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]))).toEqual({ kind: 'cfb' });
    expect(sniffFormat(Buffer.from('姓名,性别\r\n', 'utf8'))).toEqual({ kind: 'text' });
    expect(sniffFormat(Buffer.from([0xff, 0xfe, 0x53, 0x59, 0, 0]))).toEqual({ kind: 'text' }); // UTF-16LE, NULs allowed
    expect(sniffFormat(Buffer.from('%PDF-1.7\n'))).toEqual({ kind: 'binary', what: 'a PDF document' });
  });

  it('rejects a missing file', async () => {
    const err = await rejectionOf(openFile(tmp.file('police-2026-10.xlsx')));
    expect(err.code).toBe(ErrorCodes.FILE_NOT_FOUND);
    expect(err.message).toBe('police-2026-10.xlsx: file not found');
  });

  it('rejects empty files: 0 bytes, or only a BOM and whitespace', async () => {
    expect((await failure('empty.csv', '')).code).toBe(ErrorCodes.FILE_EMPTY);
    const err = await failure('blank.csv', Buffer.from('\uFEFF \r\n\r\n\t', 'utf8'));
    expect(err.code).toBe(ErrorCodes.FILE_EMPTY);
    expect(err.message).toMatch(/^blank\.csv: /);
  });

  it('rejects binary files named .csv', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);
    const err = await failure('photo.csv', png);
    expect(err.code).toBe(ErrorCodes.FILE_NOT_TEXT);
    expect(err.message).toMatch(/^photo\.csv: this is a PNG image/);
    expect((await failure('random.csv', randomBytes(8192))).code).toBe(ErrorCodes.FILE_NOT_TEXT);
    const utf16 = await failure('unicode.csv', Buffer.from('姓名,Name,Sex\r\nWang Fang,F\r\n', 'utf16le'));
    expect(utf16.message).toMatch(/^unicode\.csv: this looks like UTF-16 text without a byte-order mark/);
    const controls = Buffer.alloc(1000, 0x01);
    expect((await failure('controls.csv', controls)).code).toBe(ErrorCodes.FILE_NOT_TEXT);
  });

  it('rejects a file over maxFileBytes before reading it', async () => {
    const file = tmp.file('big.csv');
    await writeFile(file, 'a,b\n'.repeat(1000));
    const err = await rejectionOf(openFile(file, { maxFileBytes: 1000 }));
    expect(err.code).toBe(ErrorCodes.FILE_TOO_LARGE);
    expect(err.message).toMatch(/^big\.csv: the file is 4 KB, more than the 1 KB accepted/);
  });

  it('rejects a password-protected .xlsx (a compound file holding EncryptedPackage)', async () => {
    const err = await failure('police-2026-10.xlsx', encryptedXlsx());
    expect(err.code).toBe(ErrorCodes.FILE_ENCRYPTED);
    expect(err.message).toBe(
      'police-2026-10.xlsx: the workbook is password-protected (encrypted); export it again without a password',
    );
  });

  it('rejects other compound files and broken ones', async () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, 'WordDocument', Buffer.alloc(600, 1));
    const doc = Buffer.from(XLSX.CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
    const err = await failure('letter.xls', doc);
    expect(err.code).toBe(ErrorCodes.FILE_UNSUPPORTED);
    expect(err.message).toMatch(/Word document/);
    expect((await failure('cut.xls', doc.subarray(0, 700))).code).toBe(ErrorCodes.FILE_CORRUPT);
  });

  it('rejects web pages and XML saved as .xls', async () => {
    const html = await failure('export.xls', '<html><head><meta charset="utf-8"></head><body><table><tr><td>姓名</td></tr></table></body></html>');
    expect(html.code).toBe(ErrorCodes.FILE_UNSUPPORTED);
    expect(html.message).toMatch(/^export\.xls: this is a web page \(HTML\)/);
    const xml = await failure('export2.xls', '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>');
    expect(xml.message).toMatch(/XML Spreadsheet 2003/);
  });

  it('rejects zips that are not workbooks', async () => {
    const file = tmp.file('archive.xlsx');
    await writeZip(file, [{ name: 'data.csv', data: '姓名\n王芳\n' }]);
    const err = await rejectionOf(openFile(file));
    expect(err.code).toBe(ErrorCodes.FILE_UNSUPPORTED);
    expect(err.message).toMatch(/^archive\.xlsx: this is a ZIP archive/);
  });

  it('trusts content over the extension: an .xlsx named .csv is read as a workbook', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('S').addRow(['姓名', '王芳']);
    const file = tmp.file('really-xlsx.csv');
    await wb.xlsx.writeFile(file);
    const opened = await openFile(file);
    expect(opened.format).toBe('xlsx');
    expect(await collectRows(opened)).toEqual([{ rowNumber: 1, cells: ['姓名', '王芳'] }]);
  });
});
