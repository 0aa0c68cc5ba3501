import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiFixture, type UiFixture } from './harness.js';

describe('the web UI shell in Chromium', () => {
  let f: UiFixture;
  beforeAll(async () => {
    f = await uiFixture();
  }, 180_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('signs in with a key, in Simplified Chinese first, switches to English, and signs out', async () => {
    const page = await f.open(null);
    await expect.poll(() => page.getByRole('heading', { name: '登录' }).isVisible()).toBe(true);
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    await page.getByLabel('API 密钥').fill('rhk_not-a-key');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('密钥无效');
    await f.screenshot(page, 'sign-in');

    await page.getByLabel('API 密钥').fill(f.api.keys.auditor);
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('navigation', { name: '主导航' }).isVisible()).toBe(true);
    const nav = await page.getByRole('navigation', { name: '主导航' }).getByRole('link').allTextContents();
    expect(nav).toEqual(['居民查询', '数据导入', '待审核匹配', '冲突与预警', '信息孤岛图', '审计日志']);

    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getByRole('navigation', { name: 'Main navigation' }).isVisible()).toBe(true);
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    await page.context().close();
  });

  it('offers each role only its pages', async () => {
    const page = await f.open('community');
    await expect.poll(() => page.getByRole('navigation', { name: '主导航' }).isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: '主导航' }).getByRole('link').allTextContents()).toEqual(['居民查询', '信息孤岛图']);
    await page.goto(`${f.baseUrl}/#/audit`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('无权');
    await page.context().close();
  });
});
