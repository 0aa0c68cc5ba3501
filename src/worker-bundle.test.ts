import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledWorker, startWorker, type WorkerSource } from './worker-bundle.js';

async function runWorker(source: WorkerSource): Promise<unknown> {
  const worker = startWorker(source, { execArgv: [] });
  const message = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  return message;
}

describe('bundledWorker', () => {
  it('bundles a worker and its imports into one file that runs the same, with stubbed packages empty', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-bundle-'));
    try {
      await fs.writeFile(path.join(dir, 'helper.mjs'), 'export const answer = 42;\n');
      await fs.writeFile(
        path.join(dir, 'entry.mjs'),
        [
          "import { parentPort } from 'node:worker_threads';",
          "import { answer } from './helper.mjs';",
          "import unzipper from 'unzipper';",
          'parentPort.postMessage({ answer, stubKeys: Object.keys(unzipper) });',
        ].join('\n'),
      );
      const entry = pathToFileURL(path.join(dir, 'entry.mjs'));
      const source = await bundledWorker(entry, ['unzipper']);
      expect(await bundledWorker(entry, ['unzipper'])).toBe(source); // once per process
      if (source.kind !== 'bundled') throw new Error('not bundled');
      // One script: the helper is inside it, not imported.
      expect(source.code).not.toMatch(/require\(["']\.\/helper\.mjs["']\)|from ["']\.\/helper\.mjs["']/);
      expect(source.code).toContain('42');
      expect(await runWorker(source)).toEqual({ answer: 42, stubKeys: [] });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('falls back to the sources when the worker cannot be bundled', async () => {
    const missing = pathToFileURL(path.join(os.tmpdir(), 'rh-no-such-worker.mjs'));
    expect(await bundledWorker(missing)).toEqual({ kind: 'file', url: missing });
  });
});
