import type { Worker } from 'node:worker_threads';
import { ErrorCodes, reviveError } from '../errors.js';
import { bundledWorker, startWorker, type WorkerSource } from '../worker-bundle.js';
import { fileError } from './reader-error.js';
import type { ReaderLimits, SheetRow } from './types.js';

/** Rows per message from a spreadsheet worker. */
export const CHUNK_ROWS = 1000;
/** Chunks a worker may send ahead of the consumer (its credit window). */
export const CREDIT_WINDOW = 4;
/** A consumer that stops pulling rows for this long (and at least parseTimeoutMs) loses its worker, unless limits.idleTimeoutMs says otherwise. */
const MIN_IDLE_MS = 60_000;

/** What the spreadsheet workers (workers/*.mjs) post to the main thread. */
type WorkerMessage =
  | { type: 'sheet'; name: string }
  | { type: 'rows'; rows: SheetRow[] }
  | { type: 'end' }
  | { type: 'error'; error: unknown };

type QueueItem = { type: 'rows'; rows: SheetRow[] } | { type: 'end' } | { type: 'error'; error: Error };

export interface SheetWorkerOptions {
  /** The worker: `{ kind: 'file', url: new URL('./workers/….mjs', import.meta.url) }`, or bundled. */
  worker: WorkerSource;
  filePath: string;
  limits: ReaderLimits;
  /** Extra fields for the worker's workerData. */
  data?: Record<string, unknown>;
  /**
   * Where a worker that has read its file to a clean end may wait to read another of the same
   * import, and where this file's worker may come from. Only for workers that serve files
   * (sheet-common.mjs's serveFiles): the hand-written readers, which keep nothing from one
   * file to the next. Without it (and for SheetJS) each file has a worker of its own.
   */
  pool?: SheetWorkerPool;
}

/**
 * Workers of one import that may read its next file: starting a worker thread costs ~60 ms of
 * CPU, and a fresh one runs the reader's code cold, while a department's 45 small allowance
 * rolls each take ~5 ms to parse once warm (45 .xls rolls: 7.7 s to read one worker per file
 * with SheetJS, then 4.5 s with the hand-written reader, ~0.2 s in one warm thread). A worker
 * is kept only after a file that ended cleanly (a failure, a timeout or a consumer that stops
 * early terminates it), for the same reader and limits, at most `maxIdle` at a time, and
 * never past close(), which the import calls when its files are done.
 */
export class SheetWorkerPool {
  private readonly idle = new Map<string, Worker[]>();
  private readonly watched = new WeakSet<Worker>();
  private closed = false;

  constructor(private readonly maxIdle = 2) {}

  /** An idle worker for `key`, taken out of the pool. */
  take(key: string): Worker | undefined {
    return this.idle.get(key)?.pop();
  }

  /** Keeps `worker` for the next file of `key`; false when it is not kept (then the caller ends it). */
  keep(key: string, worker: Worker): boolean {
    if (this.closed) return false;
    const list = this.idle.get(key) ?? [];
    if (list.length >= this.maxIdle) return false;
    list.push(worker);
    this.idle.set(key, list);
    // An idle worker never keeps the process alive, and one that dies leaves the pool.
    worker.unref();
    if (!this.watched.has(worker)) {
      this.watched.add(worker);
      worker.once('exit', () => {
        for (const workers of this.idle.values()) {
          const at = workers.indexOf(worker);
          if (at >= 0) workers.splice(at, 1);
        }
      });
    }
    return true;
  }

  /** Ends every idle worker; none is kept afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const sourceIds = new WeakMap<WorkerSource, number>();
let nextSourceId = 0;
/** A pool key: the same worker code under the same limits. */
function poolKey(source: WorkerSource, resourceLimits: object): string {
  let id = sourceIds.get(source);
  if (id === undefined) sourceIds.set(source, (id = nextSourceId++));
  return `${source.kind === 'file' ? source.url.href : `bundle#${id}`} ${JSON.stringify(resourceLimits)}`;
}

export interface SheetWorkerResult {
  sheetName: string;
  rows: AsyncGenerator<SheetRow[], void, undefined>;
}

/**
 * The bundled worker of one of the project's own readers, for the file at `filePath`. They
 * import TypeScript, which only the bundle (esbuild) makes runnable: without it they could not
 * start, and every spreadsheet would look damaged. That is an installation fault, said so.
 */
export async function bundledReader(entry: URL, filePath: string): Promise<WorkerSource> {
  const source = await bundledWorker(entry);
  if (source.kind !== 'bundled') {
    throw fileError(
      ErrorCodes.INTERNAL,
      filePath,
      'the spreadsheet reader could not be prepared (bundling it with esbuild failed); the installation is incomplete — reinstall the dependencies',
      { reader: entry.pathname.split('/').pop() ?? '' },
    );
  }
  return source;
}

let liveWorkers = 0;

/** Spreadsheet worker threads currently alive (for tests and health checks). */
export function liveWorkerCount(): number {
  return liveWorkers;
}

/**
 * Runs one disposable worker thread over one spreadsheet and hands its rows over as an async
 * generator. Resolves once the worker has found the sheet it reads (so a broken, encrypted or
 * empty workbook rejects here); later failures are thrown by the generator.
 *
 * - Memory: the worker's heap is capped (`resourceLimits`); out of memory → RH_ERR_PARSE_MEMORY.
 * - Backpressure: the worker may have at most CREDIT_WINDOW chunks unacknowledged; a chunk is
 *   acknowledged when the consumer takes it, so the main thread never holds more than a few
 *   thousand rows however large the sheet.
 * - Time: `parseTimeoutMs` of wall-clock time while the worker is working; the clock stops
 *   while the worker is only waiting for a slow consumer. On expiry the worker is terminated
 *   (terminate() stops even a synchronous parse) → RH_ERR_PARSE_TIMEOUT.
 * - Leaving the generator early (break / return()) terminates the worker.
 */
export function startSheetWorker(options: SheetWorkerOptions): Promise<SheetWorkerResult> {
  const { filePath, limits, pool } = options;
  const workerData = {
    filePath,
    maxRows: limits.maxRows,
    chunkRows: CHUNK_ROWS,
    creditWindow: CREDIT_WINDOW,
    ...options.data,
  };
  // V8's default young generation (see startWorker): the .xlsx and SheetJS readers measured no
  // faster with a larger one (xlsx.ts; the README's ingest benchmark).
  const resourceLimits = { maxOldGenerationSizeMb: limits.workerMaxHeapMb };
  const key = pool ? poolKey(options.worker, resourceLimits) : '';
  let worker = pool?.take(key);
  if (worker) {
    // Kept unreferenced while idle: referenced again while it works for someone.
    worker.ref();
    worker.postMessage({ type: 'next', params: workerData });
  } else {
    worker = startWorker(options.worker, {
      workerData,
      resourceLimits,
      // Start the worker as plain Node: no TS loader or test-runner flags inherited.
      execArgv: [],
    });
    liveWorkers++;
    worker.once('exit', () => {
      liveWorkers--;
    });
  }
  const thread: Worker = worker;

  const queue: QueueItem[] = [];
  let wake: (() => void) | undefined;
  let finished = false; // no more items will be queued
  let terminated: Promise<number> | undefined;
  let outstanding = 0; // chunks received but not taken by the consumer
  let opened: { resolve: (r: SheetWorkerResult) => void; reject: (e: Error) => void } | undefined;

  // --- the parse clock (pausable) and the idle guard --------------------------------------
  let usedMs = 0;
  let runningSince: number | undefined;
  let parseTimer: NodeJS.Timeout | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const idleMs = limits.idleTimeoutMs ?? Math.max(limits.parseTimeoutMs, MIN_IDLE_MS);

  const resumeClock = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (finished || runningSince !== undefined) return;
    runningSince = Date.now();
    parseTimer = setTimeout(onParseTimeout, Math.max(0, limits.parseTimeoutMs - usedMs));
    parseTimer.unref();
  };
  const pauseClock = (forIdle: boolean) => {
    if (runningSince !== undefined) usedMs += Date.now() - runningSince;
    runningSince = undefined;
    if (parseTimer) clearTimeout(parseTimer);
    parseTimer = undefined;
    if (forIdle && !finished && !idleTimer && idleMs > 0) {
      idleTimer = setTimeout(onIdle, idleMs);
      idleTimer.unref();
    }
  };
  function onParseTimeout() {
    fail(
      fileError(
        ErrorCodes.PARSE_TIMEOUT,
        filePath,
        `reading the spreadsheet took longer than ${formatMs(limits.parseTimeoutMs)} and was stopped; ` +
          'the file may be damaged or far too large — split it into smaller files or save it again from Excel',
        { limitMs: limits.parseTimeoutMs },
      ),
    );
  }
  function onIdle() {
    fail(
      fileError(
        ErrorCodes.PARSE_TIMEOUT,
        filePath,
        `reading was abandoned: no rows were taken for ${formatMs(idleMs)}`,
        { limitMs: idleMs },
      ),
    );
  }

  // --- delivery -------------------------------------------------------------------------------
  const push = (item: QueueItem) => {
    queue.push(item);
    const w = wake;
    wake = undefined;
    w?.();
  };
  const stop = (): Promise<number> => {
    finished = true;
    pauseClock(false);
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    terminated ??= thread.terminate();
    return terminated;
  };
  /** The file ended cleanly: the worker goes back to the pool for the import's next file, or ends. */
  const release = () => {
    thread.off('message', onMessage);
    thread.off('error', onError);
    thread.off('exit', onExit);
    // A worker the pool keeps is not ended by stop().
    if (pool?.keep(key, thread)) terminated = Promise.resolve(0);
    void stop();
  };
  function fail(error: Error) {
    if (finished) return;
    // Deliver the error only once the worker is really gone.
    void stop().then(() => {
      if (opened) {
        opened.reject(error);
        opened = undefined;
      } else {
        push({ type: 'error', error });
      }
    });
  }

  function onMessage(message: WorkerMessage) {
    if (finished) return;
    switch (message.type) {
      case 'sheet':
        if (opened) {
          opened.resolve({ sheetName: message.name, rows: withEagerReturn(rows(), stop) });
          opened = undefined;
          // Nobody waits for rows yet: a caller that never reads them must not hang the process.
          thread.unref();
        }
        break;
      case 'rows':
        outstanding++;
        if (outstanding >= CREDIT_WINDOW) pauseClock(true);
        push({ type: 'rows', rows: message.rows });
        break;
      case 'end':
        if (opened) {
          fail(fileError(ErrorCodes.FILE_EMPTY, filePath, 'the workbook contains no data (every sheet is empty)'));
          return;
        }
        // The worker has sent everything: it can serve the next file while these rows are taken.
        release();
        push({ type: 'end' });
        break;
      case 'error':
        fail(reviveError(message.error));
        break;
    }
  }
  function onError(err: Error & { code?: string }) {
    if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      fail(
        fileError(
          ErrorCodes.PARSE_MEMORY,
          filePath,
          `reading the spreadsheet needed more than ${limits.workerMaxHeapMb} MB of memory and was stopped; ` +
            'the file may be damaged or far too large — split it into smaller files',
          { limitMb: limits.workerMaxHeapMb },
        ),
      );
    } else {
      fail(
        fileError(ErrorCodes.FILE_CORRUPT, filePath, `the file could not be read (${err.message}); it may be damaged`, {
          cause: err.message,
        }),
      );
    }
  }
  function onExit(code: number) {
    if (!finished) {
      fail(fileError(ErrorCodes.INTERNAL, filePath, `the spreadsheet reader stopped unexpectedly (exit code ${code})`));
    }
  }
  thread.on('message', onMessage);
  thread.on('error', onError);
  thread.on('exit', onExit);

  async function take(): Promise<QueueItem> {
    for (;;) {
      const item = queue.shift();
      if (item) return item;
      // Only keep the process alive for the worker while someone is waiting for its rows.
      thread.ref();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }

  async function* rows(): AsyncGenerator<SheetRow[], void, undefined> {
    try {
      for (;;) {
        const item = await take();
        if (item.type === 'end') {
          await stop(); // the worker is gone when the last rows have been read
          return;
        }
        if (item.type === 'error') throw item.error;
        outstanding--;
        if (!finished) {
          thread.postMessage({ type: 'ack' });
          resumeClock();
          thread.unref();
        }
        yield item.rows;
      }
    } finally {
      if (!finished) await stop();
    }
  }

  return new Promise<SheetWorkerResult>((resolve, reject) => {
    opened = { resolve, reject };
    resumeClock();
  });
}

/**
 * return() on a generator that was never started does not run its `finally`: make it stop the
 * worker anyway (a caller may give up after openFile() without reading a single row).
 */
function withEagerReturn<T>(generator: AsyncGenerator<T, void, undefined>, stop: () => Promise<unknown>): AsyncGenerator<T, void, undefined> {
  const original = generator.return.bind(generator);
  generator.return = async (value) => {
    await stop();
    return original(value);
  };
  return generator;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
