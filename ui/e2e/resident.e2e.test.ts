import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiFixture, type UiFixture } from './harness.js';

/** Waits as long as a page on a busy machine may take. */
const until = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

const recordsHeading = (page: Page, n: number) => page.getByRole('heading', { name: `来源记录（${n} 条）` });

describe('the resident page in Chromium', () => {
  let f: UiFixture;
  beforeAll(async () => {
    f = await uiFixture();
  }, 180_000);
  afterAll(async () => {
    await f?.dispose();
  });

  /** A resident of three source records from three systems, and its record ids. */
  async function residentOfThree(skip = 0): Promise<{ id: string; records: string[] }> {
    const rows = (
      await sql<{ resident_id: string; records: string }>`
        select l.resident_id::text as resident_id, string_agg(l.source_record_id::text, ',' order by l.source_record_id) as records
        from resident_link l join resident r on r.id = l.resident_id join source_record s on s.id = l.source_record_id
        where r.merged_into is null
        group by l.resident_id having count(*) = 3 and count(distinct s.source) = 3
        order by l.resident_id limit 1 offset ${skip}`.execute(f.api.ctx.db)
    ).rows;
    const row = rows[0];
    if (!row) throw new Error('no resident of three records in the fixture district');
    return { id: row.resident_id, records: row.records.split(',') };
  }

  it('shows the golden record with sources and rules, the records side by side, issues and history', async () => {
    const sample = await residentOfThree();
    const page = await f.open('auditor', `/residents/${sample.id}`);
    await until(() => recordsHeading(page, 3).isVisible()).toBe(true);
    const golden = page.getByRole('region', { name: '统一档案' });
    expect(await golden.getByRole('columnheader').allTextContents()).toEqual(['字段', '值', '来源系统', '取值规则']);
    const nameRow = golden.getByRole('row', { name: /^姓名/ });
    expect(await nameRow.textContent()).toMatch(/公安.*记录 \d+.*权威来源/);
    expect(await golden.getByRole('row', { name: /^性别/ }).getByRole('cell').first().textContent()).toMatch(/^[男女]$/);
    const records = page.getByRole('region', { name: /来源记录/ });
    expect(await records.getByRole('row', { name: /^文件与行号/ }).textContent()).toMatch(/\.csv 第 \d+ 行/);
    expect(await records.getByRole('row', { name: /^关联可信度/ }).textContent()).toMatch(/%（(身份证号一致|模型匹配)）/);
    await until(() => page.getByRole('region', { name: '版本历史' }).getByText(/第 1 版/).isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: '未处理的冲突与预警' }).isVisible()).toBe(true);
    await f.screenshot(page, 'resident-auditor');

    // A resident with an open conflict shows it.
    const withIssue = (
      await sql<{ resident_id: string; kind: string }>`
        select i.resident_id::text as resident_id, i.kind from resident_issue i join resident r on r.id = i.resident_id
        where i.status = 'open' and i.kind = 'deceased_receiving_allowance' and r.merged_into is null order by i.id limit 1`.execute(f.api.ctx.db)
    ).rows[0];
    if (withIssue) {
      await page.goto(`${f.baseUrl}/#/residents/${withIssue.resident_id}`);
      await until(() => page.getByRole('region', { name: '未处理的冲突与预警' }).textContent()).toContain('已死亡仍在领取低保');
      await f.screenshot(page, 'resident-alert');
    }
    await page.context().close();
  });

  it('splits a resident and undoes it', async () => {
    const sample = await residentOfThree(1);
    const moved = sample.records[2]!;
    const page = await f.open('auditor', `/residents/${sample.id}`);
    await until(() => recordsHeading(page, 3).isVisible()).toBe(true);
    // The history loads on its own: count its versions once it is there.
    const versionItems = () => page.getByRole('region', { name: '版本历史' }).getByRole('listitem').filter({ has: page.getByRole('heading') });
    await until(() => versionItems().count()).toBeGreaterThan(0);
    const versionsBefore = await versionItems().count();

    await page.getByRole('checkbox', { name: `拆分记录 ${moved}` }).check();
    const split = page.getByRole('form', { name: '拆分来源记录' });
    expect(await split.textContent()).toContain(`已选 1 条：${moved}`);
    expect(await split.getByRole('button', { name: '拆分为新居民' }).isDisabled()).toBe(true); // no reason yet
    await split.getByLabel('理由').fill('两人身份证号相近，经核实不是同一人');
    await split.getByRole('button', { name: '拆分为新居民' }).click();

    await until(() => recordsHeading(page, 2).isVisible()).toBe(true);
    const notice = page.getByRole('status').filter({ hasText: '拆分为新居民' });
    expect(await notice.textContent()).toContain('本居民现有来源记录 2 条（原 3 条）');
    const newLink = notice.getByRole('link', { name: /查看新居民 \d+/ });
    const newId = /(\d+)$/.exec((await newLink.textContent())!)![1]!;
    const link = await sql<{ resident_id: string }>`select resident_id::text as resident_id from resident_link where source_record_id = ${moved}`.execute(f.api.ctx.db);
    expect(link.rows[0]!.resident_id).toBe(newId);
    // The history shows the new version.
    await until(() => versionItems().count()).toBe(versionsBefore + 1);
    await f.screenshot(page, 'resident-split');

    // The new resident holds the record split out.
    await newLink.click();
    await until(() => recordsHeading(page, 1).isVisible()).toBe(true);
    expect(await page.getByRole('checkbox').count()).toBe(0); // a single record cannot be split
    await page.goBack();
    await until(() => recordsHeading(page, 2).isVisible()).toBe(true);

    // Undo it: the resident is whole again.
    const actions = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: '操作' }) });
    await actions.getByRole('button', { name: /撤销操作 \d+（拆分）/ }).click();
    await page.getByLabel('撤销理由（可选）').fill('拆分有误');
    await page.getByRole('button', { name: '确认撤销' }).click();
    await until(() => recordsHeading(page, 3).isVisible()).toBe(true);
    expect(await page.getByRole('status').filter({ hasText: '已撤销操作' }).textContent()).toContain('来源记录由 2 条变为 3 条');
    await until(() => actions.textContent()).toMatch(/已于 .* 撤销/);
    const back = await sql<{ resident_id: string }>`select resident_id::text as resident_id from resident_link where source_record_id = ${moved}`.execute(f.api.ctx.db);
    expect(back.rows[0]!.resident_id).toBe(sample.id);
    await page.context().close();
  });

  it('merges another resident in after a preview; the merged-away id leads to the survivor with a notice; undo', async () => {
    const sample = await residentOfThree(2);
    const single = await sql<{ id: string }>`
      select l.resident_id::text as id from resident_link l join resident r on r.id = l.resident_id
      where r.merged_into is null group by l.resident_id having count(*) = 1 order by l.resident_id limit 1`.execute(f.api.ctx.db);
    const other = single.rows[0]!.id;

    const page = await f.open('auditor', `/residents/${sample.id}`);
    await until(() => recordsHeading(page, 3).isVisible()).toBe(true);
    await page.getByLabel('要并入的居民编号').fill(sample.id);
    await page.getByRole('button', { name: '预览' }).click();
    await until(() => page.getByRole('alert').textContent()).toContain('不能与自身合并');
    await page.getByLabel('要并入的居民编号').fill(other);
    await page.getByRole('button', { name: '预览' }).click();
    const preview = page.getByRole('form', { name: new RegExp(`将并入：.*（居民 ${other}）`) });
    await until(() => preview.isVisible()).toBe(true);
    expect(await preview.textContent()).toContain('来源记录 1 条');
    await preview.getByLabel('理由').fill('同一人，两条记录未能自动关联');
    await preview.getByRole('button', { name: '确认合并' }).click();
    await until(() => recordsHeading(page, 4).isVisible()).toBe(true);
    expect(await page.getByRole('status').filter({ hasText: '并入本居民' }).textContent()).toContain(`已将居民 ${other} 并入本居民：来源记录由 3 条变为 4 条`);

    // The merged-away id answers 308: the page goes to the survivor and says so.
    await page.goto(`${f.baseUrl}/#/residents/${other}`);
    await until(() => page.url()).toContain(`#/residents/${sample.id}?from=${other}`);
    await until(() => page.getByRole('status').filter({ hasText: `居民 ${other} 已并入本居民` }).isVisible()).toBe(true);
    await until(() => recordsHeading(page, 4).isVisible()).toBe(true);

    // Undo: both residents as they were.
    await page.getByRole('button', { name: /撤销操作 \d+（合并）/ }).click();
    await page.getByRole('button', { name: '确认撤销' }).click();
    await until(() => recordsHeading(page, 3).isVisible()).toBe(true);
    await page.goto(`${f.baseUrl}/#/residents/${other}`);
    await until(() => recordsHeading(page, 1).isVisible()).toBe(true);
    expect(page.url()).toContain(`#/residents/${other}`);
    await page.context().close();
  });

  it('offers no merge, split or undo to a department, and shows English when asked', async () => {
    const sample = await residentOfThree();
    const page = await f.open('police', `/residents/${sample.id}`, 'en');
    await until(() => page.getByRole('heading', { name: 'Source records (3)' }).isVisible()).toBe(true);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Auditor actions' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Golden record' }).getByRole('columnheader').allTextContents()).toEqual(['Field', 'Value', 'Source system', 'Rule']);
    await page.goto(`${f.baseUrl}/#/residents/999999`);
    await until(() => page.getByRole('alert').textContent()).toContain('There is no resident 999999');
    await page.context().close();
  });
});
