import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from './runtime-flags.js';
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
