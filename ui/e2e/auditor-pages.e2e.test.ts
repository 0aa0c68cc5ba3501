/**
 * The auditors' pages in Chromium over the demo district: the review queue decided with the
 * keyboard, a conflict resolved with the keyboard only, the island map against the API, the
 * audit log listing the decisions just made. One fixture for all (each costs seconds).
 */
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiFixture, type UiFixture } from './harness.js';

interface Side {
  recordId: string;
  source: string;
  fileName: string;
  rowNumber: number;
  residentId: string | null;
}
interface ReviewItem {
  id: string;
  status: string;
  a: Side;
  b: Side;
}
interface Issue {
  id: string;
  residentId: string;
  kind: string;
  status: string;
  details: { values?: { value: unknown; sources: string[]; sourceRecordIds: string[] }[] };
  resolution: Record<string, unknown> | null;
}
interface Overlap {
  residents: number;
  combinations: { sources: string[]; residents: number }[];
  perSource: { source: string; residents: number }[];
}

const SHORT: Record<string, string> = { police: '公安', 'family-planning': '计生', 'floating-population': '流动人口', 'minimum-allowance': '低保' };
const ORDER = Object.keys(SHORT);

describe('the auditors’ pages in Chromium', () => {
  let f: UiFixture;
  /** Filled by the tests in order: what the audit log must show. */
  const decided: { reviewItemId?: string; issueId?: string } = {};

  async function get<T>(url: string): Promise<T> {
    const res = await f.api.request('auditor', { method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as T;
  }

  /** Open review items of two different residents, at least `n` (made from single-record residents when the district has too few). */
  async function openItems(n: number): Promise<ReviewItem[]> {
    const items = (await get<{ items: ReviewItem[] }>('/v1/review?status=open&limit=100')).items;
    const apart = items.filter((i) => i.a.residentId && i.b.residentId && i.a.residentId !== i.b.residentId);
    if (apart.length >= n) return items;
    const singles = await sql<{ record: string }>`
      select min(l.source_record_id)::text as record from resident_link l join resident r on r.id = l.resident_id
      where r.merged_into is null group by l.resident_id having count(*) = 1 order by l.resident_id limit ${2 * n}`.execute(f.api.ctx.db);
    for (let k = 0; k + 1 < singles.rows.length && k < 2 * n; k += 2) {
      await sql`
        insert into review_item (record_a, record_b, weight, probability, field_weights, levels, reason, status, run_id)
        values (${singles.rows[k]!.record}::bigint, ${singles.rows[k + 1]!.record}::bigint, 2.5, 0.6, '{"name": -1.5, "birthDate": 4}', '{"name": "one_char", "birthDate": "exact"}', 'between_thresholds', 'open', 1)`.execute(f.api.ctx.db);
    }
    return (await get<{ items: ReviewItem[] }>('/v1/review?status=open&limit=100')).items;
  }

  /** The focused element (as a string expression: this file is type-checked without the DOM library). */
  const focused = (page: Page) =>
    page.evaluate<{ tag: string; type: string; id: string; text: string }>(
      "(() => { const e = document.activeElement; return { tag: e?.tagName ?? '', type: e?.getAttribute('type') ?? '', id: e?.id ?? '', text: e?.textContent ?? '' }; })()",
    );
  const hash = (page: Page) => page.evaluate<string>('location.hash');

  beforeAll(async () => {
    f = await uiFixture();
  }, 180_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('review queue: skips one item with S, decides the next “same person” with M (not while typing the reason), and the two residents become one', async () => {
    const items = await openItems(2);
    const first = items[0]!;
    const second = items.find((i) => i.id !== first.id && i.a.residentId !== i.b.residentId)!;
    expect(second).toBeDefined();
    const heading = (id: string) => new RegExp(`^审核条目 ${id}(\\s|$)`);

    const page = await f.open('auditor', '#/review');
    await expect.poll(() => page.getByRole('heading', { name: heading(first.id) }).isVisible()).toBe(true);
    // Both sides aligned, differences marked in words; the weights as a chart, the total and the probability.
    const compare = page.getByRole('table', { name: /逐项比对/ });
    expect(await compare.getByRole('rowheader', { name: '姓名' }).isVisible()).toBe(true);
    expect(await compare.getByRole('columnheader', { name: /记录甲/ }).textContent()).toContain(`记录编号 ${first.a.recordId}`);
    expect(await page.getByRole('img', { name: /各字段匹配权重条形图/ }).isVisible()).toBe(true);
    expect(await page.getByText('总权重').isVisible()).toBe(true);
    expect(await page.getByText('匹配概率').isVisible()).toBe(true);
    for (const name of ['是同一人', '不是同一人', '跳过']) expect(await page.getByRole('button', { name }).first().isVisible(), name).toBe(true);
    await f.screenshot(page, 'review-item');

    // S skips: the next item follows, and the skipped one is not shown again in this visit.
    await page.keyboard.press('s');
    await expect.poll(() => page.getByRole('heading', { name: heading(second.id) }).isVisible()).toBe(true);
    expect(await page.getByRole('status').filter({ hasText: `已跳过审核条目 ${first.id}` }).isVisible()).toBe(true);
    const residentLinks = await page.getByRole('table', { name: /逐项比对/ }).getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(residentLinks).toEqual([`#/residents/${second.a.residentId}`, `#/residents/${second.b.residentId}`]);

    // Letters typed into the reason do not decide anything.
    await page.getByLabel('理由（可选）').focus();
    await page.keyboard.type('same name, born the same day; checked on paper');
    await page.waitForTimeout(300);
    expect((await get<ReviewItem>(`/v1/review/${second.id}`)).status).toBe('open');
    expect((await get<ReviewItem>(`/v1/review/${first.id}`)).status).toBe('open');
    await page.keyboard.press('Escape');
    await page.keyboard.press('m');
    const done = page.getByRole('status').filter({ hasText: '已确认是同一人' });
    await expect.poll(() => done.isVisible()).toBe(true);
    const text = (await done.textContent()) ?? '';
    const survivor = /已并入居民 (\d+)/.exec(text)?.[1];
    expect([second.a.residentId, second.b.residentId]).toContain(survivor);

    // Over the API and in the database: one resident holds both records now, decided with the reason.
    const item = await get<ReviewItem & { decision: { reason: string } }>(`/v1/review/${second.id}`);
    expect(item.status).toBe('match');
    expect(item.decision.reason).toBe('same name, born the same day; checked on paper');
    const resident = await get<{ id: string; records: { id: string }[] }>(`/v1/residents/${survivor}`);
    expect(resident.records.map((r) => r.id)).toEqual(expect.arrayContaining([second.a.recordId, second.b.recordId]));
    const links = await sql<{ resident_id: string }>`
      select distinct coalesce(r.merged_into, l.resident_id)::text as resident_id from resident_link l join resident r on r.id = l.resident_id
      where l.source_record_id in (${second.a.recordId}::bigint, ${second.b.recordId}::bigint)`.execute(f.api.ctx.db);
    expect(links.rows).toEqual([{ resident_id: survivor }]);
    decided.reviewItemId = second.id;

    // The resident is a link away.
    await done.getByRole('link', { name: `打开居民 ${survivor}` }).click();
    await expect.poll(() => hash(page)).toBe(`#/residents/${survivor}`);
    // …and the resident page shows the change: both records, each with its file and row, and a new version.
    const records = page.getByRole('table').filter({ has: page.getByRole('rowheader', { name: '文件与行号' }) });
    for (const side of [second.a, second.b]) {
      await expect.poll(() => records.getByText(`${side.fileName} 第 ${side.rowNumber} 行`).count()).toBeGreaterThan(0);
    }
    await f.screenshot(page, 'resident-after-review');
    await page.context().close();

    // In English, the same page.
    const en = await f.open('auditor', `#/review/${second.id}`, 'en');
    await expect.poll(() => en.getByRole('heading', { name: `Review item ${second.id}` }).isVisible()).toBe(true);
    expect(await en.getByText('Decided: same person').first().isVisible()).toBe(true);
    await en.context().close();
  });

  it('conflicts: filters to birth-date conflicts and resolves one with the keyboard only; the golden value is the one picked, by rule auditor', async () => {
    const [conflict] = (await get<{ items: Issue[] }>('/v1/conflicts?kind=birth_date_conflict')).items;
    expect(conflict).toBeDefined();
    const other = conflict!.details.values![1]!;
    const page = await f.open('auditor', '#/conflicts');
    await expect.poll(() => page.getByRole('heading', { name: /编号 \d+/ }).first().isVisible()).toBe(true);
    await f.screenshot(page, 'conflicts-list');

    await page.getByLabel('类别').selectOption('conflict');
    await page.getByLabel('类型').selectOption('birth_date_conflict');
    await expect.poll(() => hash(page)).toBe('#/conflicts?category=conflict&kind=birth_date_conflict');
    const card = page.getByRole('article', { name: `出生日期不一致 · 编号 ${conflict!.id}` });
    await expect.poll(() => card.isVisible()).toBe(true);
    expect(await page.getByRole('article').count()).toBe(1);
    expect(await card.textContent()).toContain(String(other.value));

    // Keyboard only: Enter opens the form on the first choice, ↓ picks the other record's value,
    // Tab to the reason (the free value box is disabled until chosen), Tab to the button, Enter.
    await card.getByRole('button', { name: /^处理/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).type).toBe('radio');
    await page.keyboard.press('ArrowDown');
    const label = `${String(other.value)}（计生 记录 ${other.sourceRecordIds[0]}）`;
    expect(other.sources[0]).toBe('family-planning');
    expect(await card.getByLabel(label).isChecked()).toBe(true);
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe(`conflict-${conflict!.id}-reason`);
    await page.keyboard.type('出生医学证明上是这一天');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'BUTTON', text: '确认处理' });
    await page.keyboard.press('Enter');

    // Resolved in place, with the decision; the heading takes the focus back.
    await expect.poll(() => card.getByText(`✓ 采用 ${label}`).isVisible()).toBe(true);
    expect(await card.getByText('已处理', { exact: true }).isVisible()).toBe(true);
    expect(await card.getByText('理由：出生医学证明上是这一天').isVisible()).toBe(true);
    expect(await page.getByRole('status').filter({ hasText: `已处理：出生日期不一致（居民 ${conflict!.residentId}）` }).isVisible()).toBe(true);
    expect((await focused(page)).tag).toBe('H2');
    await f.screenshot(page, 'conflicts-resolved');

    const resident = await get<{ golden: { birthDate: { value: string; rule: string; sourceRecordId: string } } }>(`/v1/residents/${conflict!.residentId}`);
    expect(resident.golden.birthDate).toMatchObject({ value: other.value, rule: 'auditor', sourceRecordId: other.sourceRecordIds[0] });
    expect((await get<Issue>(`/v1/conflicts/${conflict!.id}`)).status).toBe('resolved');
    decided.issueId = conflict!.id;

    // An alert is acknowledged with a reason.
    await page.getByLabel('类别').selectOption('alert');
    await page.getByLabel('类型').selectOption('deceased_receiving_allowance');
    const alert = page.getByRole('article').first();
    await expect.poll(() => alert.getByRole('heading', { name: /死亡但仍领取低保/ }).isVisible()).toBe(true);
    await alert.getByRole('button', { name: /^确认知悉/ }).click();
    await alert.getByRole('button', { name: '确认知悉', exact: true }).click();
    expect(await alert.getByRole('alert').textContent()).toBe('请填写理由。');
    await alert.getByLabel('理由（必填）').fill('已通知街道停发低保');
    await alert.getByRole('button', { name: '确认知悉', exact: true }).click();
    await expect.poll(() => alert.getByText('✓ 已确认知悉').isVisible()).toBe(true);
    await page.context().close();
  });

  it('island map: the chart and its table give the figures of GET /v1/stats/overlap; the quality table lists every department', async () => {
    const overlap = await get<Overlap>('/v1/stats/overlap');
    const page = await f.open('auditor', '#/stats');
    const table = page.getByRole('table', { name: '各系统组合的居民数' });
    await expect.poll(() => table.isVisible()).toBe(true);
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, tr.querySelector('td')!.textContent]));
    const expected = [...overlap.combinations]
      .sort((a, b) => b.residents - a.residents || a.sources.length - b.sources.length)
      .map((c) => {
        const names = [...c.sources].sort((x, y) => ORDER.indexOf(x) - ORDER.indexOf(y)).map((s) => SHORT[s]);
        return [names.length === 1 ? `仅${names[0]}` : names.join(' + '), c.residents.toLocaleString('zh-CN')];
      });
    expect(rows).toEqual(expected);
    const chart = page.getByRole('img', { name: /信息孤岛图/ });
    const chartText = await chart.evaluate((svg) => svg.textContent ?? '');
    for (const c of overlap.combinations) expect(chartText).toContain(c.residents.toLocaleString('zh-CN'));
    for (const p of overlap.perSource) expect(chartText).toContain(p.residents.toLocaleString('zh-CN'));
    expect(await page.getByText('居民总数').locator('..').textContent()).toContain(overlap.residents.toLocaleString('zh-CN'));
    const quality = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: '身份证号无效' }) });
    // The quality figures load on their own request.
    await expect.poll(() => quality.locator('tbody tr').count()).toBe(4);
    await f.screenshot(page, 'island-map');
    await page.context().close();
  });

  it('audit log: lists the review decision and the conflict resolution just made, newest first, filtered by action', async () => {
    expect(decided.reviewItemId && decided.issueId).toBeTruthy();
    const page = await f.open('auditor', '#/audit');
    const table = page.getByRole('table', { name: '审计日志条目' });
    await expect.poll(() => table.isVisible()).toBe(true);
    const seqs = (await table.locator('tbody tr td:first-child').allTextContents()).map(Number);
    expect(seqs.length).toBeGreaterThan(5);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    await f.screenshot(page, 'audit-log');

    await page.getByLabel('操作', { exact: true }).selectOption('review:decide');
    await page.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => hash(page)).toBe('#/audit?action=review%3Adecide');
    const decision = table.getByRole('row').filter({ hasText: `审核条目 ${decided.reviewItemId}` });
    await expect.poll(() => decision.count()).toBe(1);
    expect(await decision.textContent()).toMatch(/test auditor（审核员）.*审核决定.*成功/);
    expect(await decision.textContent()).toContain('decision: match');

    await page.getByLabel('操作', { exact: true }).selectOption('conflicts:resolve');
    await page.getByRole('button', { name: '查询' }).click();
    const resolution = table.getByRole('row').filter({ hasText: `冲突/预警 ${decided.issueId}` });
    await expect.poll(() => resolution.count()).toBe(1);
    expect(await resolution.textContent()).toContain('处理冲突与预警');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    await page.context().close();
  });
});
