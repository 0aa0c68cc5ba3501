/**
 * End-to-end harness: the API and UI served over a linked synthetic district (the demo's seed),
 * Debian's Chromium driven by playwright-core, screenshots at 1366×768 in test-output/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Role } from '../../src/access/roles.js';
import { apiFixture, type ApiFixture } from '../../src/api/test-support.js';
import { storesUnderTest } from '../../src/testing/stores.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = path.join(root, 'test-output/screenshots');
/** The demo command's seed (src/cli/main.ts), at a size a test can load in seconds. */
export const DEMO_SEED = 20_261_031;

export interface UiFixture {
  api: ApiFixture;
  baseUrl: string;
  browser: Browser;
  /** A new page at 1366×768, signed in as `role` (or at the sign-in form when null), in Simplified Chinese unless `lang` says otherwise. */
  open(role: Role | null, hash?: string, lang?: 'zh-CN' | 'en'): Promise<Page>;
  screenshot(page: Page, name: string): Promise<string>;
  dispose(): Promise<void>;
}

function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error('no Chromium: install Debian\'s chromium (apt-get install chromium, as .ci/run does) or set CHROMIUM_PATH');
  return found;
}

export async function uiFixture(options: { people?: number } = {}): Promise<UiFixture> {
  // PostgreSQL when the tests have it (as CI does), else the embedded store.
  const store = storesUnderTest().at(-1)!;
  const api = await apiFixture(store, { people: options.people ?? 600, seed: DEMO_SEED });
  const baseUrl = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    api,
    baseUrl,
    browser,
    async open(role, hash = '', lang = 'zh-CN') {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: lang === 'en' ? 'en-US' : 'zh-CN', acceptDownloads: true });
      const page = await context.newPage();
      // Before the app's own script: the key as a sign-in leaves it, and the language.
      const key = role ? `sessionStorage.setItem('rh-key', ${JSON.stringify(api.keys[role])});` : `sessionStorage.removeItem('rh-key');`;
      await page.addInitScript(`${key} localStorage.setItem('rh-lang', ${JSON.stringify(lang)});`);
      await page.goto(`${baseUrl}/${hash ? `#${hash.replace(/^#/, '')}` : ''}`);
      return page;
    },
    async screenshot(page, name) {
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      return file;
    },
    async dispose() {
      await browser.close();
      await api.dispose();
    },
  };
}
