import { writeFile } from 'node:fs/promises';
import XLSX from 'xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { openFile } from './open.js';
import { SHEET_XML_HEAD, SHEET_XML_TAIL, collectRows, makeTempDir, minimalXlsxParts, rejectionOf, rowXml, writeZip } from './test-helpers.js';
import { SheetWorkerPool, bundledReader, liveWorkerCount } from './worker-host.js';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(() => tmp.cleanup());

async function xlsxFile(name: string, rows: (string | number)[][]): Promise<string> {
  const file = tmp.file(name);
  await writeZip(file, minimalXlsxParts(SHEET_XML_HEAD + rows.map((cells, i) => rowXml(i + 1, cells)).join('') + SHEET_XML_TAIL));
  return file;
}

async function xlsFile(name: string, rows: (string | number)[][], bookType: 'biff8' | 'biff5' = 'biff8'): Promise<string> {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'S');
  const file = tmp.file(name);
  await writeFile(file, XLSX.write(wb, { bookType, type: 'buffer' }) as Buffer);
  return file;
}

describe('spreadsheet workers shared by one import (SheetWorkerPool)', () => {
  it('reads the files of one import one after another in the same worker, each with its own rows', async () => {
    const pool = new SheetWorkerPool();
    try {
      const files = await Promise.all([1, 2, 3].map((n) => xlsxFile(`roll-${n}.xlsx`, [['姓名', '序号'], [`王芳${n}`, n]])));
      for (const [index, file] of files.entries()) {
        expect(await collectRows(await openFile(file, {}, pool))).toEqual([
          { rowNumber: 1, cells: ['姓名', '序号'] },
          { rowNumber: 2, cells: [`王芳${index + 1}`, index + 1] },
        ]);
        // The one worker waits for the next file.
        expect(liveWorkerCount()).toBe(1);
      }
      const xls = await xlsFile('roll-4.xls', [['姓名'], ['李娜']]);
      expect((await collectRows(await openFile(xls, {}, pool))).map((r) => r.cells)).toEqual([['姓名'], ['李娜']]);
      expect(liveWorkerCount()).toBe(2); // another reader: a worker of its own
    } finally {
      await pool.close();
    }
    expect(liveWorkerCount()).toBe(0);
  });

  it('names the file at hand in a reused worker\'s errors, and does not keep a worker after a failure', async () => {
    const pool = new SheetWorkerPool();
    try {
      const first = await xlsxFile('first.xlsx', [['姓名'], ['王芳']]);
      const long = await xlsxFile('long.xlsx', [['姓名'], ['王芳'], ['李娜'], ['张伟']]);
      expect(await collectRows(await openFile(first, { maxRows: 3 }, pool))).toHaveLength(2);
      expect(liveWorkerCount()).toBe(1);
      const err = await rejectionOf(openFile(long, { maxRows: 3 }, pool).then(collectRows));
      expect(err.code).toBe(ErrorCodes.TOO_MANY_ROWS);
      expect(err.message).toMatch(/^long\.xlsx: the sheet "花名册" has more than 3 rows/);
      expect(liveWorkerCount()).toBe(0);
      // The pool has nothing left: the next file starts a worker and reads as usual.
      expect(await collectRows(await openFile(first, { maxRows: 3 }, pool))).toHaveLength(2);
    } finally {
      await pool.close();
    }
    expect(liveWorkerCount()).toBe(0);
  });

  it('ends a worker whose consumer stopped early instead of keeping it', async () => {
    const pool = new SheetWorkerPool();
    try {
      const big = await xlsxFile('big.xlsx', Array.from({ length: 5000 }, (_, i) => [`王芳${i}`, i]));
      const opened = await openFile(big, {}, pool);
      for await (const chunk of opened.rows) {
        expect(chunk[0]).toEqual({ rowNumber: 1, cells: ['王芳0', 0] });
        break;
      }
      expect(liveWorkerCount()).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('never reuses a SheetJS worker (Excel 95 workbooks)', async () => {
    const pool = new SheetWorkerPool();
    try {
      const file = await xlsFile('old.xls', [['HH', 'XM'], ['001', 'Wang Fang']], 'biff5');
      expect((await collectRows(await openFile(file, {}, pool))).map((r) => r.cells)).toEqual([['HH', 'XM'], ['001', 'Wang Fang']]);
      expect(liveWorkerCount()).toBe(0);
    } finally {
      await pool.close();
    }
  });
});

describe('the readers\' bundles', () => {
  it('says the installation is incomplete when a reader cannot be bundled, naming the file', async () => {
    const err = await rejectionOf(bundledReader(new URL('./workers/no-such-reader.mjs', import.meta.url), '/tmp/roll.xlsx'));
    expect(err.code).toBe(ErrorCodes.INTERNAL);
    expect(err.message).toMatch(/^roll\.xlsx: the spreadsheet reader could not be prepared .* reinstall the dependencies$/);
  });
});
