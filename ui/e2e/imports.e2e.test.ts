import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiFixture, type UiFixture } from './harness.js';

/** Waits as long as an import and its link run may take on a busy machine. */
const until = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout });

const FLOATING_SYSTEM = '流动人口信息平台';

describe('the imports page in Chromium', () => {
  let f: UiFixture;
  beforeAll(async () => {
    f = await uiFixture();
  }, 180_000);
  afterAll(async () => {
    await f?.dispose();
  });

  /**
   * The district's floating-population export made new: a row copied under a new registration
   * number (its natural key), and a row with neither a name nor an ID number (rejected).
   */
  async function changedExport(): Promise<{ name: string; buffer: Buffer; rows: number; newKey: string }> {
    const file = f.api.manifest.files.find((x) => x.source === 'floating-population')!;
    const text = await fs.readFile(path.join(f.api.districtDir, file.file), 'utf8');
    const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
    const header = lines[0]!.replace(/^\uFEFF/, '').split(',');
    const copy = lines[1]!.split(',');
    const newKey = '13209999999901';
    copy[header.indexOf('登记编号')] = newKey;
    const blank = copy.map(() => '');
    blank[header.indexOf('登记编号')] = '13209999999902';
    blank[header.indexOf('户籍地址')] = '河北省石家庄市长安区';
    const body = [...lines, copy.join(','), blank.join(',')].join('\r\n') + '\r\n';
    return { name: 'floating-population-2026-11.csv', buffer: Buffer.from(body, 'utf8'), rows: lines.length - 1 + 2, newKey };
  }

  it('uploads an export through the file input, shows live progress, then the summary, the rejected rows and the history', async () => {
    const upload = await changedExport();
    const page = await f.open('family-planning', '/imports');
    const sourceSelect = page.getByLabel('部门系统', { exact: true });
    await until(() => sourceSelect.isVisible()).toBe(true);
    // Family planning imports its two systems' exports, no other.
    expect(await sourceSelect.getByRole('option').allTextContents()).toEqual(['常住人口计划生育管理系统', FLOATING_SYSTEM]);
    await sourceSelect.selectOption({ label: FLOATING_SYSTEM });
    await page.getByLabel('选择文件').setInputFiles({ name: upload.name, mimeType: 'text/csv', buffer: upload.buffer });
    await until(() => page.getByRole('heading', { name: '已选文件（1 个）' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: '开始导入' }).click();

    await until(() => page.url()).toMatch(/#\/imports\/\d+$/);
    const batchId = /(\d+)$/.exec(page.url())![1]!;
    const progress = page.getByRole('status', { name: '导入进度' });
    await until(() => progress.isVisible()).toBe(true);
    expect(await progress.locator('progress').count()).toBe(1);
    // Exactly: while the batch is being linked the text begins with 导入完成 too, and the bar is indeterminate.
    await until(() => progress.locator('p').textContent(), 60_000).toBe('导入完成');
    expect(await progress.locator('progress').evaluate((bar) => (bar as unknown as { position: number }).position)).toBe(1); // full

    const batch = page.getByRole('region', { name: `导入批次 ${batchId}` });
    const stat = async (label: string) => (await batch.locator('.imports-stat', { has: page.getByText(label, { exact: true }) }).locator('dd').textContent())?.replace(/,/g, '');
    expect(await stat('读取行数')).toBe(String(upload.rows));
    expect(await stat('接受')).toBe(String(upload.rows - 1));
    expect(await stat('拒绝')).toBe('1');
    expect(await stat('新增')).toBe('1');
    expect(await stat('未变')).toBe(String(upload.rows - 2));
    expect(await stat('已不在本次导出中')).toBe('0');
    expect(await batch.getByRole('heading', { name: '主要拒绝原因' }).isVisible()).toBe(true);
    expect(await batch.textContent()).toContain('既无姓名也无身份证号：1 行');

    // The rejected row with its reason, and the CSV download.
    await until(() => batch.getByRole('heading', { name: '被拒绝的行（1 行）' }).isVisible()).toBe(true);
    const rejectRow = batch.getByRole('row', { name: /既无姓名也无身份证号/ });
    await until(() => rejectRow.count()).toBe(1);
    // The row as read, redacted for the role (a 14-digit run could be a phone number: masked).
    const rejected = (await rejectRow.textContent()) ?? '';
    expect(rejected).toContain(`${upload.name}${upload.rows + 1}`); // file, then the row as Excel numbers it
    expect(rejected).toContain('户籍地址：河北省石家庄市长安区');
    expect(rejected).toMatch(/登记编号：\*+9902/);
    const [download] = await Promise.all([page.waitForEvent('download'), batch.getByRole('button', { name: '下载 CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`rejects-batch-${batchId}.csv`);
    const csv = await fs.readFile((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff); // the BOM Excel needs, kept through the download
    expect(csv).toContain(upload.name);
    expect(csv).toContain('no_name_no_id');

    // The batch heads the history, and it is linked: the new record has a resident.
    const history = page.getByRole('region', { name: '导入历史' });
    await until(() => history.getByRole('link', { name: `批次 ${batchId}` }).isVisible()).toBe(true);
    expect(await history.getByRole('row').nth(1).textContent()).toContain(`批次 ${batchId}`);
    const linked = await sql<{ n: number }>`
      select count(*)::int as n from source_record s join resident_link l on l.source_record_id = s.id
      where s.source = 'floating-population' and s.data->>'registrationNumber' = ${upload.newKey}`.execute(f.api.ctx.db);
    expect(linked.rows[0]!.n).toBe(1);
    await f.screenshot(page, 'imports-finished');

    // The same file again: nothing to do, and the page says where it went.
    await page.getByLabel('部门系统', { exact: true }).selectOption({ label: FLOATING_SYSTEM });
    await page.getByLabel('选择文件').setInputFiles({ name: upload.name, mimeType: 'text/csv', buffer: upload.buffer });
    await page.getByRole('button', { name: '开始导入' }).click();
    await until(() => page.getByRole('status').filter({ hasText: '都已导入过' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: `${upload.name}：已在批次 ${batchId} 中导入` }).count()).toBe(1);

    // Another batch opens from the history, filtered by system.
    await history.getByLabel('按部门系统筛选').selectOption({ label: '常住人口计划生育管理系统' });
    await until(() => history.getByRole('row').count()).toBe(2);
    const other = history.getByRole('link', { name: /批次 \d+/ });
    const otherId = /(\d+)$/.exec((await other.textContent())!)![1]!;
    await other.click();
    await until(() => page.getByRole('region', { name: `导入批次 ${otherId}` }).getByText('导入完成', { exact: true }).isVisible()).toBe(true);
    await page.context().close();
  });

  it('takes files dropped on the zone; offers each role only its sources and batches', async () => {
    const page = await f.open('admin', '/imports');
    const sourceSelect = page.getByLabel('部门系统', { exact: true });
    await until(() => sourceSelect.isVisible()).toBe(true);
    expect(await sourceSelect.getByRole('option').count()).toBe(4);
    const zone = page.getByRole('group', { name: '文件拖放区' });
    const transfer = await page.evaluateHandle(
      `(() => { const d = new DataTransfer(); d.items.add(new File(['姓名,身份证号\\n'], 'dropped.csv', { type: 'text/csv' })); return d; })()`,
    );
    await zone.dispatchEvent('dragenter', { dataTransfer: transfer });
    await zone.dispatchEvent('drop', { dataTransfer: transfer });
    await until(() => page.getByRole('heading', { name: '已选文件（1 个）' }).isVisible()).toBe(true);
    expect(await page.getByRole('listitem').filter({ hasText: 'dropped.csv' }).count()).toBe(1);
    await page.getByRole('button', { name: '移除 dropped.csv' }).click();
    expect(await page.getByText('尚未选择文件。').isVisible()).toBe(true);
    await page.context().close();

    // The police import police exports only, and see only their batches.
    const police = await f.open('police', '/imports');
    await until(() => police.getByRole('region', { name: '导入历史' }).getByRole('link').count()).toBeGreaterThan(0);
    expect(await police.getByLabel('部门系统', { exact: true }).getByRole('option').allTextContents()).toEqual(['派出所人口信息系统']);
    const badges = await police.getByRole('region', { name: '导入历史' }).locator('tbody .source').allTextContents();
    expect(new Set(badges)).toEqual(new Set(['公安']));
    await police.context().close();

    // The auditor reads every batch but uploads none.
    const auditor = await f.open('auditor', '/imports');
    await until(() => auditor.getByText('当前角色不能上传导出文件').isVisible()).toBe(true);
    expect(await auditor.getByLabel('选择文件').count()).toBe(0);
    await until(async () => new Set(await auditor.getByRole('region', { name: '导入历史' }).locator('tbody .source').allTextContents()).size).toBe(4);
    await auditor.context().close();
  });
});
