import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../ingest/import-files.js';
import { linkNow } from '../linkage/link-now.js';
import { testContext } from '../testing/context.js';
import { redisUrlUnderTest, storesUnderTest } from '../testing/stores.js';
import { syntheticPoliceCsv } from '../testing/synthetic-csv.js';
import { NODE_FLAGS } from '../runtime-flags.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const postgres = storesUnderTest().find((s) => s.name === 'postgres');
const redisUrl = redisUrlUnderTest();

// Workers are separate processes sharing one database: only the real PostgreSQL and Redis
// can stand behind them (the embedded store belongs to one process).
describe.skipIf(!postgres || !redisUrl)('import jobs on BullMQ with real Redis', () => {
  const prefix = `rh-test-${randomBytes(4).toString('hex')}`;
  let ctx: Awaited<ReturnType<typeof testContext>>;
  let dir: string;
  const workers: ChildProcess[] = [];

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [...NODE_FLAGS, path.join(root, 'bin/resident-hub.mjs'), 'worker'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: ctx.config.databaseUrl,
        REDIS_URL: redisUrl,
        RH_QUEUE_PREFIX: prefix,
        // A killed worker's job is taken over quickly.
        RH_JOB_LOCK_MS: '2000',
        RH_JOB_STALLED_MS: '1000',
        // Longer than clustering keeps a link job's event loop busy here, short enough to wait for.
        RH_LINK_JOB_LOCK_MS: '10000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.push(child);
    return child;
  }

  beforeAll(async () => {
    ctx = await testContext(postgres!, { redisUrl, queuePrefix: prefix });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-worker-'));
  });

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await ctx?.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('finishes an import after its worker is killed mid-import, with no row missing and none twice', async () => {
    const rows = 30_000;
    const file = path.join(dir, 'police-big.csv');
    await fs.writeFile(file, syntheticPoliceCsv(rows));
    const first = startWorker();
    let killedAt = -1;
    let progressAfterKill = 0;
    const summary = await importFiles(ctx, 'police', [file], {}, (p) => {
      if (killedAt < 0 && p.rowsDone >= 8_000) {
        killedAt = p.rowsDone;
        first.kill('SIGKILL');
        startWorker();
      } else if (killedAt >= 0) {
        progressAfterKill++;
      }
    });
    expect(killedAt).toBeGreaterThanOrEqual(8_000);
    expect(first.signalCode).toBe('SIGKILL');
    expect(progressAfterKill).toBeGreaterThan(0);
    expect(summary.batch!.status).toBe('completed');
    expect(summary.batch!.rowsAccepted).toBe(rows);
    const counts = await sql<{ total: string; distinct_rows: string }>`
      select count(*) as total, count(distinct (file_sha256, row_number)) as distinct_rows from source_record`.execute(ctx.db);
    expect(Number(counts.rows[0]!.total)).toBe(rows);
    expect(Number(counts.rows[0]!.distinct_rows)).toBe(rows);
  });

  it('several workers share the queue; a repeated request is a no-op', async () => {
    startWorker();
    const files = await Promise.all(
      [1, 2].map(async (i) => {
        const file = path.join(dir, `police-part-${i}.csv`);
        await fs.writeFile(file, syntheticPoliceCsv(3_000, 1000 * i));
        return file;
      }),
    );
    const [a, b] = await Promise.all(files.map((f) => importFiles(ctx, 'police', [f], { partial: true })));
    expect(a!.batch!.status).toBe('completed');
    expect(b!.batch!.status).toBe('completed');
    const again = await importFiles(ctx, 'police', [files[0]!], { partial: true });
    expect(again.noOp).toBe(true);
  });

  it('links on a worker: a worker killed mid-link is replaced, and every record ends linked once; callers asking at once join one run', async () => {
    const first = startWorker();
    let killed = false;
    const summary = await linkNow(ctx, {}, (p) => {
      if (!killed && p.stage === 'reading') {
        killed = true;
        for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
        startWorker();
      }
    });
    expect(killed).toBe(true);
    expect(first.signalCode).toBe('SIGKILL');
    expect(summary.noOp).toBe(false);
    const counts = await sql<{ records: string; links: string; distinct_links: string; runs: string }>`
      select (select count(*) from source_record) as records, (select count(*) from resident_link) as links,
        (select count(distinct source_record_id) from resident_link) as distinct_links,
        (select count(*) from link_run where status = 'done') as runs`.execute(ctx.db);
    expect(counts.rows[0]!.links).toBe(counts.rows[0]!.records);
    expect(counts.rows[0]!.distinct_links).toBe(counts.rows[0]!.records);
    expect(counts.rows[0]!.runs).toBe('1');

    const more = path.join(dir, 'police-part-3.csv');
    await fs.writeFile(more, syntheticPoliceCsv(500, 7_000));
    await importFiles(ctx, 'police', [more], { partial: true });
    const [a, b] = await Promise.all([linkNow(ctx), linkNow(ctx)]);
    expect(a.runId).not.toBeNull();
    expect(b.runId).toBe(a.runId);
  });
});
