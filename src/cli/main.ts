import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SOURCE_NAMES, isSourceName } from '../../adapters/types.js';
import { loadConfig } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { AppError, ErrorCodes, isAppError } from '../errors.js';
import { importFiles, summarizeBatch, type ImportSummary } from '../ingest/import-files.js';
import { importRepository } from '../ingest/import.repository.js';
import { startImportWorker } from '../jobs/runner.js';
import { csvLine } from './csv.js';
import { formatImportSummary, table } from './format.js';
import { progressPrinter } from './progress.js';

const USAGE = `resident-hub — one golden resident record across the district's population registries

Usage:
  resident-hub demo [--people N] [--seed S]      generate the synthetic demo district and import it
  resident-hub import --source SOURCE [--partial] [--json] FILE…
                                                 import one department's export files
  resident-hub imports [--source SOURCE] [--json] list import batches
  resident-hub rejects BATCH --out FILE.csv      write a batch's rejected rows with their reasons
  resident-hub migrate                           bring the database schema up to date
  resident-hub serve                             serve the API on PORT (default 3000): /health, /ready
  resident-hub worker [--concurrency N]          process queued jobs (needs REDIS_URL)

SOURCE is one of: ${SOURCE_NAMES.join(', ')}
Environment: DATABASE_URL (PostgreSQL; default: embedded database in DATA_DIR, ./data),
             REDIS_URL (job queue; default: jobs run in this process), DATA_DIR, PORT.`;

type Command = (args: string[]) => Promise<number>;

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new AppError(ErrorCodes.USAGE, `${(err as Error).message}\n\n${USAGE}`);
  }
}

async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await createContext(loadConfig());
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

const commands: Record<string, Command> = {
  async import(args) {
    const { values, positionals } = parse(args, {
      source: { type: 'string', short: 's' },
      partial: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    });
    const source = values.source;
    if (!source) throw new AppError(ErrorCodes.USAGE, `--source is required (${SOURCE_NAMES.join(', ')})`);
    if (!isSourceName(source)) throw new AppError(ErrorCodes.UNKNOWN_SOURCE, `unknown source "${source}"; expected one of: ${SOURCE_NAMES.join(', ')}`);
    if (!positionals.length) throw new AppError(ErrorCodes.USAGE, 'no files given: resident-hub import --source SOURCE FILE…');
    return withContext(async (ctx) => {
      const progress = progressPrinter();
      let summary: ImportSummary;
      try {
        summary = await importFiles(ctx, source, positionals, { partial: values.partial }, (p) => progress.update(p));
      } finally {
        progress.done();
      }
      print(values.json ? JSON.stringify(summary, null, 2) : formatImportSummary(summary));
      return summary.batch?.status === 'failed' ? 1 : 0;
    });
  },

  async imports(args) {
    const { values } = parse(args, { source: { type: 'string' }, json: { type: 'boolean', default: false } }, false);
    return withContext(async (ctx) => {
      const batches = await importRepository.listBatches(ctx.db, { source: values.source });
      const summaries = await Promise.all(batches.map((b) => summarizeBatch(ctx, b)));
      if (values.json) {
        print(JSON.stringify(summaries, null, 2));
        return 0;
      }
      if (!summaries.length) {
        print('no imports yet');
        return 0;
      }
      const rows: (string | number)[][] = [['batch', 'source', 'status', 'files', 'rows read', 'accepted', 'rejected', 'IDs flagged', 'finished']];
      for (const s of summaries) {
        rows.push([s.id, s.source, s.status, s.files.length, s.rowsRead, s.rowsAccepted, s.rowsRejected, s.idsFlagged, s.finishedAt?.replace('T', ' ').slice(0, 19) ?? '']);
      }
      print(table(rows, [true, false, false, true, true, true, true, true, false]));
      return 0;
    });
  },

  async rejects(args) {
    const { values, positionals } = parse(args, { out: { type: 'string', short: 'o' } });
    const batchId = positionals[0];
    if (!batchId || !/^\d+$/.test(batchId)) throw new AppError(ErrorCodes.USAGE, 'usage: resident-hub rejects BATCH --out FILE.csv');
    if (!values.out) throw new AppError(ErrorCodes.USAGE, '--out FILE.csv is required');
    const out = values.out;
    return withContext(async (ctx) => {
      const batch = await importRepository.getBatch(ctx.db, batchId);
      if (!batch) throw new AppError(ErrorCodes.BATCH_NOT_FOUND, `import batch ${batchId} not found (see: resident-hub imports)`);
      const rows = await importRepository.rejectedRows(ctx.db, batchId);
      // Columns in the order the files had them (jsonb does not keep key order).
      const files = await importRepository.filesOfBatch(ctx.db, batchId);
      const fileOrder = files.flatMap((f) => (Array.isArray(f.headers) ? (f.headers as string[]) : []));
      const used = new Set(rows.flatMap((row) => Object.keys(row.raw)));
      const rawHeaders = [...new Set([...fileOrder.filter((h) => used.has(h)), ...used])];
      // A BOM so that Excel on Windows opens the Chinese text as UTF-8.
      let text = '\ufeff' + csvLine(['file', 'row', 'reasons', ...rawHeaders]);
      for (const row of rows) {
        const reasons = row.reasons.map((r) => `${r.code}: ${r.message}`).join('; ');
        text += csvLine([row.file_name, row.row_number, reasons, ...rawHeaders.map((h) => row.raw[h] ?? '')]);
      }
      await fs.writeFile(out, text, 'utf8');
      print(`${rows.length} rejected row(s) of batch ${batchId} written to ${out}`);
      return 0;
    });
  },

  async migrate() {
    return withContext(async (ctx) => {
      print(`database schema is up to date (${ctx.dbKind === 'pglite' ? `embedded, ${ctx.config.dataDir}` : 'PostgreSQL'})`);
      return 0;
    });
  },

  async serve() {
    const ctx = await createContext(loadConfig());
    const { serve } = await import('../api/server.js');
    const close = await serve(ctx);
    print(`resident-hub listening on http://localhost:${ctx.config.port}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await close();
    await ctx.close();
    return 0;
  },

  async worker(args) {
    const { values } = parse(args, { concurrency: { type: 'string', default: '1' } }, false);
    const config = loadConfig();
    if (!config.redisUrl) throw new AppError(ErrorCodes.CONFIG, 'the worker needs REDIS_URL: without Redis, jobs run inside the command that starts them');
    const ctx = await createContext(config);
    const worker = startImportWorker(ctx.store, {
      redisUrl: config.redisUrl,
      prefix: config.queuePrefix,
      concurrency: Number(values.concurrency) || 1,
      lockDurationMs: Number(process.env.RH_JOB_LOCK_MS) || undefined,
      stalledIntervalMs: Number(process.env.RH_JOB_STALLED_MS) || undefined,
      readerLimits: { maxRows: config.maxRowsPerFile },
    });
    worker.on('active', (job) => print(`job ${job.id} started`));
    worker.on('completed', (job) => print(`job ${job.id} completed`));
    worker.on('failed', (job, err) => print(`job ${job?.id ?? '?'} failed: ${err.message}`));
    await worker.waitUntilReady();
    print(`worker ready (queue prefix ${config.queuePrefix})`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await worker.close();
    await ctx.close();
    return 0;
  },

  async demo(args) {
    const { values } = parse(args, { people: { type: 'string', default: '2000' }, seed: { type: 'string', default: '20261031' } }, false);
    const people = Number(values.people);
    const seed = Number(values.seed);
    if (!Number.isInteger(people) || people < 10) throw new AppError(ErrorCodes.USAGE, '--people must be a whole number ≥ 10');
    const config = loadConfig();
    const outDir = path.join(config.dataDir, `demo-district-${seed}-${people}`);
    const { generateDistrict } = await import('../../fixtures/generator/index.js');
    process.stderr.write(`generating a synthetic district of ${people.toLocaleString('en-US')} residents (seed ${seed}) in ${outDir}\n`);
    const manifest = await generateDistrict({ people, seed, outDir });
    return withContext(async (ctx) => {
      let failed = false;
      for (const source of SOURCE_NAMES) {
        const files = manifest.files.filter((f) => f.source === source).map((f) => path.join(outDir, f.file));
        if (!files.length) continue;
        const progress = progressPrinter();
        try {
          const summary = await importFiles(ctx, source, files, {}, (p) => progress.update(p));
          progress.done();
          print(formatImportSummary(summary));
          if (summary.batch?.status === 'failed') failed = true;
        } catch (err) {
          progress.done();
          throw err;
        }
      }
      print(`\nThe demo district is imported. Its files and ground truth are in ${outDir}; list batches with: npx resident-hub imports`);
      return failed ? 1 : 0;
    });
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    print(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await command(args);
  } catch (err) {
    if (isAppError(err)) {
      process.stderr.write(`error ${err.code}: ${err.message}\n`);
      return err.code === ErrorCodes.USAGE || err.code === ErrorCodes.UNKNOWN_SOURCE ? 2 : 1;
    }
    process.stderr.write(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
