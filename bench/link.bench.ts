/**
 * End-to-end linkage benchmark: the seed report's whole district (262,103 residents, about
 * 380,000 source rows, in the formats the departments deliver) imported into PostgreSQL and
 * linked; then a batch of 1,000 new floating-population rows imported and linked against it.
 * Reports the time of each stage, peak RSS, and the accuracy against the generator's truth.
 *
 *   npm run bench:link [-- --people 262103 --seed 4242 --store postgres|pglite]
 *
 * Needs DATABASE_URL for the postgres store (default postgres://postgres@127.0.0.1:5432/postgres;
 * a database of its own is created and dropped). The district is generated once and cached
 * under fixtures/generated/.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { NODE_FLAGS } from '../src/runtime-flags.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 1_000;

interface Manifest {
  files: { source: string; file: string; dataRows: number; headerRow: number; format: string }[];
  counts: { totalRows: number };
}

interface Result {
  store: string;
  rows: number;
  importSeconds: Record<string, number>;
  linkSeconds: number;
  linkTimings: Record<string, number>;
  totalSeconds: number;
  batchImportSeconds: number;
  batchLinkSeconds: number;
  batchCompared: number;
  batchTimings: Record<string, number>;
  peakRssMb: number;
  residents: number;
  precision: number;
  recall: number;
  overMerged: number;
  split: number;
}

/** Moves the last BATCH data rows of the floating-population CSV into a file of their own (with a truth for them). */
function prepareBatch(districtDir: string, manifest: Manifest): { mainFile: string; batchFile: string; truthFile: string } {
  const work = path.join(districtDir, 'link-bench');
  const floating = manifest.files.find((f) => f.source === 'floating-population' && f.format === 'csv');
  if (!floating) throw new Error('the district has no floating-population CSV');
  const mainFile = path.join(work, 'floating-population.csv');
  const batchFile = path.join(work, 'floating-population-new.csv');
  const truthFile = path.join(work, 'truth.csv');
  if (fs.existsSync(truthFile)) return { mainFile, batchFile, truthFile };
  fs.mkdirSync(work, { recursive: true });
  const text = fs.readFileSync(path.join(districtDir, floating.file), 'utf8');
  const lines = text.split(/\r\n/);
  if (lines.at(-1) === '') lines.pop();
  const head = lines.slice(0, floating.headerRow);
  const data = lines.slice(floating.headerRow);
  const kept = data.slice(0, data.length - BATCH);
  const moved = data.slice(data.length - BATCH);
  fs.writeFileSync(mainFile, [...head, ...kept].join('\r\n') + '\r\n');
  fs.writeFileSync(batchFile, [...head, ...moved].join('\r\n') + '\r\n');
  // The truth, with the moved rows under their new file and row.
  const truth = fs.readFileSync(path.join(districtDir, 'truth.csv'), 'utf8').split(/\r?\n/);
  const out = [truth[0]];
  const firstMoved = floating.headerRow + kept.length + 1;
  for (const line of truth.slice(1)) {
    if (!line) continue;
    const [source, file, row, person] = line.split(',');
    if (source === 'floating-population' && file === floating.file && Number(row) >= firstMoved) {
      out.push(`${source},floating-population-new.csv,${Number(row) - kept.length},${person}`);
    } else if (source === 'floating-population' && file === floating.file) {
      out.push(`${source},floating-population.csv,${row},${person}`);
    } else out.push(line);
  }
  fs.writeFileSync(truthFile, out.join('\n') + '\n');
  return { mainFile, batchFile, truthFile };
}

async function runOne(districtDir: string, store: string, databaseUrl: string): Promise<Result> {
  const { createContext } = await import('../src/context.js');
  const { loadConfig } = await import('../src/config.js');
  const { importFiles } = await import('../src/ingest/import-files.js');
  const { linkNow } = await import('../src/linkage/link-now.js');
  const { evaluateStoredLinks } = await import('../src/linkage/evaluate-links.js');
  const { statsRepository } = await import('../src/golden/stats.repository.js');
  const manifest = JSON.parse(fs.readFileSync(path.join(districtDir, 'manifest.json'), 'utf8')) as Manifest;
  const batch = prepareBatch(districtDir, manifest);

  const name = `rh_bench_link_${process.pid}`;
  const admin = store === 'postgres' ? new pg.Client({ connectionString: databaseUrl }) : null;
  let config = { ...loadConfig({}), dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'rh-bench-link-')) };
  if (admin) {
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    config = { ...config, databaseUrl: url.toString() };
  }
  const ctx = await createContext(config);
  try {
    const started = process.hrtime.bigint();
    const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
    const importSeconds: Record<string, number> = {};
    let rows = 0;
    for (const source of ['police', 'family-planning', 'floating-population', 'minimum-allowance'] as const) {
      const files = source === 'floating-population' ? [batch.mainFile] : manifest.files.filter((f) => f.source === source).map((f) => path.join(districtDir, f.file));
      const t = process.hrtime.bigint();
      const summary = await importFiles(ctx, source, files);
      importSeconds[source] = seconds(t);
      rows += summary.batch?.rowsAccepted ?? 0;
      process.stderr.write(`  ${source}: ${summary.batch?.rowsAccepted} rows in ${importSeconds[source]!.toFixed(1)} s\n`);
    }
    const linkStarted = process.hrtime.bigint();
    const link = await linkNow(ctx);
    const linkSeconds = seconds(linkStarted);
    const totalSeconds = seconds(started);
    process.stderr.write(`  linked in ${linkSeconds.toFixed(1)} s; end to end ${totalSeconds.toFixed(1)} s\n`);

    const batchStarted = process.hrtime.bigint();
    await importFiles(ctx, 'floating-population', [batch.batchFile], { partial: true });
    const batchImportSeconds = seconds(batchStarted);
    const batchLinkStarted = process.hrtime.bigint();
    const incremental = await linkNow(ctx);
    const batchLinkSeconds = seconds(batchLinkStarted);
    if (incremental.mode !== 'incremental') throw new Error(`the batch was linked as ${incremental.mode}`);
    process.stderr.write(`  batch of ${BATCH}: imported in ${batchImportSeconds.toFixed(2)} s, linked in ${batchLinkSeconds.toFixed(2)} s\n`);

    const evaluation = await evaluateStoredLinks(ctx.db, batch.truthFile);
    const stats = await statsRepository.overlap(ctx.db);
    return {
      store,
      rows,
      importSeconds,
      linkSeconds,
      linkTimings: link.timings,
      totalSeconds,
      batchImportSeconds,
      batchLinkSeconds,
      batchCompared: incremental.recordsCompared,
      batchTimings: incremental.timings,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      residents: stats.residents,
      precision: evaluation.precision,
      recall: evaluation.recall,
      overMerged: evaluation.overMergedClusters,
      split: evaluation.splitPersons,
    };
  } finally {
    await ctx.close();
    if (admin) {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '262103' },
      seed: { type: 'string', default: '4242' },
      store: { type: 'string', default: 'postgres' },
      'run-one': { type: 'string' },
    },
  });
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  if (values['run-one']) {
    const result = await runOne(values['run-one'], values.store, databaseUrl);
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const people = Number(values.people);
  const seed = Number(values.seed);
  const districtDir = path.join(root, 'fixtures/generated', `bench-mixed-${seed}-${people}`);
  if (!fs.existsSync(path.join(districtDir, 'manifest.json'))) {
    process.stderr.write(`generating ${people} residents (seed ${seed}) in ${districtDir}\n`);
    const { generateDistrict } = await import('../fixtures/generator/index.js');
    await generateDistrict({ people, seed, outDir: districtDir, format: 'mixed' });
  }
  process.stderr.write(`importing and linking on ${values.store}…\n`);
  // A fresh process, so that the peak RSS is the run's own.
  const child = spawnSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', fileURLToPath(import.meta.url), '--run-one', districtDir, '--store', values.store], {
    cwd: root,
    encoding: 'utf8',
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) throw new Error('the run failed');
  const r = JSON.parse(line.slice('RESULT '.length)) as Result;
  const f = (v: number, d = 1) => v.toFixed(d);
  const lines = [
    `Import and link on ${r.store}, ${people.toLocaleString('en-US')} residents (seed ${seed}), ${r.rows.toLocaleString('en-US')} rows, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} cores`,
    '',
    '| stage | seconds |',
    '|---|---:|',
    ...Object.entries(r.importSeconds).map(([s, v]) => `| import ${s} | ${f(v)} |`),
    `| link (full, first run) | ${f(r.linkSeconds)} |`,
    `| **end to end** | **${f(r.totalSeconds)}** |`,
    `| batch of ${BATCH} new rows: import | ${f(r.batchImportSeconds, 2)} |`,
    `| batch of ${BATCH} new rows: link (${r.batchCompared.toLocaleString('en-US')} records compared) | **${f(r.batchLinkSeconds, 2)}** |`,
    '',
    `peak RSS ${Math.round(r.peakRssMb)} MB; ${r.residents.toLocaleString('en-US')} residents; precision ${r.precision.toFixed(5)}, recall ${r.recall.toFixed(5)}, over-merged ${r.overMerged}, split ${r.split}`,
    `link stages (s): ${Object.entries(r.linkTimings)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `batch link stages (s): ${Object.entries(r.batchTimings)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
