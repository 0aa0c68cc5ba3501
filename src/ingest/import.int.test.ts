import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import XLSX from 'xlsx';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { storedState } from '../testing/stored-state.js';
import { storesUnderTest } from '../testing/stores.js';
import { testContext } from '../testing/context.js';
import { importFiles } from './import-files.js';
import { CHUNK_ROWS, CREDIT_WINDOW, liveWorkerCount } from './worker-host.js';

const POLICE_HEADER = '户号,与户主关系,姓名,性别,民族,出生日期,公民身份号码,住址,人员状态';

function policeCsv(rows: string[]): Buffer {
  return iconv.encode(['某某派出所常住人口信息', POLICE_HEADER, ...rows, '合计：3人', ''].join('\r\n'), 'gb18030');
}

describe.each(storesUnderTest())('import on $name', (store) => {
  let ctx: AppContext & { dispose(): Promise<void> };
  let dir: string;

  beforeAll(async () => {
    ctx = await testContext(store);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-import-'));
  });
  afterAll(async () => {
    await ctx?.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('imports a GB18030 police export, skips the title and footer, rejects rows with neither name nor ID number', async () => {
    const file = path.join(dir, 'police-v1.csv');
    await fs.writeFile(
      file,
      policeCsv([
        '0001,户主,张伟,男,汉族,19850312,110105198503120014,河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401,正常',
        '0001,配偶,李娜,女,汉,1986-07-01,110105198607010022,河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401,正常',
        '0002,户主,,男,汉族,19700101,,,正常',
      ]),
    );
    const summary = await importFiles(ctx, 'police', [file]);
    expect(summary.noOp).toBe(false);
    const batch = summary.batch!;
    expect(batch.status).toBe('completed');
    expect(batch.rowsRead).toBe(3);
    expect(batch.rowsAccepted).toBe(2);
    expect(batch.rowsRejected).toBe(1);
    expect(batch.rejectReasons).toEqual({ no_name_no_id: 1 });
    expect(batch.files[0]).toMatchObject({ encoding: 'gb18030', headerRow: 2, rowsSkipped: 1 });
    const rows = await ctx.db.selectFrom('source_record').select(['name', 'id_number', 'row_number', 'birth_date']).orderBy('row_number').execute();
    expect(rows).toEqual([
      { name: '张伟', id_number: '110105198503120014', row_number: 3, birth_date: '1985-03-12' },
      { name: '李娜', id_number: '110105198607010022', row_number: 4, birth_date: '1986-07-01' },
    ]);
    const rejected = await ctx.db.selectFrom('rejected_row').selectAll().execute();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.row_number).toBe(5);
  });

  it('treats the same file again as a no-op that says so', async () => {
    const before = await storedState(ctx);
    const again = await importFiles(ctx, 'police', [path.join(dir, 'police-v1.csv')]);
    expect(again.noOp).toBe(true);
    expect(again.files[0]!.alreadyImportedInBatch).toBeTruthy();
    expect(await storedState(ctx)).toBe(before);
  });

  it('updates records from a newer export by natural key, keeps history, marks missing ones', async () => {
    const file = path.join(dir, 'police-v2.csv');
    await fs.writeFile(
      file,
      policeCsv([
        // 张伟 moved: a new address → a new version.
        '0001,户主,张伟,男,汉族,19850312,110105198503120014,河南省郑州市金水区北大街道西湖社区纬五路15号院1号楼1单元101,正常',
        // 李娜 is gone from the export; 王芳 is new.
        '0003,户主,王芳,女,汉族,19900101,110105199001010026,河南省郑州市金水区北大街道西湖社区纬五路9号,正常',
      ]),
    );
    const summary = await importFiles(ctx, 'police', [file]);
    expect(summary.batch!.records).toEqual({ created: 1, updated: 1, unchanged: 0, missing: 1 });
    const records = await ctx.db.selectFrom('source_record').select(['name', 'version', 'present']).orderBy('id').execute();
    expect(records).toEqual([
      { name: '张伟', version: 2, present: true },
      { name: '李娜', version: 2, present: false },
      { name: '王芳', version: 1, present: true },
    ]);
    // Lineage (no foreign keys since migration 07): each record names the batch that first
    // wrote it and the one that last did, and both are stored batches.
    const lineage = await ctx.db
      .selectFrom('source_record as r')
      .innerJoin('import_batch as first', 'first.id', 'r.first_batch_id')
      .innerJoin('import_batch as last', 'last.id', 'r.batch_id')
      .select(['r.name', 'first.job_id as first', 'last.job_id as last'])
      .orderBy('r.id')
      .execute();
    const v1 = (await ctx.db.selectFrom('import_file').select('batch_id').where('file_name', '=', 'police-v1.csv').executeTakeFirstOrThrow()).batch_id;
    const v1Job = (await ctx.db.selectFrom('import_batch').select('job_id').where('id', '=', v1).executeTakeFirstOrThrow()).job_id;
    const v2Job = (await ctx.db.selectFrom('import_batch').select('job_id').where('id', '=', summary.batch!.id).executeTakeFirstOrThrow()).job_id;
    expect(lineage).toEqual([
      { name: '张伟', first: v1Job, last: v2Job },
      { name: '李娜', first: v1Job, last: v2Job },
      { name: '王芳', first: v2Job, last: v2Job },
    ]);
    const history = await ctx.db.selectFrom('source_record_history').select(['version', 'file_name']).orderBy('id').execute();
    expect(history).toEqual([
      { version: 1, file_name: 'police-v1.csv' },
      { version: 1, file_name: 'police-v1.csv' },
    ]);
  });

  it('fails a wrong-department file with a clear message and stores nothing', async () => {
    const file = path.join(dir, 'floating.csv');
    await fs.writeFile(file, '\ufeff登记编号,姓名,性别,出生日期,身份证号码\r\nLD0001,赵六,男,1990-01-01,110105199001010018\r\n');
    const before = await storedState(ctx);
    const error = await importFiles(ctx, 'police', [file]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('RH_ERR_WRONG_SOURCE');
    expect((error as AppError).message).toContain('floating.csv');
    expect((error as AppError).message).toContain('floating-population');
    expect(await storedState(ctx)).toBe(before);
  });

  it('imports nothing of a batch whose second file is unreadable', async () => {
    const good = path.join(dir, 'police-v3.csv');
    await fs.writeFile(good, policeCsv(['0009,户主,孙七,男,汉族,19750505,110105197505050013,河南省郑州市金水区,正常']));
    const bad = path.join(dir, 'police-broken.xlsx');
    await fs.writeFile(bad, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]));
    const before = await storedState(ctx);
    const error = await importFiles(ctx, 'police', [good, bad]).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('RH_ERR_FILE_CORRUPT');
    expect((error as AppError).message).toContain('police-broken.xlsx');
    expect(await storedState(ctx)).toBe(before);
  });

  it('ends the worker of the file opened ahead when the file before it fails', async () => {
    // The second file's workbook is read while the first is imported; the first is damaged.
    const bad = path.join(dir, 'police-broken-first.xlsx');
    await fs.writeFile(bad, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(300, 9)]));
    // More rows than the worker sends before the reader asks for more, so that it waits
    // (and would stay) unless it is ended.
    const rows = Array.from({ length: CHUNK_ROWS * (CREDIT_WINDOW + 2) }, (_, i) =>
      [String(20000 + i), '户主', '周九', '男', '汉族', '19800808', '', '河南省郑州市金水区', '正常']);
    const sheet = XLSX.utils.aoa_to_sheet([POLICE_HEADER.split(','), ...rows]);
    const workbook = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(workbook, sheet, '常住人口');
    const good = path.join(dir, 'police-next.xls');
    await fs.writeFile(good, XLSX.write(workbook, { bookType: 'biff8', type: 'buffer' }) as Buffer);
    const before = await storedState(ctx);
    const error = await importFiles(ctx, 'police', [bad, good]).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('RH_ERR_FILE_CORRUPT');
    expect((error as AppError).message).toContain('police-broken-first.xlsx');
    expect(liveWorkerCount()).toBe(0);
    expect(await storedState(ctx)).toBe(before);
    // The same .xls on its own imports: it was a good file, opened ahead and ended.
    const summary = await importFiles(ctx, 'police', [good]);
    expect(summary.batch).toMatchObject({ rowsRead: rows.length, rowsAccepted: rows.length });
    expect(liveWorkerCount()).toBe(0);
  });

  it('imports many small spreadsheets of one batch through shared reader workers, each row from its own file', async () => {
    const header = ['家庭编号', '成员姓名', '成员身份证号码', '与户主关系'];
    const files: string[] = [];
    for (let n = 0; n < 6; n++) {
      const sheet = XLSX.utils.aoa_to_sheet([['城市最低生活保障家庭成员花名册'], header, [`F${n}`, `低保${n}`, '', '户主'], [`F${n}`, `家属${n}`, '', '配偶']]);
      const workbook = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(workbook, sheet, '花名册');
      const file = path.join(dir, `roll-${n}.${n % 2 ? 'xls' : 'xlsx'}`);
      await fs.writeFile(file, XLSX.write(workbook, { bookType: n % 2 ? 'biff8' : 'xlsx', type: 'buffer' }) as Buffer);
      files.push(file);
    }
    const summary = await importFiles(ctx, 'minimum-allowance', files);
    expect(summary.batch).toMatchObject({ rowsRead: 12, rowsAccepted: 12 });
    expect(liveWorkerCount()).toBe(0);
    const records = await ctx.db.selectFrom('source_record').select(['file_name', 'name', 'row_number']).where('source', '=', 'minimum-allowance').orderBy('file_name').orderBy('row_number').execute();
    expect(records).toEqual(
      files.flatMap((file, n) => [
        { file_name: path.basename(file), name: `低保${n}`, row_number: 3 },
        { file_name: path.basename(file), name: `家属${n}`, row_number: 4 },
      ]),
    );
  });
});
