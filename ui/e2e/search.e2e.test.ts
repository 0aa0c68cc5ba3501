import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiFixture, type UiFixture } from './harness.js';

/** The legacy 15-digit form of an 18-digit number of someone born in the 1900s. */
function fifteenDigits(id18: string): string {
  return id18.slice(0, 6) + id18.slice(8, 17);
}

/** Waits as long as a page on a busy machine may take. */
const until = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

/** The resident links of the results table (#/residents/…). */
function results(page: Page): Promise<string[]> {
  return page.locator('.search-table tbody tr a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
}

describe('search and what each role may see, in Chromium', () => {
  let f: UiFixture;
  beforeAll(async () => {
    f = await uiFixture();
  }, 180_000);
  afterAll(async () => {
    await f?.dispose();
  });

  const one = async <T>(query: ReturnType<typeof sql<T>>): Promise<T> => {
    const row = (await query.execute(f.api.ctx.db)).rows[0];
    if (!row) throw new Error('no sample in the fixture district');
    return row;
  };

  it('finds a resident by ID number in 15-digit and lower-case-x form and by pinyin; shows the number masked for community', async () => {
    const withX = await one(sql<{ resident_id: string; id_number: string; pinyin: string }>`
      select l.resident_id::text as resident_id, s.id_number, s.data->>'namePinyin' as pinyin from source_record s
      join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id
      where s.source = 'police' and s.id_number like '%X' and r.merged_into is null order by s.id limit 1`);
    const born1900s = await one(sql<{ resident_id: string; id_number: string }>`
      select l.resident_id::text as resident_id, s.id_number from source_record s
      join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id
      where s.source = 'police' and substr(s.id_number, 7, 2) = '19' and s.id_number not like '%X' and r.merged_into is null order by s.id limit 1`);

    const page = await f.open('community', '/search');
    const box = page.getByLabel('身份证号、姓名或住址');
    await box.fill(withX.id_number.toLowerCase());
    await box.press('Enter');
    await until(() => results(page)).toContain(`#/residents/${withX.resident_id}`);
    expect(page.url()).toContain(`#/search?q=${withX.id_number.toLowerCase()}`);
    // Community sees ID numbers masked, as the API gives them.
    const masked = `${withX.id_number.slice(0, 6)}********${withX.id_number.slice(14)}`;
    expect(await page.locator('.search-table').textContent()).toContain(masked);
    expect(await page.content()).not.toContain(withX.id_number);

    await box.fill(fifteenDigits(born1900s.id_number));
    await page.getByRole('button', { name: '查询' }).click();
    await until(() => page.url()).toContain(fifteenDigits(born1900s.id_number));
    await until(() => results(page)).toContain(`#/residents/${born1900s.resident_id}`);

    // The next search finds another resident, so that the last results cannot pass for its own.
    await box.fill(withX.pinyin.replaceAll(' ', ''));
    await box.press('Enter');
    await until(() => page.url()).toContain(encodeURIComponent(withX.pinyin.replaceAll(' ', '')));
    await until(() => results(page)).toContain(`#/residents/${withX.resident_id}`);
    const row = page.locator('.search-table tbody tr', { has: page.locator(`a[href="#/residents/${withX.resident_id}"]`) });
    expect(await row.textContent()).toMatch(/拼音/);
    expect(await row.locator('td').nth(3).textContent()).toMatch(/^[男女]$/);

    // Back and forward go through the searches.
    await page.goBack();
    await until(() => box.inputValue()).toBe(fifteenDigits(born1900s.id_number));
    await until(() => results(page)).toContain(`#/residents/${born1900s.resident_id}`);
    await page.goForward();
    await until(() => box.inputValue()).toBe(withX.pinyin.replaceAll(' ', ''));
    await until(() => results(page)).toContain(`#/residents/${withX.resident_id}`);
    await page.context().close();
  });

  it('shows the empty state, an unreadable query, and pages through many results', async () => {
    const page = await f.open('community', '/search');
    const box = page.getByLabel('身份证号、姓名或住址');
    await box.fill('11010119000101123X');
    await box.press('Enter');
    await until(() => page.getByRole('status').filter({ hasText: '没有找到符合条件的居民' }).count()).toBe(1);

    await box.fill('金水路116号院1号楼');
    await box.press('Enter');
    await until(() => page.getByRole('alert').textContent()).toContain('无法识别查询内容');

    const community = await one(sql<{ community: string; n: number }>`
      select s.data->>'community' as community, count(*)::int as n from source_record s where s.source = 'police' and s.data->>'community' is not null
      group by 1 order by 2 desc limit 1`);
    await box.fill(community.community);
    await box.press('Enter');
    await until(async () => (await results(page)).length).toBe(20);
    const first = await results(page);
    await f.screenshot(page, 'search-results');
    expect(await page.getByRole('status').filter({ hasText: '共找到' }).textContent()).toMatch(/第 1–20 位/);
    const paging = page.getByRole('navigation', { name: '结果分页' });
    expect(await paging.getByRole('button', { name: '上一页' }).isDisabled()).toBe(true);
    await paging.getByRole('button', { name: '下一页' }).click();
    await until(() => page.url()).toContain('offset=20');
    await until(() => page.getByRole('status').filter({ hasText: '共找到' }).textContent()).toMatch(/第 21–40 位/);
    const second = await results(page);
    expect(second.filter((h) => first.includes(h))).toEqual([]);
    await page.context().close();
  });

  it('works from the keyboard alone: Tab to the box, type, Enter, Tab to the first result, Enter opens it', async () => {
    const target = await one(sql<{ resident_id: string; id_number: string }>`
      select l.resident_id::text as resident_id, s.id_number from source_record s
      join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id
      where s.source = 'police' and s.id_number is not null and r.merged_into is null order by s.id desc limit 1`);
    const page = await f.open('police', '/search');
    await page.getByRole('heading', { name: '居民查询' }).waitFor();
    // Start from the top of the document.
    // Start from the top of the document (expressions: this file is typed without the DOM).
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    const focused = () => page.evaluate<string>("(() => { const e = document.activeElement; return e ? e.id || e.getAttribute('href') || e.tagName : ''; })()");
    for (let i = 0; i < 20 && (await focused()) !== 'search-q'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('search-q');
    await page.keyboard.type(target.id_number);
    await page.keyboard.press('Enter');
    await until(() => results(page)).toContain(`#/residents/${target.resident_id}`);
    for (let i = 0; i < 10 && !(await focused()).startsWith('#/residents/'); i++) await page.keyboard.press('Tab');
    const first = (await results(page))[0]!;
    expect(await focused()).toBe(first);
    await page.keyboard.press('Enter');
    await until(() => page.url()).toContain(first);
    await until(() => page.getByRole('heading', { name: '统一档案' }).isVisible()).toBe(true);
    await page.context().close();
  });

  it('a role that may not see bank accounts finds none anywhere on the page; civil affairs sees it', async () => {
    const sample = await one(sql<{ resident_id: string; bank_account: string; bank: string; name: string }>`
      select l.resident_id::text as resident_id, s.data->>'bankAccount' as bank_account, s.data->>'bank' as bank, s.data->>'name' as name from source_record s
      join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id
      where s.source = 'minimum-allowance' and s.data->>'bankAccount' is not null and s.data->>'bank' is not null and r.merged_into is null order by s.id limit 1`);
    expect(sample.bank_account).toMatch(/^\d{12,}$/);

    for (const role of ['police', 'community'] as const) {
      const page = await f.open(role, `/residents/${sample.resident_id}`);
      await until(() => page.getByRole('heading', { name: /来源记录/ }).isVisible()).toBe(true);
      await until(() => page.getByText(/第 \d+ 版/).first().isVisible()).toBe(true);
      expect(await page.getByRole('cell', { name: /minimum-allowance/ }).count()).toBeGreaterThan(0);
      const html = await page.content();
      for (const forbidden of [sample.bank_account, sample.bank_account.slice(-8), sample.bank, '开户银行', '银行账号', '银行卡号']) expect(html, `${role}: ${forbidden}`).not.toContain(forbidden);
      await page.context().close();
    }

    const page = await f.open('civil-affairs', `/residents/${sample.resident_id}`);
    await until(() => page.getByRole('heading', { name: /来源记录/ }).isVisible()).toBe(true);
    expect(await page.getByRole('rowheader', { name: '银行账号' }).count()).toBe(1);
    const html = await page.content();
    expect(html).toContain(sample.bank_account);
    expect(html).toContain(sample.bank);
    await page.context().close();
  });
});
