import XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { Biff8EncryptedError, Biff8FormatError, readWorkbookGlobals, readWorksheet } from './biff8.js';
import { CfbFormatError, readCfbStream } from './cfb.js';
import { seededSheetRows } from './test-helpers.js';

const utcDay = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

// ---- A BIFF8 stream built record by record, for what SheetJS's writer never writes.

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const f64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(n);
  return b;
};
const rec = (type: number, ...data: Buffer[]) => {
  const body = Buffer.concat(data);
  return Buffer.concat([u16(type), u16(body.length), body]);
};
/** XLUnicodeString: 16-bit count, flags, characters (compressed when every one fits a byte). */
const xlString = (text: string, shortCount = false) => {
  const wide = [...text].some((c) => c.charCodeAt(0) > 0xff);
  return Buffer.concat([
    shortCount ? Buffer.from([text.length]) : u16(text.length),
    Buffer.from([wide ? 1 : 0]),
    Buffer.from(text, wide ? 'utf16le' : 'latin1'),
  ]);
};
const cell = (row: number, column: number, xf: number) => Buffer.concat([u16(row), u16(column), u16(xf)]);
/** An RK holding an integer (×100 when `cents`). */
const rkInt = (n: number, cents = false) => u32(((n << 2) | 2 | (cents ? 1 : 0)) >>> 0);

function stream(options: { date1904?: boolean; encrypted?: boolean } = {}): Buffer {
  const bof = (kind: number) => rec(0x0809, u16(0x0600), u16(kind), Buffer.alloc(12));
  // Shared strings: the second string is cut by a CONTINUE in the middle of its characters,
  // which go on two bytes wide; the third is rich text (runs) with phonetic data (ExtRst).
  const sst = rec(
    0x00fc,
    u32(3),
    u32(3),
    xlString(' 王芳 '),
    u16(6),
    Buffer.from([0]),
    Buffer.from('Wang', 'latin1'),
  );
  const continued = rec(0x003c, Buffer.from([1]), Buffer.from('芳芳', 'utf16le'), u16(2), Buffer.from([0x0c]), u16(1), u32(2), Buffer.from('ab', 'latin1'), u32(0), Buffer.from([9, 9]));
  const globals = (sheetOffset: number) =>
    Buffer.concat([
      bof(0x0005),
      ...(options.encrypted ? [rec(0x002f, u16(1), Buffer.alloc(52))] : []),
      rec(0x0022, u16(options.date1904 ? 1 : 0)),
      rec(0x041e, u16(164), xlString('yyyy"年"m"月"d"日"')),
      rec(0x041e, u16(165), xlString('0.00"元"')),
      rec(0x00e0, u16(0), u16(0), Buffer.alloc(16)), // xf 0: General
      rec(0x00e0, u16(0), u16(164), Buffer.alloc(16)), // xf 1: custom date
      rec(0x00e0, u16(0), u16(165), Buffer.alloc(16)), // xf 2: custom number
      rec(0x00e0, u16(0), u16(14), Buffer.alloc(16)), // xf 3: built-in date
      rec(0x0085, u32(0), Buffer.from([0, 2]), xlString('图表', true)), // a chart sheet: skipped
      rec(0x0085, u32(sheetOffset), Buffer.from([1, 0]), xlString('隐藏', true)),
      sst,
      continued,
      rec(0x000a),
    ]);
  const sheet = Buffer.concat([
    bof(0x0010),
    rec(0x0200, Buffer.alloc(14)), // DIMENSIONS: skipped
    rec(0x00fd, cell(0, 0, 0), u32(0)), // LABELSST
    rec(0x00fd, cell(0, 1, 0), u32(1)),
    rec(0x00fd, cell(0, 2, 0), u32(2)),
    rec(0x0204, cell(1, 0, 0), xlString('张伟')), // LABEL, UTF-16
    rec(0x0204, cell(1, 1, 0), xlString('  ')), // blank text: no value
    rec(0x027e, cell(1, 2, 1), rkInt(32309)), // RK in a date format
    rec(0x0203, cell(1, 3, 2), f64(410105199003071200)), // NUMBER
    rec(0x00bd, u16(2), u16(1), u16(0), rkInt(12345, true), u16(2), rkInt(30847), u16(2)), // MULRK B3:C3
    rec(0x0205, cell(3, 0, 0), Buffer.from([1, 0])), // BOOLERR: true
    rec(0x0205, cell(3, 1, 0), Buffer.from([0x2a, 1])), // BOOLERR: #N/A
    rec(0x0006, cell(3, 2, 0), Buffer.from([0, 0, 0, 0, 0, 0, 0xff, 0xff]), Buffer.alloc(6)), // FORMULA → string
    rec(0x0207, xlString('公式')),
    rec(0x0006, cell(3, 3, 3), f64(32310), Buffer.alloc(6)), // FORMULA → number, built-in date format
    rec(0x0006, cell(3, 4, 0), Buffer.from([1, 0, 1, 0, 0, 0, 0xff, 0xff]), Buffer.alloc(6)), // FORMULA → true
    rec(0x0201, cell(5, 0, 0)), // BLANK
    rec(0x000a),
  ]);
  const head = globals(0);
  return Buffer.concat([globals(head.length), sheet]);
}

describe('BIFF8 workbook', () => {
  it('reads the globals: date system, worksheets only, date formats, shared strings across CONTINUE', () => {
    const workbook = readWorkbookGlobals(stream());
    expect(workbook.date1904).toBe(false);
    expect(workbook.sheets.map((s) => [s.name, s.state])).toEqual([['隐藏', 1]]);
    expect(workbook.dateXfs).toEqual([false, true, false, true]);
    expect(workbook.sharedStrings).toEqual([' 王芳 ', 'Wang芳芳', 'ab']);
  });

  it('reads a worksheet\'s cells of every kind, in row order', () => {
    const bytes = stream();
    const workbook = readWorkbookGlobals(bytes);
    const rows = readWorksheet(bytes, workbook.sheets[0]!.offset, workbook);
    expect(rows).toEqual([
      { rowNumber: 1, cells: ['王芳', 'Wang芳芳', 'ab'] },
      { rowNumber: 2, cells: ['张伟', undefined, utcDay(1988, 6, 15), 410105199003071200] },
      { rowNumber: 3, cells: [undefined, 123.45, 30847] },
      { rowNumber: 4, cells: [true, undefined, '公式', utcDay(1988, 6, 16), true] },
    ]);
  });

  it('reads dates in the 1904 system', () => {
    const bytes = stream({ date1904: true });
    const workbook = readWorkbookGlobals(bytes);
    const rows = readWorksheet(bytes, workbook.sheets[0]!.offset, workbook);
    expect(rows[1]!.cells[2]).toEqual(utcDay(1992, 6, 16));
  });

  it('refuses an encrypted workbook, a truncated stream and another version', () => {
    expect(() => readWorkbookGlobals(stream({ encrypted: true }))).toThrow(Biff8EncryptedError);
    const bytes = stream();
    expect(() => readWorkbookGlobals(bytes.subarray(0, 100))).toThrow(Biff8FormatError);
    const biff5 = Buffer.from(bytes);
    biff5.writeUInt16LE(0x0500, 4);
    expect(() => readWorkbookGlobals(biff5)).toThrow(/not an Excel 97-2003 \(BIFF8\) workbook/);
  });
});

describe('compound file streams', () => {
  it('reads a stream from regular sectors and one from the mini stream', async () => {
    const big = Buffer.alloc(10_000, 7);
    big.write('end', 9_997);
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, 'Workbook', big);
    XLSX.CFB.utils.cfb_add(cfb, 'Small', Buffer.from('a small stream'));
    const file = Buffer.from(XLSX.CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
    expect(await readCfbStream(file, 'workbook')).toEqual(big);
    expect((await readCfbStream(file, 'Small'))?.toString()).toBe('a small stream');
    expect(await readCfbStream(file, 'Book')).toBeUndefined();
  });

  it('refuses a truncated file and a sector chain that loops', async () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, 'Workbook', Buffer.alloc(10_000, 1));
    const file = Buffer.from(XLSX.CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
    await expect(readCfbStream(file.subarray(0, 3000), 'Workbook')).rejects.toThrow(CfbFormatError);
    // Point the first FAT entry of the stream's chain back at itself.
    const looped = Buffer.from(file);
    const fatSector = looped.readUInt32LE(0x4c);
    const sectorSize = 1 << looped.readUInt16LE(0x1e);
    const fatAt = (fatSector + 1) * sectorSize;
    for (let i = 0; i < sectorSize / 4; i++) {
      const next = looped.readUInt32LE(fatAt + i * 4);
      if (next === i + 1) {
        looped.writeUInt32LE(i, fatAt + i * 4);
        break;
      }
    }
    await expect(readCfbStream(looped, 'Workbook')).rejects.toThrow(CfbFormatError);
  });

  it('reads what SheetJS writes the same as SheetJS reads it', async () => {
    const rows = [
      ['户号', '姓名', '出生日期', '人数'],
      ['001', '王芳', 32309, 3],
      ['002', '李娜', 30000.5, -2.25],
    ];
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), '常住人口');
    const file = Buffer.from(XLSX.write(wb, { bookType: 'biff8', type: 'buffer' }) as Uint8Array);
    const bytes = (await readCfbStream(file, 'Workbook'))!;
    const workbook = readWorkbookGlobals(bytes);
    expect(workbook.sheets.map((s) => s.name)).toEqual(['常住人口']);
    expect(readWorksheet(bytes, workbook.sheets[0]!.offset, workbook).map((r) => r.cells)).toEqual(rows);
  });
});

describe('round trip through SheetJS\'s writer', () => {
  it.each([true, false])('reads back every value of a sheet big enough to cut its strings across CONTINUE records (shared strings: %s)', async (bookSST) => {
    const rows = seededSheetRows(bookSST ? 7 : 11, 3000);
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), '名册');
    const file = Buffer.from(XLSX.write(wb, { bookType: 'biff8', type: 'buffer', bookSST }) as Uint8Array);
    const bytes = (await readCfbStream(file, 'Workbook'))!;
    const workbook = readWorkbookGlobals(bytes);
    if (bookSST) expect(workbook.sharedStrings.length).toBeGreaterThan(3000);
    expect(readWorksheet(bytes, workbook.sheets[0]!.offset, workbook).map((r) => r.cells)).toEqual(rows);
  });
});
