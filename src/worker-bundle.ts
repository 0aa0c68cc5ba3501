import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** How a worker starts: its bundled code, or, when it could not be bundled, its own file. */
export type WorkerSource = { kind: 'bundled'; code: string } | { kind: 'file'; url: URL };

/**
 * A worker and everything it imports, bundled into one CommonJS script (esbuild, once per
 * process and worker): the .xlsx and .xls (BIFF8) readers, the golden-record builder and the
 * blocking-key writer. Their TypeScript sources need no loader once bundled, and one file
 * starts faster than many modules resolved and loaded one by one (~70 against ~150 ms, when the
 * .xlsx reader still loaded exceljs's ~150 modules). The script is run with `eval` rather than as an ES
 * module from a data: URL, whose URL Node's module loader parsed several times over: 117
 * against 160-178 ms to the first rows of a small .xlsx then. Packages the worker never
 * reaches are replaced by empty modules (`stubs`: the key writer's PGlite). If bundling fails
 * the bundle is `{ kind: 'file' }`, which runs only a worker written in plain JavaScript.
 */
export function bundledWorker(entry: URL, stubs: readonly string[] = []): Promise<WorkerSource> {
  let bundled = bundles.get(entry.href);
  if (!bundled) {
    bundled = bundle(entry, stubs).catch((): WorkerSource => ({ kind: 'file', url: entry }));
    bundles.set(entry.href, bundled);
  }
  return bundled;
}

/** Starts a worker from its source. */
export function startWorker(source: WorkerSource, options: WorkerOptions): Worker {
  workersTakeDefaultYoungGeneration();
  return source.kind === 'bundled' ? new Worker(source.code, { ...options, eval: true }) : new Worker(source.url, options);
}

let youngGenerationReset = false;

/**
 * Worker threads get V8's default young generation, or what their resourceLimits ask for,
 * rather than the main thread's (NODE_FLAGS in runtime-flags.ts). V8 flags are process-wide:
 * every new isolate reads --max-semi-space-size when it is created, and while it is set a
 * worker's resourceLimits cannot lower it. An isolate already running keeps the size it
 * started with, so resetting the flag once the main thread runs leaves the main thread's
 * alone. Each worker kind then says what suits it: with every worker at 2 × 64 MB, the .xls
 * import's peak RSS was 1,010-1,038 MB against 880-885 MB (two SheetJS workers alive at once),
 * no faster.
 */
function workersTakeDefaultYoungGeneration(): void {
  if (youngGenerationReset) return;
  youngGenerationReset = true;
  v8.setFlagsFromString('--max-semi-space-size=0');
}

const bundles = new Map<string, Promise<WorkerSource>>();

async function bundle(entry: URL, stubs: readonly string[]): Promise<WorkerSource> {
  const { build } = await import('esbuild');
  const stubFilter = new RegExp(`^(${stubs.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    plugins: stubs.length
      ? [{
          name: 'stubs',
          setup(b) {
            b.onResolve({ filter: stubFilter }, (args) => ({ path: args.path, namespace: 'stub' }));
            b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
          },
        }]
      : [],
  });
  // Kept in memory: nothing written to a shared temporary directory, nothing left behind.
  return { kind: 'bundled', code: result.outputFiles[0]!.text };
}
