import { ErrorCodes, reviveError } from '../errors.js';
import { startWorker, type WorkerSource } from '../worker-bundle.js';
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
  /** The worker's young generation (V8's default when absent; see startWorker). */
  youngGenerationMb?: number;
}

export interface SheetWorkerResult {
  sheetName: string;
  rows: AsyncGenerator<SheetRow[], void, undefined>;
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
  const { filePath, limits } = options;
  const worker = startWorker(options.worker, {
    workerData: {
      filePath,
      maxRows: limits.maxRows,
      chunkRows: CHUNK_ROWS,
      creditWindow: CREDIT_WINDOW,
      ...options.data,
    },
    resourceLimits: { maxOldGenerationSizeMb: limits.workerMaxHeapMb, ...(options.youngGenerationMb ? { maxYoungGenerationSizeMb: options.youngGenerationMb } : {}) },
    // Start the worker as plain Node: no TS loader or test-runner flags inherited.
    execArgv: [],
  });
  liveWorkers++;
  worker.once('exit', () => {
    liveWorkers--;
  });

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
    terminated ??= worker.terminate();
    return terminated;
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

  worker.on('message', (message: WorkerMessage) => {
    if (finished) return;
    switch (message.type) {
      case 'sheet':
        if (opened) {
          opened.resolve({ sheetName: message.name, rows: withEagerReturn(rows(), stop) });
          opened = undefined;
          // Nobody waits for rows yet: a caller that never reads them must not hang the process.
          worker.unref();
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
        void stop();
        push({ type: 'end' });
        break;
      case 'error':
        fail(reviveError(message.error));
        break;
    }
  });
  worker.on('error', (err: Error & { code?: string }) => {
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
  });
  worker.on('exit', (code) => {
    if (!finished) {
      fail(fileError(ErrorCodes.INTERNAL, filePath, `the spreadsheet reader stopped unexpectedly (exit code ${code})`));
    }
  });

  async function take(): Promise<QueueItem> {
    for (;;) {
      const item = queue.shift();
      if (item) return item;
      // Only keep the process alive for the worker while someone is waiting for its rows.
      worker.ref();
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
          worker.postMessage({ type: 'ack' });
          resumeClock();
          worker.unref();
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
