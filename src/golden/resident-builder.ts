/**
 * Runs buildResident over chunks of residents, inline or on worker threads. A large refresh
 * (a full link run: every resident) was bound by this process's CPU while the database waited
 * and the machine's other core sat mostly idle: on workers, parsing the records, building,
 * serialising and hashing the golden records use every core and leave the main thread, which
 * meanwhile writes the previous chunk and reads the next. Small refreshes (an auditor's action)
 * build inline: starting workers would cost more than it saves. Both give the same outcomes.
 */
import os from 'node:os';
import { YOUNG_GENERATION_MB } from '../runtime-flags.js';
import { bundledWorker, startWorker, type WorkerSource } from '../worker-bundle.js';
import { buildResident, type ResidentOutcome, type ResidentSnapshot } from './resident-build.js';
import type { GoldenWorkerAnswer, GoldenWorkerRequest } from './workers/golden-worker.js';

export interface ResidentBuilder {
  readonly onWorker: boolean;
  build(snapshots: ResidentSnapshot[], withIdNumbers: boolean): Promise<ResidentOutcome[]>;
  close(): Promise<void>;
}

/** Refreshes of at least this many residents build on worker threads. */
export const WORKER_MIN_RESIDENTS = 20_000;

/** Builds inline, yielding to the event loop every `yieldEvery` residents (so the connection's queued statements go on). */
export function inlineBuilder(yieldEvery = 250): ResidentBuilder {
  return {
    onWorker: false,
    async build(snapshots, withIdNumbers) {
      const out: ResidentOutcome[] = [];
      for (const [index, snapshot] of snapshots.entries()) {
        if (index % yieldEvery === yieldEvery - 1) await new Promise((resolve) => setImmediate(resolve));
        out.push(buildResident(snapshot, withIdNumbers));
      }
      return out;
    },
    async close() {},
  };
}

/**
 * Builds on worker threads (one per core, at most MAX_WORKERS), each taking an equal share of
 * every chunk; the outcomes come back in the chunk's order. Falls back to building inline when
 * the worker cannot be bundled (it runs as plain Node, without a TypeScript loader). A worker
 * that fails or exits fails the build it was doing.
 */
export async function workerBuilder(count = Math.min(MAX_WORKERS, os.availableParallelism())): Promise<ResidentBuilder> {
  const source = await bundledWorker(new URL('./workers/golden-worker.ts', import.meta.url));
  if (source.kind !== 'bundled') return inlineBuilder();
  const lanes = Array.from({ length: Math.max(1, count) }, () => workerLane(source));
  return {
    onWorker: true,
    async build(snapshots, withIdNumbers) {
      const share = Math.ceil(snapshots.length / lanes.length);
      const parts = await Promise.all(lanes.map((lane, i) => lane.build(snapshots.slice(i * share, (i + 1) * share), withIdNumbers)));
      return parts.flat();
    },
    async close() {
      await Promise.all(lanes.map((lane) => lane.close()));
    },
  };
}

const MAX_WORKERS = 4;

/** One worker thread, one request at a time (it answers each with one message). */
function workerLane(source: WorkerSource): Omit<ResidentBuilder, 'onWorker'> {
  // The main thread's young generation (see startWorker): the first link run's builders
  // waited 11.8 / 12.3 s for it instead of 13.8 / 14.3 s at V8's default, in pairs.
  const worker = startWorker(source, { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  let current: { resolve: (outcomes: ResidentOutcome[]) => void; reject: (error: Error) => void } | null = null;
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    current?.reject(failure);
    current = null;
  };
  worker.on('message', (message: GoldenWorkerAnswer) => {
    if (!current) return;
    const { resolve, reject } = current;
    current = null;
    if ('error' in message) reject(new Error(`golden worker: ${message.error}`));
    else resolve(message.outcomes);
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', (code) => fail(new Error(`golden worker exited (code ${code})`)));
  // Not to keep the process alive between chunks (the caller closes it).
  worker.unref();
  return {
    build(snapshots, withIdNumbers) {
      if (failure) return Promise.reject(failure);
      if (current) return Promise.reject(new Error('golden worker: one chunk at a time'));
      if (snapshots.length === 0) return Promise.resolve([]);
      return new Promise<ResidentOutcome[]>((resolve, reject) => {
        current = { resolve, reject };
        worker.ref();
        const request: GoldenWorkerRequest = { snapshots, withIdNumbers };
        worker.postMessage(request);
      }).finally(() => worker.unref());
    },
    async close() {
      failure ??= new Error('golden worker closed');
      await worker.terminate();
    },
  };
}
