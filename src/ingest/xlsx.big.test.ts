import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { openFile } from './open.js';
import { SHEET_XML_HEAD, SHEET_XML_TAIL, makeTempDir, minimalXlsxParts, rejectionOf, rowXml, writeZip } from './test-helpers.js';
import { liveWorkerCount } from './worker-host.js';

/** Excel's own limit: 1,048,576 rows. */
const ROWS = 1_048_576;
const NAMES = ['王芳', '张伟', '李娜', '刘䶮', '买买提·艾力'];

/** The sheet XML, generated as it is zipped: never held in memory whole. */
function bigSheetXml(): Readable {
  let next = 0;
  return new Readable({
    read() {
      if (next > ROWS) {
        this.push(null);
        return;
      }
      if (next === 0) {
        this.push(SHEET_XML_HEAD);
        next = 1;
      }
      let block = '';
      for (let i = 0; i < 2000 && next <= ROWS; i++, next++) block += rowXml(next, [NAMES[next % 5]!, next]);
      if (next > ROWS) block += SHEET_XML_TAIL;
      this.push(block);
    },
  });
}

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let file: string;
beforeAll(async () => {
  tmp = await makeTempDir();
  file = tmp.file('full-sheet.xlsx');
  await writeZip(file, minimalXlsxParts(bigSheetXml()));
}, 120_000);
afterAll(() => tmp.cleanup());

describe('a full 1,048,576-row sheet', () => {
  it('streams through every row in bounded memory', async () => {
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let count = 0;
    let lastRow = 0;
    let ordered = true;
    const opened = await openFile(file, { workerMaxHeapMb: 256 });
    expect(opened.sheetName).toBe('花名册');
    for await (const chunk of opened.rows) {
      for (const row of chunk) {
        if (row.rowNumber !== lastRow + 1) ordered = false;
        lastRow = row.rowNumber;
      }
      count += chunk.length;
      if (count % 50_000 < chunk.length) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(ordered).toBe(true);
    expect(count).toBe(ROWS);
    expect(lastRow).toBe(1_048_576);
    // The main thread only ever holds a few chunks; the worker's heap was capped at 256 MB.
    expect((peak - baseline) / 1024 / 1024).toBeLessThan(64);
    expect(liveWorkerCount()).toBe(0);
  }, 240_000);

  it('fails fast with maxRows 1000', async () => {
    const started = Date.now();
    const err = await rejectionOf(
      openFile(file, { maxRows: 1000 }).then(async (opened) => {
        for await (const _ of opened.rows) void _;
      }),
    );
    expect(err.code).toBe(ErrorCodes.TOO_MANY_ROWS);
    expect(err.message).toMatch(/^full-sheet\.xlsx: the sheet "花名册" has more than 1,000 rows/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(liveWorkerCount()).toBe(0);
  });
});
