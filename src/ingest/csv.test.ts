import { writeFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { sniffDelimiter } from './csv.js';
import { findHeaderRow, isFooterRow, normalizeHeader } from './header.js';
import { openFile } from './open.js';
import { collectRows, makeTempDir, rejectionOf } from './test-helpers.js';

const REGISTER = [
  '金水区城市最低生活保障家庭成员花名册,,,',
  '制表单位：西湖社区居委会  制表日期：2026-10-31,,,',
  '序号,姓名,公民身份号码,家庭住址',
  '1, 王芳 ,410105199003071234,"河南省郑州市金水区纬五路12号院3号楼2单元401"',
  '',
  '2,刘䶮,11010519491231002X,"北京市东城区',
  '某胡同1号"',
  ',,,',
  '合计：2人,,,',
  '',
].join('\r\n');

const EXPECTED = [
  { rowNumber: 1, cells: ['金水区城市最低生活保障家庭成员花名册'] },
  { rowNumber: 2, cells: ['制表单位：西湖社区居委会  制表日期：2026-10-31'] },
  { rowNumber: 3, cells: ['序号', '姓名', '公民身份号码', '家庭住址'] },
  { rowNumber: 4, cells: ['1', '王芳', '410105199003071234', '河南省郑州市金水区纬五路12号院3号楼2单元401'] },
  // row 5 is blank: counted, not yielded
  { rowNumber: 6, cells: ['2', '刘䶮', '11010519491231002X', '北京市东城区\r\n某胡同1号'] },
  // row 7 (,,,) is blank too
  { rowNumber: 8, cells: ['合计：2人'] },
];

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(() => tmp.cleanup());

describe('CSV encodings', () => {
  it.each([
    ['utf-8', Buffer.from(REGISTER, 'utf8')],
    ['utf-8-bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(REGISTER, 'utf8')])],
    ['gb18030', iconv.encode(REGISTER, 'gb18030')],
    ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(REGISTER, 'utf16le')])],
  ])('reads a %s register with title rows, blank rows, a multi-line field and a footer', async (encoding, bytes) => {
    const file = tmp.file(`register-${encoding}.csv`);
    await writeFile(file, bytes);
    const opened = await openFile(file);
    expect(opened.format).toBe('csv');
    expect(opened.encoding).toBe(encoding);
    const rows = await collectRows(opened);
    expect(rows).toEqual(EXPECTED);
    const header = findHeaderRow(rows, (cells) => cells.filter((c) => ['姓名', '公民身份号码'].includes(normalizeHeader(c))).length);
    expect(header).toBe(2);
    expect(rows.filter((r) => isFooterRow(r.cells)).map((r) => r.rowNumber)).toEqual([8]);
  });

  it('reads a GB18030 file whose first 64 KB are plain ASCII', async () => {
    const ascii = Array.from({ length: 3000 }, (_, i) => `${i + 1},x,410105199003071234`).join('\n');
    const file = tmp.file('late-chinese.csv');
    await writeFile(file, iconv.encode(`xh,xm,gmsfhm\n${ascii}\n3001,王芳,410105199003071234\n`, 'gb18030'));
    const opened = await openFile(file);
    expect(opened.encoding).toBe('gb18030');
    const rows = await collectRows(opened);
    expect(rows).toHaveLength(3002);
    expect(rows.at(-1)).toEqual({ rowNumber: 3002, cells: ['3001', '王芳', '410105199003071234'] });
  });

  it('yields chunks of about 1000 rows', async () => {
    const file = tmp.file('chunks.csv');
    await writeFile(file, ['a,b', ...Array.from({ length: 2500 }, (_, i) => `${i},王`)].join('\n'));
    const sizes: number[] = [];
    for await (const chunk of (await openFile(file)).rows) sizes.push(chunk.length);
    expect(sizes).toEqual([1000, 1000, 501]);
  });
});

describe('CSV delimiters', () => {
  it('sniffs comma, tab and semicolon, ignoring title rows and quoted text', () => {
    expect(sniffDelimiter('标题\n姓名,性别,年龄\n王芳,女,30\n')).toBe(',');
    expect(sniffDelimiter('姓名\t性别\t住址\n王芳\t女\t"a,b,c,d"\n')).toBe('\t');
    expect(sniffDelimiter('姓名;性别;住址\n王芳;女;"x,y"\n张伟;男;z\n')).toBe(';');
    expect(sniffDelimiter('只有一列\n王芳\n')).toBe(',');
  });

  it('reads a tab-separated file', async () => {
    const file = tmp.file('tabs.csv');
    await writeFile(file, '姓名\t住址\n王芳\t纬五路12号, 3号楼\n');
    expect(await collectRows(await openFile(file))).toEqual([
      { rowNumber: 1, cells: ['姓名', '住址'] },
      { rowNumber: 2, cells: ['王芳', '纬五路12号, 3号楼'] },
    ]);
  });
});

describe('broken CSV', () => {
  it('rejects an unclosed quote at the end (a truncated file), naming the file and the row', async () => {
    const file = tmp.file('truncated.csv');
    await writeFile(file, '姓名,住址\n王芳,纬五路\n张伟,"北大街\n12号');
    const err = await rejectionOf(collectRows(await openFile(file)));
    expect(err.code).toBe(ErrorCodes.FILE_CORRUPT);
    expect(err.message).toMatch(/^truncated\.csv: row 3: a quoted field/);
  });

  it('rejects bytes that are not text in the detected encoding, naming the row', async () => {
    const good = Array.from({ length: 8000 }, (_, i) => `${i},王芳,女`).join('\n');
    const file = tmp.file('mixed.csv');
    await writeFile(file, Buffer.concat([Buffer.from(`序号,姓名,性别\n${good}\n`, 'utf8'), iconv.encode('8000,张伟,男\n', 'gbk')]));
    const opened = await openFile(file);
    expect(opened.encoding).toBe('utf-8');
    const err = await rejectionOf(collectRows(opened));
    expect(err.code).toBe(ErrorCodes.FILE_CORRUPT);
    expect(err.message).toMatch(/^mixed\.csv: row 8002 contains bytes that are not valid UTF-8/);
  });

  it('enforces maxRows', async () => {
    const file = tmp.file('many.csv');
    await writeFile(file, Array.from({ length: 50 }, (_, i) => `${i},x`).join('\n'));
    const err = await rejectionOf(collectRows(await openFile(file, { maxRows: 20 })));
    expect(err.code).toBe(ErrorCodes.TOO_MANY_ROWS);
    expect(err.message).toContain('many.csv');
  });
});
