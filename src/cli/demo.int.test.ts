import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../runtime-flags.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The README's first command on the embedded store: import, link, a key per role, then the UI and API served. */
describe('resident-hub demo', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-demo-'));
  });
  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('imports and links the demo district, prints a key per role, and serves the UI and API until Ctrl-C', async () => {
    const child = spawn(process.execPath, [...NODE_FLAGS, path.join(root, 'bin/resident-hub.mjs'), 'demo', '--people', '60'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    try {
      // PORT=0: the system picks a free port and the demo prints the one it got.
      const deadline = Date.now() + 150_000;
      while (exitCode === undefined && Date.now() < deadline && !/listening on http:\/\/localhost:\d+/.test(stdout)) await new Promise((r) => setTimeout(r, 100));
      expect(stdout, `the demo did not serve (exit ${exitCode}); stderr:\n${stderr}`).toMatch(/listening on http:\/\/localhost:[1-9]\d*/);
      const port = Number(/listening on http:\/\/localhost:(\d+)/.exec(stdout)![1]);
      const keys = [...stdout.matchAll(/^\s*(police|family-planning|civil-affairs|community|auditor|admin)\s+(rhk_[A-Za-z0-9_-]{43})\s*$/gm)];
      expect(keys.map((k) => k[1])).toEqual(['police', 'family-planning', 'civil-affairs', 'community', 'auditor', 'admin']);
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');
      const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${keys.find((k) => k[1] === 'auditor')![2]}` } });
      expect(((await me.json()) as { role: string }).role).toBe('auditor');
      const stats = await fetch(`${base}/v1/stats/overlap`, { headers: { authorization: `Bearer ${keys[0]![2]}` } });
      expect(((await stats.json()) as { residents: number }).residents).toBeGreaterThan(40);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 180_000);
});
