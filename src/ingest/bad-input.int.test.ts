import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import XLSX from 'xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { testContext } from '../testing/context.js';
import { storedState } from '../testing/stored-state.js';
import { storesUnderTest } from '../testing/stores.js';
import { importFiles } from './import-files.js';
import { SHEET_XML_HEAD, SHEET_XML_TAIL, minimalXlsxParts, rowXml, writeZip } from './test-helpers.js';

const HEADER = ['户号', '与户主关系', '姓名', '性别', '出生日期', '公民身份号码'];
const PEOPLE = [
  ['H1', '户主', '张伟', '男', '19850312', '11010519491231002X'],
  ['H1', '配偶', '李娜', '女', '19860701', '110105198607010022'],
];

let millionRowSheetFile: Promise<string> | undefined;

/** A police sheet filling all 1,048,576 rows Excel allows; written once, shared by both stores. */
function millionRowSheet(): Promise<string> {
  millionRowSheetFile ??= (async () => {
    const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'rh-million-')), 'million.xlsx');
    const rows = (function* () {
      yield SHEET_XML_HEAD + rowXml(1, HEADER);
      let batch = '';
      for (let r = 2; r <= 1_048_576; r++) {
        batch += rowXml(r, [`H${r}`, '户主', `居民${r % 1000}`, '男', '19900101', '']);
        if (batch.length > 256 * 1024) {
          yield batch;
          batch = '';
        }
      }
      yield batch + SHEET_XML_TAIL;
    })();
    await writeZip(file, minimalXlsxParts(Readable.from(rows)));
    return file;
  })();
  return millionRowSheetFile;
}

afterAll(async () => {
  if (millionRowSheetFile) await fs.rm(path.dirname(await millionRowSheetFile), { recursive: true, force: true });
});


/**
 * Every bad input of the import: a clear error that names the file, and nothing already
 * stored changes. The store starts with a good import so "nothing changed" means something.
 */
describe.each(storesUnderTest())('bad input on $name', (store) => {
  let ctx: AppContext & { dispose(): Promise<void> };
  let dir: string;
  let baseline: string;

  async function expectRefused(name: string, code: string, message: RegExp): Promise<AppError> {
    const error = await importFiles(ctx, 'police', [path.join(dir, name)]).catch((e: unknown) => e);
    expect(error, `${name} should be refused`).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(code);
    expect((error as AppError).message.startsWith(`${name}:`), (error as AppError).message).toBe(true);
    expect((error as AppError).message).toMatch(message);
    expect(await storedState(ctx)).toBe(baseline);
    return error as AppError;
  }

  beforeAll(async () => {
    ctx = await testContext(store, { maxRowsPerFile: 20_000 });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-bad-'));
    const good = path.join(dir, 'good.csv');
    await fs.writeFile(good, [HEADER, ...PEOPLE].map((r) => r.join(',')).join('\n'));
    const summary = await importFiles(ctx, 'police', [good]);
    expect(summary.batch!.rowsAccepted).toBe(2);
    baseline = await storedState(ctx);
  });

  afterAll(async () => {
    await ctx?.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });


  it('a truncated .xlsx', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('常住人口');
    sheet.addRows([HEADER, ...PEOPLE]);
    for (let i = 0; i < 500; i++) sheet.addRow(['H9', '户主', `测试${i}`, '男', '19900101', '']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    await fs.writeFile(path.join(dir, 'truncated.xlsx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectRefused('truncated.xlsx', 'RH_ERR_FILE_CORRUPT', /damaged|truncated|corrupt/i);
  });

  it('a corrupt .xls', async () => {
    const sheet = XLSX.utils.aoa_to_sheet([HEADER, ...PEOPLE]);
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, sheet, 'Sheet1');
    const bytes = XLSX.write(book, { bookType: 'biff8', type: 'buffer' }) as Buffer;
    await fs.writeFile(path.join(dir, 'corrupt.xls'), Buffer.concat([bytes.subarray(0, 600), randomBytes(900)]));
    await expectRefused('corrupt.xls', 'RH_ERR_FILE_CORRUPT', /.+/);
  });

  it('an encrypted workbook', async () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, 'EncryptionInfo', Buffer.from([4, 0, 4, 0, 0x40, 0, 0, 0]));
    XLSX.CFB.utils.cfb_add(cfb, 'EncryptedPackage', randomBytes(4096));
    await fs.writeFile(path.join(dir, 'locked.xlsx'), Buffer.from(XLSX.CFB.write(cfb, { type: 'buffer' }) as Uint8Array));
    await expectRefused('locked.xlsx', 'RH_ERR_FILE_ENCRYPTED', /password|encrypt/i);
  });

  it('a zip bomb', async () => {
    const zeros = Readable.from((function* () {
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < 300; i++) yield chunk;
    })());
    await writeZip(path.join(dir, 'bomb.xlsx'), minimalXlsxParts(zeros));
    await expectRefused('bomb.xlsx', 'RH_ERR_ZIP_BOMB', /expands \d+ times|uncompressed/);
  });

  it('an empty file', async () => {
    await fs.writeFile(path.join(dir, 'empty.csv'), '');
    await expectRefused('empty.csv', 'RH_ERR_FILE_EMPTY', /empty/);
  });

  it('a file from the wrong department', async () => {
    await fs.writeFile(
      path.join(dir, 'allowance.csv'),
      '金水区城市最低生活保障家庭成员花名册\n家庭编号,户主姓名,成员姓名,与户主关系,成员身份证号码,性别,年龄\nF1,张伟,张伟,本人,11010519491231002X,男,76\n',
    );
    const error = await expectRefused('allowance.csv', 'RH_ERR_WRONG_SOURCE', /minimum-allowance/);
    expect(error.message).toContain('户号');
  });

  it('a binary file with a .csv name', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(4000)]);
    await fs.writeFile(path.join(dir, 'photo.csv'), png);
    await expectRefused('photo.csv', 'RH_ERR_FILE_NOT_TEXT', /PNG image, not a CSV text file/);
    await fs.writeFile(path.join(dir, 'random.csv'), Buffer.concat([Buffer.from([0, 1, 2, 0]), randomBytes(8000)]));
    await expectRefused('random.csv', 'RH_ERR_FILE_NOT_TEXT', /not a CSV text file|binary/);
  });

  it('a sheet of 1,048,576 rows: read in bounded memory, refused beyond the per-file row limit', async () => {
    const file = path.join(dir, 'million.xlsx');
    await fs.copyFile(await millionRowSheet(), file);
    const heapBefore = process.memoryUsage().heapUsed;
    await expectRefused('million.xlsx', 'RH_ERR_TOO_MANY_ROWS', /more than 20,000 rows/);
    // The reader streams: the main thread's heap did not grow with the sheet.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
  });
});
