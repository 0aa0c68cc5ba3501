import { writeFile } from 'node:fs/promises';
import XLSX from 'xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { DEFAULT_LIMITS, openFile } from './open.js';
import { collectRows, makeTempDir, rejectionOf } from './test-helpers.js';
import type { SheetRow } from './types.js';
import { liveWorkerCount } from './worker-host.js';
import { openXls } from './xls.js';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let register: string;
beforeAll(async () => {
  tmp = await makeTempDir();
  register = tmp.file('police-2026-10.xls');
  await writeFile(register, registerXls());
});
afterAll(() => tmp.cleanup());

const utcDay = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
/** Excel serial (1900 system) of a calendar day after 1900-02-28. */
const serial = (y: number, m: number, d: number) => (Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86_400_000;
const DATES: [number, number, number][] = [
  [1988, 6, 15], // China's daylight-saving summer of 1988
  [1949, 10, 1],
  [1900, 3, 1],
  [2018, 11, 4], // São Paulo: DST began at midnight, local midnight did not exist
  [2011, 12, 30], // Samoa skipped this day entirely
  [2026, 10, 31],
];

function book(sheets: [string, XLSX.WorkSheet][], hidden: string[] = []): Buffer {
  const wb = XLSX.utils.book_new();
  for (const [name, ws] of sheets) XLSX.utils.book_append_sheet(wb, ws, name);
  wb.Workbook = { Sheets: sheets.map(([name]) => ({ name, Hidden: hidden.includes(name) ? 1 : 0 })) };
  return XLSX.write(wb, { bookType: 'biff8', type: 'buffer' }) as Buffer;
}

function registerXls(): Buffer {
  const ws = XLSX.utils.aoa_to_sheet([
    ['XX派出所常住人口信息'],
    [],
    ['户号', '姓名', '公民身份号码', '出生日期', '变动日期', '在册'],
    ['001', ' 王芳 ', Number('410105199003071234'), 0, 32309, true],
    ['001', '張偉', '11010519491231002X', 0, 0, false],
    ['合计：2人'],
  ]);
  ws['D4'] = { t: 'n', v: serial(1988, 6, 15), z: 'yyyy-mm-dd' };
  ws['D5'] = { t: 'n', v: serial(1949, 12, 31) + 0.75, z: 'yyyy"年"m"月"d"日"' }; // date with a time of day
  ws['E5'] = { t: 'n', v: 1, z: 'yyyy-mm-dd' }; // serial 1 = 1900-01-01 as Excel shows it
  const dates = XLSX.utils.aoa_to_sheet([['d']]);
  DATES.forEach(([y, m, d], i) => {
    dates[XLSX.utils.encode_cell({ r: i + 1, c: 0 })] = { t: 'n', v: serial(y, m, d), z: 'yyyy/m/d' };
  });
  dates['!ref'] = `A1:A${DATES.length + 1}`;
  const secret = XLSX.utils.aoa_to_sheet([['hidden sheet']]);
  return book(
    [
      ['字典', secret],
      ['空', XLSX.utils.aoa_to_sheet([])],
      ['常住人口', ws],
      ['dates', dates],
    ],
    ['字典'],
  );
}

const EXPECTED: SheetRow[] = [
  { rowNumber: 1, cells: ['XX派出所常住人口信息'] },
  { rowNumber: 3, cells: ['户号', '姓名', '公民身份号码', '出生日期', '变动日期', '在册'] },
  { rowNumber: 4, cells: ['001', '王芳', 410105199003071200, utcDay(1988, 6, 15), 32309, true] },
  { rowNumber: 5, cells: ['001', '張偉', '11010519491231002X', utcDay(1949, 12, 31), utcDay(1900, 1, 1), false] },
  { rowNumber: 6, cells: ['合计：2人'] },
];

describe('xls reader', () => {
  it('reads the first visible sheet with rows: titles, header, dates, numbers, footer', async () => {
    const opened = await openFile(register);
    expect(opened.format).toBe('xls');
    expect(opened.sheetName).toBe('常住人口');
    expect(await collectRows(opened)).toEqual(EXPECTED);
  });

  it.each(['Asia/Shanghai', 'America/Sao_Paulo', 'Pacific/Apia'])(
    'gives date cells as UTC midnight of the day shown, whatever the time zone (%s)',
    async (tz) => {
      const saved = process.env.TZ;
      process.env.TZ = tz;
      try {
        expect(new Date(2026, 9, 31).getTimezoneOffset()).not.toBe(0); // the zone really applies
        const wb = XLSX.utils.book_new();
        const sheet = XLSX.utils.aoa_to_sheet([['d']]);
        DATES.forEach(([y, m, d], i) => {
          sheet[XLSX.utils.encode_cell({ r: i + 1, c: 0 })] = { t: 'n', v: serial(y, m, d), z: 'yyyy/m/d' };
        });
        sheet['!ref'] = `A1:A${DATES.length + 1}`;
        XLSX.utils.book_append_sheet(wb, sheet, 'dates');
        const file = tmp.file(`dates-${tz.replace('/', '-')}.xls`);
        await writeFile(file, XLSX.write(wb, { bookType: 'biff8', type: 'buffer' }) as Buffer);
        const rows = await collectRows(await openFile(file));
        expect(rows.slice(1).map((r) => (r.cells[0] as Date).toISOString())).toEqual(
          DATES.map(([y, m, d]) => utcDay(y, m, d).toISOString()),
        );
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    },
  );
});

describe('xls safety', () => {
  it('reads an Excel 95 (BIFF5) workbook, whose text is in a code page rather than UTF-16', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['HH', 'XM', 'CSRQ'], ['001', 'Wang Fang', '1990-03-07']]), 'Sheet1');
    const bytes = XLSX.write(wb, { bookType: 'biff5', type: 'buffer' }) as Buffer;
    expect(bytes.includes(Buffer.from('Workbook', 'utf16le'))).toBe(false);
    const file = tmp.file('biff5.xls');
    await writeFile(file, bytes);
    const rows = await collectRows(await openFile(file));
    expect(rows.map((r) => r.cells)).toEqual([
      ['HH', 'XM', 'CSRQ'],
      ['001', 'Wang Fang', '1990-03-07'],
    ]);
  });

  it('rejects an encrypted .xls (BIFF FILEPASS record)', async () => {
    const cfb = XLSX.CFB.read(book([['S', XLSX.utils.aoa_to_sheet([['姓名']])]]), { type: 'buffer' });
    const entry = XLSX.CFB.find(cfb, 'Workbook')!;
    const stream = Buffer.from(entry.content as Uint8Array);
    const bofEnd = 4 + stream.readUInt16LE(2);
    const filePass = Buffer.alloc(4 + 54);
    filePass.writeUInt16LE(0x002f, 0); // FILEPASS
    filePass.writeUInt16LE(54, 2);
    filePass.writeUInt16LE(1, 4); // RC4
    filePass.writeUInt16LE(1, 6);
    filePass.writeUInt16LE(1, 8);
    entry.content = Buffer.concat([stream.subarray(0, bofEnd), filePass, stream.subarray(bofEnd)]);
    entry.size = entry.content.length;
    const file = tmp.file('locked.xls');
    await writeFile(file, XLSX.CFB.write(cfb, { type: 'buffer' }) as Buffer);
    const err = await rejectionOf(openFile(file));
    expect(err.code).toBe(ErrorCodes.FILE_ENCRYPTED);
    expect(err.message).toBe('locked.xls: the workbook is password-protected (encrypted); export it again without a password');
    expect(liveWorkerCount()).toBe(0);
  });

  it('rejects a damaged (truncated) workbook stream as corrupt', async () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, 'Workbook', Buffer.from([0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00, 0xff, 0xff, 0xff]));
    const file = tmp.file('garbage.xls');
    await writeFile(file, XLSX.CFB.write(cfb, { type: 'buffer' }) as Buffer);
    const err = await rejectionOf(openFile(file).then(collectRows));
    expect(err.code).toBe(ErrorCodes.FILE_CORRUPT);
    expect(err.message).toMatch(/^garbage\.xls: the \.xls workbook is damaged and cannot be read/);
  });

  it('caps the input size of .xls files', async () => {
    const err = await rejectionOf(openXls(register, { ...DEFAULT_LIMITS }, 65 * 1024 * 1024));
    expect(err.code).toBe(ErrorCodes.FILE_TOO_LARGE);
    expect(err.message).toMatch(/^police-2026-10\.xls: legacy \.xls files larger than 64 MB/);
  });

  it('stops a parse that takes too long and terminates its worker', async () => {
    const err = await rejectionOf(openFile(register, { parseTimeoutMs: 1 }));
    expect(err.code).toBe(ErrorCodes.PARSE_TIMEOUT);
    expect(err.message).toMatch(/^police-2026-10\.xls: /);
    expect(liveWorkerCount()).toBe(0);
  });
});

describe('the SheetJS build the .xls worker loads', () => {
  it('still has the text of each fix the worker applies (else it would load unfixed: slower, and ~4x the memory)', async () => {
    const { createRequire } = await import('node:module');
    const { readFile } = await import('node:fs/promises');
    // @ts-expect-error: a plain .mjs of the worker's, without types
    const { SHEETJS_PATCHES } = (await import('./workers/sheetjs-patches.mjs')) as { SHEETJS_PATCHES: { shipped: string; fixed: string }[] };
    const build = await readFile(createRequire(import.meta.url).resolve('xlsx/dist/xlsx.core.min.js'), 'utf8');
    expect(SHEETJS_PATCHES).toHaveLength(2);
    for (const { shipped } of SHEETJS_PATCHES) expect(build.split(shipped).length - 1).toBe(1);
  });
});
