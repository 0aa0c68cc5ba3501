import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { testContext } from '../testing/context.js';
import { storedState } from '../testing/stored-state.js';
import { storesUnderTest } from '../testing/stores.js';
import { importFiles } from './import-files.js';

const HEADER = ['户号', '与户主关系', '姓名', '性别', '出生日期', '公民身份号码'];

/** `count` police rows; every `rejectEvery`-th has neither name nor ID number (rejected). */
function policeCsv(count: number, rejectEvery = 0): string {
  const lines = [HEADER.join(',')];
  for (let i = 1; i <= count; i++) {
    const rejected = rejectEvery > 0 && i % rejectEvery === 0;
    lines.push([`H${i}`, '户主', rejected ? '' : `居民${i}`, '男', '19900101', ''].join(','));
  }
  return lines.join('\n');
}

/**
 * A source's first load streams into one open COPY on PostgreSQL (the other paths look
 * existing records up chunk by chunk): the same guarantees hold there — a failure anywhere
 * leaves nothing stored and the connection usable, rejected rows are stored beside the records.
 */
describe.each(storesUnderTest())('a first load on $name', (store) => {
  let ctx: AppContext & { dispose(): Promise<void> };
  let dir: string;

  beforeAll(async () => {
    ctx = await testContext(store);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-first-load-'));
  });

  afterAll(async () => {
    await ctx?.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('stores nothing when its last file is unreadable, and imports everything on the next try', async () => {
    const good = path.join(dir, 'police-part1.csv');
    const broken = path.join(dir, 'police-part2.csv');
    await fs.writeFile(good, policeCsv(7_000));
    await fs.writeFile(broken, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0xff, 0xfe, 0, 0, 0x13, 0x37, 0, 1, 2, 3]));
    const before = await storedState(ctx);
    const error = await importFiles(ctx, 'police', [good, broken]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message.startsWith('police-part2.csv:'), (error as AppError).message).toBe(true);
    expect(await storedState(ctx)).toBe(before);

    const summary = await importFiles(ctx, 'police', [good]);
    expect(summary.batch).toMatchObject({ status: 'completed', rowsRead: 7_000, rowsAccepted: 7_000 });
    const stored = await sql<{ n: string; rows: string }>`
      select count(*) as n, count(distinct row_number) as rows from source_record where source = 'police'`.execute(ctx.db);
    expect(stored.rows[0]).toEqual({ n: '7000', rows: '7000' });
  });

  it('stores nothing when a file is refused halfway through, while its rows are streaming in', async () => {
    const limited = await testContext(store, { maxRowsPerFile: 5_000 });
    try {
      const file = path.join(dir, 'police-too-long.csv');
      await fs.writeFile(file, policeCsv(9_000));
      const before = await storedState(limited);
      const error = await importFiles(limited, 'police', [file]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(/^police-too-long\.csv:.*5,?000/);
      expect(await storedState(limited)).toBe(before);
      // The connection the COPY ran on is usable again.
      const good = path.join(dir, 'police-short.csv');
      await fs.writeFile(good, policeCsv(4_000));
      expect((await importFiles(limited, 'police', [good])).batch).toMatchObject({ status: 'completed', rowsAccepted: 4_000 });
    } finally {
      await limited.dispose();
    }
  });

  it('stores its rejected rows beside its records, however they interleave', async () => {
    const file = path.join(dir, 'police-with-gaps.csv');
    await fs.writeFile(file, policeCsv(6_000, 2));
    const fresh = await testContext(store);
    try {
      const summary = await importFiles(fresh, 'police', [file]);
      expect(summary.batch).toMatchObject({ status: 'completed', rowsRead: 6_000, rowsAccepted: 3_000, rowsRejected: 3_000 });
      const counts = await sql<{ records: string; rejected: string }>`
        select (select count(*) from source_record) as records, (select count(*) from rejected_row) as rejected`.execute(fresh.db);
      expect(counts.rows[0]).toEqual({ records: '3000', rejected: '3000' });
      const rejectedRows = await sql<{ row_number: number }>`select row_number from rejected_row order by row_number limit 2`.execute(fresh.db);
      // Row 1 is the header: the second data row is sheet row 3.
      expect(rejectedRows.rows.map((r) => r.row_number)).toEqual([3, 5]);
    } finally {
      await fresh.dispose();
    }
  });

  it('stores a wide record as it is, uncompressed (migration 08), on the first load and in history', async () => {
    // ~1 KB of address, three times in the row (raw, data's original and normalised
    // forms): past the ~2 KB at which PostgreSQL would otherwise compress it, short of 8 KB.
    const address = `河南省郑州市金水区北大街道西湖社区${'纬五路12号院'.repeat(60)}3号楼2单元401`;
    const csv = (status: string) => `${HEADER.join(',')},住址,人员状态\nW1,户主,宽记录,男,19900101,,${address},${status}\n`;
    const file = path.join(dir, 'police-wide.csv');
    const again = path.join(dir, 'police-wide-v2.csv');
    await fs.writeFile(file, csv('正常'));
    await fs.writeFile(again, csv('迁出'));
    const fresh = await testContext(store);
    try {
      await importFiles(fresh, 'police', [file]);
      await importFiles(fresh, 'police', [again]);
      const sizes = await sql<{ stored: number; text: number }>`
        select pg_column_size(data) as stored, octet_length(data::text) as text from source_record
        union all select pg_column_size(data), octet_length(data::text) from source_record_history`.execute(fresh.db);
      expect(sizes.rows).toHaveLength(2);
      for (const { stored, text } of sizes.rows) {
        expect(text).toBeGreaterThan(2_500);
        expect(stored).toBeGreaterThanOrEqual(text);
      }
    } finally {
      await fresh.dispose();
    }
  });

  it("keeps each file's lineage and counts when one COPY carries a batch of several files", async () => {
    const sizes = [150, 2_500, 1, 40];
    const files = await Promise.all(
      sizes.map(async (count, k) => {
        const file = path.join(dir, `police-roll-${k + 1}.csv`);
        // Different households per file, so no natural key repeats; every third row of the second file rejected.
        const text = policeCsv(count, k === 1 ? 3 : 0).replace(/\nH(\d+),/g, (_, n: string) => `\nH${k + 1}-${n},`);
        await fs.writeFile(file, `某街道人口信息表\n${text}`);
        return file;
      }),
    );
    const fresh = await testContext(store);
    try {
      const summary = await importFiles(fresh, 'police', files);
      expect(summary.batch).toMatchObject({ status: 'completed', rowsRead: 2_691, rowsAccepted: 2_691 - 833, rowsRejected: 833 });
      expect(summary.batch!.files.map((f) => [f.name, f.status, f.format, f.headerRow, f.rowsRead, f.rowsAccepted, f.rowsRejected])).toEqual([
        ['police-roll-1.csv', 'completed', 'csv', 2, 150, 150, 0],
        ['police-roll-2.csv', 'completed', 'csv', 2, 2_500, 2_500 - 833, 833],
        ['police-roll-3.csv', 'completed', 'csv', 2, 1, 1, 0],
        ['police-roll-4.csv', 'completed', 'csv', 2, 40, 40, 0],
      ]);
      const stored = await sql<{ file_name: string; n: string; first: number; last: number; key: string }>`
        select file_name, count(*) as n, min(row_number) as first, max(row_number) as last, min(natural_key) as key
        from source_record group by file_name order by file_name`.execute(fresh.db);
      expect(stored.rows.map((r) => [r.file_name, Number(r.n), r.first, r.last])).toEqual([
        ['police-roll-1.csv', 150, 3, 152],
        ['police-roll-2.csv', 2_500 - 833, 3, 2_502],
        ['police-roll-3.csv', 1, 3, 3],
        ['police-roll-4.csv', 40, 3, 42],
      ]);
      const fileRows = await sql<{ headers: string[]; finished: boolean }>`
        select headers, finished_at is not null as finished from import_file order by position`.execute(fresh.db);
      expect(fileRows.rows.every((f) => f.finished && f.headers[0] === '户号')).toBe(true);
    } finally {
      await fresh.dispose();
    }
  });
});
