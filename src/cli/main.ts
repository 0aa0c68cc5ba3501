import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SOURCE_NAMES, isSourceName } from '../../adapters/types.js';
import { createKey, listKeys, revokeKey } from '../access/keys.service.js';
import { parseRole, ROLES } from '../access/roles.js';
import { verifyAudit } from '../audit/audit.service.js';
import { loadConfig } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { AppError, ErrorCodes, isAppError } from '../errors.js';
import { importFiles, summarizeBatch, type ImportSummary } from '../ingest/import-files.js';
import { importRepository } from '../ingest/import.repository.js';
import { startImportWorker, startLinkWorker } from '../jobs/runner.js';
import { statsRepository } from '../golden/stats.repository.js';
import { evaluateStoredLinks } from '../linkage/evaluate-links.js';
import { linkRepository } from '../linkage/link.repository.js';
import { linkNow } from '../linkage/link-now.js';
import type { LinkRunSummary } from '../linkage/link.service.js';
import { rejectsCsv } from '../ingest/rejects-report.js';
import { linksCsv } from '../residents/links-export.js';
import { formatEvaluation, formatImportSummary, formatLinkSummary, formatModel, formatStats, table } from './format.js';
import { linkProgressPrinter, progressPrinter } from './progress.js';

const USAGE = `resident-hub — one golden resident record across the district's population registries

Usage:
  resident-hub demo [--people N] [--seed S] [--no-serve]
                                                 generate the synthetic demo district, import and link it,
                                                 print a key per role, serve the web UI and API on PORT
  resident-hub import --source SOURCE [--partial] [--no-link] [--json] FILE…
                                                 import one department's export files, then link them
  resident-hub link [--full [--keep-model]] [--json]
                                                 link what is not linked yet (--full: everything again,
                                                 fitting the model anew unless --keep-model)
  resident-hub export links [--out FILE]         CSV: source,file,row,resident_id,match_probability,method
  resident-hub evaluate --truth FILE [--json]    pairwise precision, recall and F1 against a ground truth
  resident-hub stats [--json]                    residents, records per source, residents per combination of systems
  resident-hub model [--json]                    the linkage model's parameters (m, u, weights, thresholds)
  resident-hub imports [--source SOURCE] [--json] list import batches
  resident-hub rejects BATCH --out FILE.csv      write a batch's rejected rows with their reasons
  resident-hub migrate                           bring the database schema up to date
  resident-hub serve                             serve the API on PORT (default 3000); OpenAPI at /docs
  resident-hub keys create --role ROLE --name NAME
                                                 print a new API key (shown once; stored hashed)
  resident-hub keys list [--json]                the keys: id, prefix, role, name, created, revoked
  resident-hub keys revoke ID|PREFIX             revoke a key (its requests get 401 from then on)
  resident-hub audit verify [--json]             check the audit trail's hash chain (exit 1 when broken)
  resident-hub worker [--concurrency N]          process queued jobs (needs REDIS_URL)

SOURCE is one of: ${SOURCE_NAMES.join(', ')}
ROLE is one of: ${ROLES.join(', ')}
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

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

const commands: Record<string, Command> = {
  async import(args) {
    const { values, positionals } = parse(args, {
      source: { type: 'string', short: 's' },
      partial: { type: 'boolean', default: false },
      'no-link': { type: 'boolean', default: false },
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
      const failed = summary.batch?.status === 'failed';
      const link = failed || values['no-link'] ? null : await linkWithProgress(ctx, false);
      print(values.json ? JSON.stringify({ ...summary, link }, null, 2) : [formatImportSummary(summary), link ? formatLinkSummary(link) : ''].filter(Boolean).join('\n'));
      return failed ? 1 : 0;
    });
  },

  async link(args) {
    const { values } = parse(args, { full: { type: 'boolean', default: false }, 'keep-model': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, false);
    if (values['keep-model'] && !values.full) throw new AppError(ErrorCodes.USAGE, '--keep-model goes with --full');
    return withContext(async (ctx) => {
      const summary = await linkWithProgress(ctx, values.full, values['keep-model']);
      print(values.json ? JSON.stringify(summary, null, 2) : formatLinkSummary(summary));
      return 0;
    });
  },

  async export(args) {
    const { values, positionals } = parse(args, { out: { type: 'string', short: 'o' } });
    if (positionals[0] !== 'links' || positionals.length > 1) throw new AppError(ErrorCodes.USAGE, 'usage: resident-hub export links [--out FILE]');
    return withContext(async (ctx) => {
      const out = values.out ? await fs.open(values.out, 'w') : null;
      const write = async (text: string) => {
        if (out) await out.write(text);
        else if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
      };
      let count = -1; // the header is not a link
      try {
        for await (const chunk of linksCsv(ctx.db)) {
          count += countLines(chunk);
          await write(chunk);
        }
      } finally {
        await out?.close();
      }
      if (values.out) print(`${count.toLocaleString('en-US')} link(s) written to ${values.out}`);
      return 0;
    });
  },

  async evaluate(args) {
    const { values } = parse(args, { truth: { type: 'string' }, json: { type: 'boolean', default: false } }, false);
    if (!values.truth) throw new AppError(ErrorCodes.USAGE, 'usage: resident-hub evaluate --truth FILE (columns source,file,row,person_id)');
    const truth = values.truth;
    return withContext(async (ctx) => {
      const evaluation = await evaluateStoredLinks(ctx.db, truth);
      print(values.json ? JSON.stringify(evaluation, null, 2) : formatEvaluation(evaluation, truth));
      return 0;
    });
  },

  async stats(args) {
    const { values } = parse(args, { json: { type: 'boolean', default: false } }, false);
    return withContext(async (ctx) => {
      const stats = await statsRepository.overlap(ctx.db);
      print(values.json ? JSON.stringify(stats, null, 2) : formatStats(stats));
      return 0;
    });
  },

  async model(args) {
    const { values } = parse(args, { json: { type: 'boolean', default: false } }, false);
    return withContext(async (ctx) => {
      const model = await linkRepository.latestModel(ctx.db);
      if (!model) throw new AppError(ErrorCodes.NOT_LINKED, 'no model yet: link the imported records first (npx resident-hub link)');
      print(
        values.json
          ? JSON.stringify(model, null, 2)
          : formatModel(model.params, { id: model.id, records: model.records, sources: model.sources, createdAt: model.createdAt }),
      );
      return 0;
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
      const text = rejectsCsv(rows, await importRepository.filesOfBatch(ctx.db, batchId));
      await fs.writeFile(out, text, 'utf8');
      print(`${rows.length} rejected row(s) of batch ${batchId} written to ${out}`);
      return 0;
    });
  },

  async keys(args) {
    const [sub, ...rest] = args;
    if (sub === 'create') {
      const { values } = parse(rest, { role: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean', default: false } }, false);
      if (!values.role || !values.name) throw new AppError(ErrorCodes.USAGE, `usage: resident-hub keys create --role ROLE --name NAME (ROLE: ${ROLES.join(', ')})`);
      const role = parseRole(values.role);
      const name = values.name;
      return withContext(async (ctx) => {
        const created = await createKey(ctx.db, { role, name });
        if (values.json) print(JSON.stringify({ id: created.id, key: created.key, prefix: created.prefix, role: created.role, name: created.name }, null, 2));
        else {
          print(created.key);
          process.stderr.write(`key ${created.id} (${created.prefix}…) for ${created.name}, role ${created.role}: shown once, keep it safe\n`);
        }
        return 0;
      });
    }
    if (sub === 'list') {
      const { values } = parse(rest, { json: { type: 'boolean', default: false } }, false);
      return withContext(async (ctx) => {
        const keys = await listKeys(ctx.db);
        if (values.json) {
          print(JSON.stringify(keys, null, 2));
          return 0;
        }
        if (!keys.length) {
          print('no API keys yet: resident-hub keys create --role ROLE --name NAME');
          return 0;
        }
        const rows: (string | number)[][] = [['id', 'prefix', 'role', 'name', 'created', 'revoked']];
        for (const k of keys) rows.push([k.id, k.prefix, k.role, k.name, k.createdAt.toISOString().slice(0, 19).replace('T', ' '), k.revokedAt ? k.revokedAt.toISOString().slice(0, 19).replace('T', ' ') : '']);
        print(table(rows, [true, false, false, false, false, false]));
        return 0;
      });
    }
    if (sub === 'revoke') {
      const { positionals } = parse(rest, {});
      if (positionals.length !== 1) throw new AppError(ErrorCodes.USAGE, 'usage: resident-hub keys revoke ID|PREFIX');
      return withContext(async (ctx) => {
        const key = await revokeKey(ctx.db, positionals[0]!);
        print(`revoked key ${key.id} (${key.prefix}…, ${key.role}, ${key.name})`);
        return 0;
      });
    }
    throw new AppError(ErrorCodes.USAGE, 'usage: resident-hub keys create|list|revoke …');
  },

  async audit(args) {
    const [sub, ...rest] = args;
    if (sub !== 'verify') throw new AppError(ErrorCodes.USAGE, 'usage: resident-hub audit verify [--json]');
    const { values } = parse(rest, { json: { type: 'boolean', default: false } }, false);
    return withContext(async (ctx) => {
      const result = await verifyAudit(ctx.db);
      if (values.json) print(JSON.stringify(result, null, 2));
      else if (result.ok) print(`audit trail intact: ${result.verified.toLocaleString('en-US')} entr${result.verified === 1 ? 'y' : 'ies'} verified${result.head ? `, head seq ${result.head.seq} ${result.head.hash.slice(0, 16)}…` : ''}`);
      else print(`audit trail BROKEN at seq ${result.break.seq} (${result.break.reason}): ${result.break.message}; ${result.verified.toLocaleString('en-US')} entries before it verified`);
      return result.ok ? 0 : 1;
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
    await serveUntilStopped(ctx);
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
    const linker = startLinkWorker(ctx.store, {
      redisUrl: config.redisUrl,
      prefix: config.queuePrefix,
      lockDurationMs: Number(process.env.RH_LINK_JOB_LOCK_MS) || undefined,
      stalledIntervalMs: Number(process.env.RH_JOB_STALLED_MS) || undefined,
    });
    for (const w of [worker, linker] as const) {
      w.on('active', (job) => print(`job ${job.id} started`));
      w.on('completed', (job) => print(`job ${job.id} completed`));
      w.on('failed', (job, err) => print(`job ${job?.id ?? '?'} failed: ${err.message}`));
    }
    await Promise.all([worker.waitUntilReady(), linker.waitUntilReady()]);
    print(`worker ready (queue prefix ${config.queuePrefix})`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await Promise.all([worker.close(), linker.close()]);
    await ctx.close();
    return 0;
  },

  async demo(args) {
    const { values } = parse(args, { people: { type: 'string', default: '2000' }, seed: { type: 'string', default: '20261031' }, 'no-serve': { type: 'boolean', default: false } }, false);
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
        // Linked once at the end: the four sources first, as a district's first load would be.
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
      if (failed) return 1;
      print('');
      print(formatLinkSummary(await linkWithProgress(ctx, false)));
      print('');
      print(formatStats(await statsRepository.overlap(ctx.db)));
      print('');
      const truth = path.join(outDir, 'truth.csv');
      print(formatEvaluation(await evaluateStoredLinks(ctx.db, truth), truth));
      print(`\nThe demo district is imported and linked. Its files and ground truth are in ${outDir}.`);
      const keys = await demoKeys(ctx);
      print('\nAPI keys of this demo, one per role (sign in to the web UI with one; shown once):');
      print(table([['role', 'key'], ...keys.map((k) => [k.role, k.key])], [false, false]));
      if (values['no-serve']) {
        print('Next: npx resident-hub serve | npx resident-hub stats | npx resident-hub export links --out links.csv');
        return 0;
      }
      print('');
      await serveUntilStopped(ctx);
      return 0;
    });
  },
};

/** Serves the API and the UI on PORT until Ctrl-C (SIGINT) or SIGTERM. */
async function serveUntilStopped(ctx: AppContext): Promise<void> {
  const { serve } = await import('../api/server.js');
  const server = await serve(ctx);
  print(`resident-hub listening on http://localhost:${server.port} (web UI at /, API under /v1, OpenAPI at /docs); Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
}

/** A fresh key per role for the demo (the previous demo keys are revoked: a key is shown only once). */
async function demoKeys(ctx: AppContext): Promise<{ role: string; key: string }[]> {
  for (const key of await listKeys(ctx.db)) {
    if (key.revokedAt === null && key.name.startsWith('demo ')) await revokeKey(ctx.db, key.id);
  }
  const out: { role: string; key: string }[] = [];
  for (const role of ROLES) out.push({ role, key: (await createKey(ctx.db, { role, name: `demo ${role}` })).key });
  return out;
}

async function linkWithProgress(ctx: AppContext, full: boolean, keepModel = false): Promise<LinkRunSummary> {
  const progress = linkProgressPrinter();
  try {
    return await linkNow(ctx, { full, keepModel }, (p) => progress.update(p));
  } finally {
    progress.done();
  }
}

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
