/**
 * Ingest benchmark: the seed report's whole district (262,103 residents) imported into
 * PostgreSQL, once with every export as CSV, once as .xlsx, once as .xls. Reports rows/s per
 * source and the peak RSS of each run (each format runs in a fresh process).
 *
 *   npm run bench:ingest [-- --people 262103 --seed 4242 --formats csv,xlsx,xls]
 *
 * Needs DATABASE_URL (a PostgreSQL server; each run creates and drops its own database);
 * defaults to this machine's postgres://postgres@127.0.0.1:5432/postgres.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { NODE_FLAGS } from '../src/runtime-flags.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface SourceResult {
  source: string;
  files: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

interface RunResult {
  format: string;
  sources: SourceResult[];
  totalRows: number;
  totalSeconds: number;
  peakRssMb: number;
}

async function runOne(format: string, districtDir: string, databaseUrl: string): Promise<RunResult> {
  const { createContext } = await import('../src/context.js');
  const { loadConfig } = await import('../src/config.js');
  const { importFiles } = await import('../src/ingest/import-files.js');
  const manifest = JSON.parse(fs.readFileSync(path.join(districtDir, 'manifest.json'), 'utf8')) as {
    files: { source: string; file: string; dataRows: number }[];
  };
  const name = `rh_bench_${format}_${process.pid}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const ctx = await createContext({ ...loadConfig({}), databaseUrl: url.toString() });
  const sources: SourceResult[] = [];
  try {
    for (const source of ['police', 'family-planning', 'floating-population', 'minimum-allowance'] as const) {
      const files = manifest.files.filter((f) => f.source === source);
      const started = process.hrtime.bigint();
      const summary = await importFiles(ctx, source, files.map((f) => path.join(districtDir, f.file)));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rows = summary.batch?.rowsRead ?? 0;
      const expected = files.reduce((n, f) => n + f.dataRows, 0);
      if (rows !== expected || summary.batch?.rowsRejected) {
        throw new Error(`${source}: read ${rows} rows (expected ${expected}), rejected ${summary.batch?.rowsRejected}`);
      }
      sources.push({ source, files: files.length, rows, seconds, rowsPerSecond: rows / seconds });
    }
  } finally {
    await ctx.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  const totalRows = sources.reduce((n, s) => n + s.rows, 0);
  const totalSeconds = sources.reduce((n, s) => n + s.seconds, 0);
  return { format, sources, totalRows, totalSeconds, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '262103' },
      seed: { type: 'string', default: '4242' },
      formats: { type: 'string', default: 'csv,xlsx,xls' },
      'run-one': { type: 'string' },
      district: { type: 'string' },
    },
  });
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  if (values['run-one']) {
    const result = await runOne(values['run-one'], values.district!, databaseUrl);
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const people = Number(values.people);
  const seed = Number(values.seed);
  const { generateDistrict } = await import('../fixtures/generator/index.js');
  const results: RunResult[] = [];
  for (const format of values.formats.split(',')) {
    const districtDir = path.join(root, 'fixtures/generated', `bench-${format}-${seed}-${people}`);
    if (!fs.existsSync(path.join(districtDir, 'manifest.json'))) {
      process.stderr.write(`generating ${people} residents as ${format} in ${districtDir}\n`);
      await generateDistrict({ people, seed, outDir: districtDir, format: format as 'csv' | 'xlsx' | 'xls' });
    }
    process.stderr.write(`importing the ${format} district into PostgreSQL…\n`);
    // A fresh process per format, so that each peak RSS is its own.
    const child = spawnSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', fileURLToPath(import.meta.url), '--run-one', format, '--district', districtDir], {
      cwd: root,
      encoding: 'utf8',
      env: process.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (child.status !== 0 || !line) {
      process.stderr.write(child.stderr);
      throw new Error(`the ${format} run failed`);
    }
    const result = JSON.parse(line.slice('RESULT '.length)) as RunResult;
    process.stderr.write(`${format}: ${result.totalRows} rows in ${result.totalSeconds.toFixed(1)} s, peak RSS ${Math.round(result.peakRssMb)} MB\n`);
    results.push(result);
  }

  const lines = [
    `Ingest into PostgreSQL, ${people.toLocaleString('en-US')} residents (seed ${seed}), ${new Date().toISOString().slice(0, 10)}, node ${process.version}`,
    '',
    '| format | source | files | rows | seconds | rows/s | peak RSS (MB) |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    for (const s of r.sources) {
      lines.push(`| ${r.format} | ${s.source} | ${s.files} | ${s.rows.toLocaleString('en-US')} | ${s.seconds.toFixed(1)} | ${Math.round(s.rowsPerSecond).toLocaleString('en-US')} | |`);
    }
    lines.push(
      `| **${r.format}** | **all** | | **${r.totalRows.toLocaleString('en-US')}** | **${r.totalSeconds.toFixed(1)}** | **${Math.round(r.totalRows / r.totalSeconds).toLocaleString('en-US')}** | **${Math.round(r.peakRssMb)}** |`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
