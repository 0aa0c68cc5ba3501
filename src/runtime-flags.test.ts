import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS, YOUNG_GENERATION_MB } from './runtime-flags.js';
import { projectRoot } from './testing/cli.js';

const read = (file: string) => fs.readFileSync(path.join(projectRoot, file), 'utf8');

describe('NODE_FLAGS', () => {
  it('are what the CLI starts with, however it is started', () => {
    const flags = NODE_FLAGS.join(' ');
    expect(read('bin/resident-hub.mjs').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    expect(read('Dockerfile')).toContain(`ENTRYPOINT ${JSON.stringify(['node', ...NODE_FLAGS, 'bin/resident-hub.mjs'])}`.replaceAll('","', '", "'));
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.demo).toBe(`node ${flags} bin/resident-hub.mjs demo`);
  });

  it('are passed by every benchmark that starts a process', () => {
    for (const bench of ['bench/ingest.bench.ts', 'bench/link.bench.ts', 'bench/api.bench.ts']) {
      const text = read(bench);
      const starts = text.match(/spawn(Sync)?\(process\.execPath, \[[^\]]*/g) ?? [];
      expect(starts.length, bench).toBeGreaterThan(0);
      // The hello-world server of the API benchmark is the machine's ceiling, not resident-hub.
      for (const start of starts.filter((s) => !s.includes('hello-server'))) expect(start, bench).toContain('...NODE_FLAGS');
    }
  });
});

/**
 * The largest new space (MB) the isolate reaches while everything it allocates survives: V8
 * grows the new space to its maximum when most objects outlive a collection.
 */
const PROBE = `((v8) => {
  const keep = [];
  let max = 0;
  for (let i = 0; i < 1.5e6; i++) {
    keep.push({ i, s: 'x' + i });
    if (i % 20000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space').space_size);
  }
  return max / 1048576;
})`;

describe('young generations', () => {
  it('the main thread has the flags’ one; a worker V8’s default, or what its resourceLimits ask for', () => {
    // A process started as resident-hub is, starting its workers as resident-hub does.
    const script = `
      import v8 from 'node:v8';
      import { startWorker } from './src/worker-bundle.ts';
      const probe = ${JSON.stringify(PROBE)};
      const size = (options) => new Promise((resolve, reject) => {
        const worker = startWorker({ kind: 'bundled', code: 'require("node:worker_threads").parentPort.postMessage(' + probe + '(require("node:v8")))' }, options);
        worker.once('message', (mb) => { void worker.terminate(); resolve(mb); });
        worker.once('error', reject);
      });
      const main = (0, eval)(probe)(v8);
      const plain = await size({ execArgv: [] });
      const asked = await size({ execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: ${YOUNG_GENERATION_MB} } });
      console.log(JSON.stringify({ main, plain, asked }));`;
    const out = execFileSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, encoding: 'utf8' });
    const sizes = JSON.parse(out.trim().split('\n').at(-1)!) as { main: number; plain: number; asked: number };
    // 2 × 64 MB semi-spaces; V8's default is at most 2 × 16 MB (less on a machine with little memory).
    expect({ main: sizes.main, asked: sizes.asked }).toEqual({ main: 128, asked: 128 });
    expect(sizes.plain).toBeLessThanOrEqual(32);
  });
});
