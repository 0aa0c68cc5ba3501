/**
 * API benchmark: the seed report's whole district (262,103 residents) imported and linked into
 * PostgreSQL, the API served on loopback in a process of its own, and autocannon measuring
 *  - ID-number lookup (GET /v1/residents?id_number=…, a different resident each request),
 *  - name search (GET /v1/residents?name=…, names of the district),
 *  - a Fastify hello-world in another process, as the machine's ceiling in the same run.
 * Targets (issue 4): lookup ≥ 3,000 req/s with p99 ≤ 20 ms; name search p95 ≤ 50 ms.
 *
 *   npm run bench:api [-- --people 262103 --seed 4242 --duration 20 --connections 16 --reload --load-only]
 *
 * Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres). The loaded
 * district is kept in a database of its own (rh_bench_api_<seed>_<people>) and reused by later
 * runs; --reload builds it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { NODE_FLAGS } from '../src/runtime-flags.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Measure {
  name: string;
  requests: number;
  non2xx: number;
  errors: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** autocannon over `paths` (one after another, round robin), with our own latency record for p95. */
async function measure(name: string, base: string, paths: string[], headers: Record<string, string>, duration: number, connections: number): Promise<Measure> {
  const times: number[] = [];
  let next = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections,
        duration,
        headers,
        requests: [
          {
            setupRequest: (request) => {
              request.path = paths[next++ % paths.length]!;
              return request;
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => times.push(responseTime));
  });
  times.sort((a, b) => a - b);
  return {
    name,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    rps: result.requests.total / duration,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
  };
}

async function waitForHttp(url: string, child: ChildProcess, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

async function ensureDistrict(databaseUrl: string, dbName: string, people: number, seed: number, reload: boolean): Promise<string> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const url = new URL(databaseUrl);
  url.pathname = `/${dbName}`;
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [dbName])).rowCount === 1;
    if (exists && !reload) {
      const probe = new pg.Client({ connectionString: url.toString() });
      await probe.connect();
      try {
        const r = await probe.query(`select (select count(*) from resident where merged_into is null and version > 0) as residents, (select count(*) from link_run where status = 'done') as runs`);
        if (Number(r.rows[0].runs) > 0 && Number(r.rows[0].residents) > people * 0.9) {
          process.stderr.write(`reusing ${dbName}: ${r.rows[0].residents} residents\n`);
          return url.toString();
        }
      } catch {
        // an older or partial database: load it again
      } finally {
        await probe.end();
      }
    }
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`create database ${dbName}`);
  } finally {
    await admin.end();
  }
  const districtDir = path.join(root, 'fixtures/generated', `bench-csv-${seed}-${people}`);
  if (!fs.existsSync(path.join(districtDir, 'manifest.json'))) {
    process.stderr.write(`generating ${people} residents (seed ${seed}) in ${districtDir}\n`);
    const { generateDistrict } = await import('../fixtures/generator/index.js');
    await generateDistrict({ people, seed, outDir: districtDir, format: 'csv' });
  }
  const { createContext } = await import('../src/context.js');
  const { loadConfig } = await import('../src/config.js');
  const { importFiles } = await import('../src/ingest/import-files.js');
  const { linkNow } = await import('../src/linkage/link-now.js');
  const manifest = JSON.parse(fs.readFileSync(path.join(districtDir, 'manifest.json'), 'utf8')) as { files: { source: string; file: string }[] };
  const ctx = await createContext({ ...loadConfig({}), databaseUrl: url.toString(), redisUrl: undefined, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'rh-bench-api-')) });
  try {
    for (const source of ['police', 'family-planning', 'floating-population', 'minimum-allowance'] as const) {
      const files = manifest.files.filter((f) => f.source === source).map((f) => path.join(districtDir, f.file));
      process.stderr.write(`importing ${source}…\n`);
      await importFiles(ctx, source, files);
    }
    process.stderr.write('linking…\n');
    await linkNow(ctx);
  } finally {
    await ctx.close();
  }
  return url.toString();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '262103' },
      seed: { type: 'string', default: '4242' },
      duration: { type: 'string', default: '20' },
      connections: { type: 'string', default: '16' },
      reload: { type: 'boolean', default: false },
      'load-only': { type: 'boolean', default: false },
    },
  });
  const people = Number(values.people);
  const seed = Number(values.seed);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbUrl = await ensureDistrict(databaseUrl, `rh_bench_api_${seed}_${people}`, people, seed, values.reload);
  if (values['load-only']) return;

  // A key and the requests' values, straight from the database.
  const { createContext } = await import('../src/context.js');
  const { loadConfig } = await import('../src/config.js');
  const { createKey } = await import('../src/access/keys.service.js');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-bench-api-serve-'));
  const ctx = await createContext({ ...loadConfig({}), databaseUrl: dbUrl, redisUrl: undefined, dataDir });
  let key: string;
  let idNumbers: string[];
  let names: string[];
  try {
    key = (await createKey(ctx.db, { role: 'police', name: 'bench:api' })).key;
    const { sql } = await import('kysely');
    idNumbers = (await sql<{ id_number: string }>`select id_number from resident where id_number is not null and merged_into is null order by md5(id::text) limit 5000`.execute(ctx.db)).rows.map((r) => r.id_number);
    names = (await sql<{ name: string }>`select name from resident where name is not null and merged_into is null order by md5(id::text || 'n') limit 2000`.execute(ctx.db)).rows.map((r) => r.name);
  } finally {
    await ctx.close();
  }

  const apiPort = 3917;
  const helloPort = 3918;
  const api = spawn(process.execPath, [...NODE_FLAGS, path.join(root, 'bin/resident-hub.mjs'), 'serve'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: dbUrl, REDIS_URL: '', PORT: String(apiPort), DATA_DIR: dataDir, RH_RATE_LIMIT_MAX: '1000000000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const hello = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/hello-server.ts')], { cwd: root, env: { ...process.env, PORT: String(helloPort) }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitForHttp(`http://127.0.0.1:${apiPort}/health`, api);
    await waitForHttp(`http://127.0.0.1:${helloPort}/hello`, hello);
    const auth = { authorization: `Bearer ${key}` };
    const lookupPaths = idNumbers.map((id) => `/v1/residents?id_number=${encodeURIComponent(id)}`);
    const namePaths = names.map((n) => `/v1/residents?name=${encodeURIComponent(n)}`);
    // Warm up (JIT, connection pool, caches), then measure.
    await measure('warm-up', `http://127.0.0.1:${apiPort}`, lookupPaths, auth, 3, connections);
    await measure('warm-up', `http://127.0.0.1:${apiPort}`, namePaths, auth, 3, connections);
    const results = [
      await measure('Fastify hello-world (baseline)', `http://127.0.0.1:${helloPort}`, ['/hello'], {}, duration, connections),
      await measure('ID-number lookup', `http://127.0.0.1:${apiPort}`, lookupPaths, auth, duration, connections),
      await measure('name search', `http://127.0.0.1:${apiPort}`, namePaths, auth, duration, connections),
    ];
    const f1 = (v: number) => v.toFixed(1);
    const lines = [
      `API on PostgreSQL, ${people.toLocaleString('en-US')} residents (seed ${seed}), ${connections} connections × ${duration} s each, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} cores`,
      '',
      '| endpoint | requests | non-2xx | req/s | p50 ms | p95 ms | p99 ms |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...results.map((r) => `| ${r.name} | ${r.requests.toLocaleString('en-US')} | ${r.non2xx + r.errors} | ${Math.round(r.rps).toLocaleString('en-US')} | ${f1(r.p50)} | ${f1(r.p95)} | ${f1(r.p99)} |`),
      '',
      `Targets: lookup ≥ 3,000 req/s with p99 ≤ 20 ms; name search p95 ≤ 50 ms.`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    api.kill('SIGTERM');
    hello.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
