import { readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { openFile } from './open.js';
import XLSX from 'xlsx';
import { SHEET_XML_HEAD, SHEET_XML_TAIL, collectRows, makeTempDir, minimalXlsxParts, rejectionOf, rowXml, seededSheetRows, writeZip } from './test-helpers.js';
import type { SheetRow } from './types.js';
import { liveWorkerCount } from './worker-host.js';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let register: string;
beforeAll(async () => {
  tmp = await makeTempDir();
  register = tmp.file('minimum-allowance.xlsx');
  await writeRegister(register);
});
afterAll(() => tmp.cleanup());

const utcDay = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

async function writeRegister(file: string, date1904 = false) {
  const wb = new ExcelJS.Workbook();
  if (date1904) wb.properties.date1904 = true;
  wb.addWorksheet('说明'); // empty first sheet: skipped
  const ws = wb.addWorksheet('花名册');
  ws.addRow(['金水区城市最低生活保障家庭成员花名册']);
  ws.mergeCells('A1:H1');
  ws.addRow(['制表单位：西湖社区居委会  制表日期：2026-10-31']);
  ws.addRow(['序号', '成员姓名', '身份证号码', '出生日期', '审批日期', '年龄', '备注', '链接']);
  ws.addRow([
    1,
    { richText: [{ text: '王' }, { text: '芳', font: { bold: true } }] },
    Number('410105199003071234'), // Excel keeps 15 significant digits
    utcDay(1988, 6, 15),
    32309, // a serial number in a General cell stays a number
    { formula: 'B9+1', result: 38 },
    { error: '#N/A' },
    { text: '详情', hyperlink: 'http://example.invalid/1' },
  ]);
  ws.addRow([]);
  ws.addRow([2, '  刘䶮  ', '11010519491231002X', new Date(Date.UTC(1949, 11, 31, 18, 30)), { formula: 'D6+1', result: 18264 } /* 1950-01-01 */, true]);
  ws.addRow(['合计：2人']);
  for (const ref of ['D4', 'D6', 'E6']) ws.getCell(ref).numFmt = 'yyyy-mm-dd';
  await wb.xlsx.writeFile(file);
}

const EXPECTED: SheetRow[] = [
  { rowNumber: 1, cells: ['金水区城市最低生活保障家庭成员花名册'] },
  { rowNumber: 2, cells: ['制表单位：西湖社区居委会  制表日期：2026-10-31'] },
  { rowNumber: 3, cells: ['序号', '成员姓名', '身份证号码', '出生日期', '审批日期', '年龄', '备注', '链接'] },
  { rowNumber: 4, cells: [1, '王芳', 410105199003071200, utcDay(1988, 6, 15), 32309, 38, null, '详情'] },
  // row 5 blank
  { rowNumber: 6, cells: [2, '刘䶮', '11010519491231002X', utcDay(1949, 12, 31), utcDay(1950, 1, 1), true] },
  { rowNumber: 7, cells: ['合计：2人'] },
];

describe('xlsx reader', () => {
  it('reads the first sheet with rows: titles, header, dates, numbers, formulas, rich text, footer', async () => {
    const opened = await openFile(register);
    expect(opened.format).toBe('xlsx');
    expect(opened.sheetName).toBe('花名册');
    const rows = await collectRows(opened);
    expect(rows).toEqual(EXPECTED);
    // an 18-digit ID number saved as a number arrives as a number (its last digits are lost)
    expect(typeof rows[3]!.cells[2]).toBe('number');
  });

  it('reads the 1904 date system', async () => {
    const file = tmp.file('mac-1904.xlsx');
    await writeRegister(file, true);
    const rows = await collectRows(await openFile(file));
    expect(rows[3]!.cells[3]).toEqual(utcDay(1988, 6, 15));
  });

  it('keeps Chinese text intact across decompression chunk boundaries', async () => {
    const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
    const given = '芳伟娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华';
    const names = Array.from({ length: 6000 }, (_, i) => `${surnames[i % 20]}${given[i % 25]}${given[(i * 7) % 25]}${i % 3 ? '' : '䶮'}${i}`);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('S');
    ws.addRow(['姓名', '住址']);
    for (const name of names) ws.addRow([name, `河南省郑州市金水区${name}路`]);
    const file = tmp.file('many-names.xlsx');
    await wb.xlsx.writeFile(file);
    const rows = await collectRows(await openFile(file));
    expect(rows).toHaveLength(6001);
    expect(rows.slice(1).map((r) => r.cells[0])).toEqual(names);
    expect(rows.some((r) => r.cells.some((c) => typeof c === 'string' && c.includes('\uFFFD')))).toBe(false);
  });

  it('reads a strict OOXML workbook with prefixed elements, shared strings and a date style', async () => {
    const strict = 'http://purl.oclc.org/ooxml/officeDocument/relationships';
    const file = tmp.file('strict.xlsx');
    await writeZip(file, [
      { name: '[Content_Types].xml', data: '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' },
      { name: '_rels/.rels', data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="${strict}/officeDocument" Target="/xl/workbook.xml"/></Relationships>` },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="s" Type="${strict}/styles" Target="styles.xml"/><Relationship Id="t" Type="${strict}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="w" Type="${strict}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      },
      { name: 'xl/workbook.xml', data: '<x:workbook xmlns:x="http://purl.oclc.org/ooxml/spreadsheetml/main" xmlns:r="http://purl.oclc.org/ooxml/officeDocument/relationships"><x:sheets><x:sheet name="名册" sheetId="1" r:id="w"/></x:sheets></x:workbook>' },
      { name: 'xl/styles.xml', data: '<x:styleSheet xmlns:x="http://purl.oclc.org/ooxml/spreadsheetml/main"><x:cellXfs count="2"><x:xf numFmtId="0"/><x:xf numFmtId="14"/></x:cellXfs></x:styleSheet>' },
      { name: 'xl/sharedStrings.xml', data: '<x:sst xmlns:x="http://purl.oclc.org/ooxml/spreadsheetml/main" count="2"><x:si><x:t>姓名</x:t></x:si><x:si><x:t>王芳</x:t></x:si></x:sst>' },
      {
        name: 'xl/worksheets/sheet1.xml',
        data: '<x:worksheet xmlns:x="http://purl.oclc.org/ooxml/spreadsheetml/main"><x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row><x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="B2" s="1"><x:v>32309</x:v></x:c></x:row></x:sheetData></x:worksheet>',
      },
    ]);
    const opened = await openFile(file);
    expect(opened.sheetName).toBe('名册');
    expect(await collectRows(opened)).toEqual([
      { rowNumber: 1, cells: ['姓名'] },
      { rowNumber: 2, cells: ['王芳', utcDay(1988, 6, 15)] },
    ]);
  });

  it.each([
    ['SheetJS, shared strings', 'sheetjs-sst', 3],
    ['SheetJS, strings in the cells', 'sheetjs-inline', 5],
    ['exceljs', 'exceljs', 9],
  ] as const)('reads back every value a writer put in (%s)', async (_, kind, seed) => {
    const rows = seededSheetRows(seed, 2000);
    const file = tmp.file(`${kind}.xlsx`);
    if (kind === 'exceljs') {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('名册');
      for (const row of rows) ws.addRow(row);
      await wb.xlsx.writeFile(file);
    } else {
      const wb = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), '名册');
      await writeFile(file, XLSX.write(wb, { bookType: 'xlsx', type: 'buffer', bookSST: kind === 'sheetjs-sst' }) as Buffer);
    }
    expect((await collectRows(await openFile(file))).map((r) => r.cells)).toEqual(rows);
  });

  it('enforces maxRows', async () => {
    const err = await rejectionOf(openFile(register, { maxRows: 3 }).then(collectRows));
    expect(err.code).toBe(ErrorCodes.TOO_MANY_ROWS);
    expect(err.message).toMatch(/^minimum-allowance\.xlsx: the sheet "花名册" has more than 3 rows/);
  });
});

describe('xlsx safety', () => {
  it('rejects a truncated workbook as corrupt', async () => {
    const bytes = await readFile(register);
    const file = tmp.file('cut.xlsx');
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const err = await rejectionOf(openFile(file));
    expect(err.code).toBe(ErrorCodes.FILE_CORRUPT);
    expect(err.message).toMatch(/^cut\.xlsx: the file is damaged or incomplete/);
  });

  it('rejects a zip bomb from the central directory alone, without inflating it', async () => {
    const file = tmp.file('bomb.xlsx');
    const zeros = Buffer.alloc(1024 * 1024);
    let left = 300;
    const stream = new Readable({
      read() {
        this.push(left-- > 0 ? zeros : null);
      },
    });
    await writeZip(file, minimalXlsxParts(stream));
    const started = Date.now();
    const err = await rejectionOf(openFile(file));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err.code).toBe(ErrorCodes.ZIP_BOMB);
    expect(err.message).toMatch(/^bomb\.xlsx: rejected as unsafe: its part "xl\/worksheets\/sheet1\.xml" expands \d+ times/);
    expect(liveWorkerCount()).toBe(0);
  });

  it('rejects a workbook whose declared total size exceeds maxUncompressedBytes', async () => {
    const err = await rejectionOf(openFile(register, { maxUncompressedBytes: 4096 }));
    expect(err.code).toBe(ErrorCodes.ZIP_BOMB);
  });

  it('does not inflate more than the central directory declares', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => rowXml(i + 1, [`王芳${i}`, i])).join('');
    const file = tmp.file('liar.xlsx');
    await writeZip(file, minimalXlsxParts(SHEET_XML_HEAD + rows + SHEET_XML_TAIL));
    const bytes = await readFile(file);
    // Patch the sheet's central-directory entry to declare 2,000 bytes uncompressed.
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    for (let at = bytes.indexOf('PK\x01\x02'); at >= 0; at = bytes.indexOf('PK\x01\x02', at + 4)) {
      if (bytes.subarray(at + 46, at + 46 + name.length).equals(name)) bytes.writeUInt32LE(2000, at + 24);
    }
    await writeFile(file, bytes);
    const err = await rejectionOf(openFile(file).then(collectRows));
    expect(err.code).toBe(ErrorCodes.FILE_CORRUPT);
    expect(err.message).toMatch(/^liar\.xlsx: the workbook is damaged/);
  });

  it('stops a parse that takes too long and terminates its worker', async () => {
    const err = await rejectionOf(openFile(register, { parseTimeoutMs: 1 }).then(collectRows));
    expect(err.code).toBe(ErrorCodes.PARSE_TIMEOUT);
    expect(err.message).toMatch(/^minimum-allowance\.xlsx: reading the spreadsheet took longer than 1 ms/);
    expect(liveWorkerCount()).toBe(0);
  });

  it('reports a worker running out of memory', async () => {
    const err = await rejectionOf(openFile(register, { workerMaxHeapMb: 2 }).then(collectRows));
    expect(err.code).toBe(ErrorCodes.PARSE_MEMORY);
    expect(err.message).toMatch(/^minimum-allowance\.xlsx: reading the spreadsheet needed more than 2 MB/);
    expect(liveWorkerCount()).toBe(0);
  });

  it('terminates the worker when the consumer stops early', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => rowXml(i + 1, [`王芳${i}`, i])).join('');
    const file = tmp.file('early.xlsx');
    await writeZip(file, minimalXlsxParts(SHEET_XML_HEAD + rows + SHEET_XML_TAIL));
    const opened = await openFile(file);
    expect(liveWorkerCount()).toBe(1);
    for await (const chunk of opened.rows) {
      expect(chunk[0]).toEqual({ rowNumber: 1, cells: ['王芳0', 0] });
      break;
    }
    expect(liveWorkerCount()).toBe(0);
  });
});
