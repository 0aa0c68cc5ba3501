/**
 * A full link run's blocking keys (link_key: millions of rows, two indexes) written on a worker
 * thread with a connection of its own, while the main thread goes on linking. The keys are
 * known once the engine has blocked the records; loading and indexing them then took the
 * server ~6 s after the engine, with the machine's other core idle during the engine's
 * remaining ~10 s. The main thread's event loop is blocked by the engine, so the COPY could
 * not be fed from it.
 *
 * The worker's transaction stays open until the run is ready to commit: commit() commits it
 * first, then the run commits. Should the run then fail, link_key holds the keys of the
 * records as they are, which is what it is meant to hold (only the linker reads it, under the
 * link lock, and no full run touches link_key on its own connection, so the two never wait
 * for each other). When the worker fails, loaded rejects and the run fails with it.
 */
import type { DatabaseHandle } from '../db/database.js';
import { bundledWorker, startWorker, type WorkerSource } from '../worker-bundle.js';
import type { KeyWriterData, KeyWriterOrder, KeyWriterReport } from './workers/key-writer-worker.js';

export interface KeyWriter {
  /** Resolves once link_key holds the new keys, indexed (not yet committed); rejects if that failed. */
  readonly loaded: Promise<void>;
  /** Commits the keys. */
  commit(): Promise<void>;
  /** Rolls the keys back unless committed, and ends the worker. */
  close(): Promise<void>;
}

/** Packages the worker never reaches: the embedded store's. */
const STUBS = ['@electric-sql/pglite', '@electric-sql/pglite/contrib/pg_trgm', '@electric-sql/pglite/node-postgres'];

/** How to start key writers for this store; null where it cannot (PGlite: one session; or no bundle). */
export async function keyWriterSource(store: Pick<DatabaseHandle, 'databaseUrl'>): Promise<{ source: WorkerSource; databaseUrl: string } | null> {
  if (!store.databaseUrl) return null;
  const source = await bundledWorker(new URL('./workers/key-writer-worker.ts', import.meta.url), STUBS);
  // Unbundled, the worker would need a TypeScript loader.
  return source.kind === 'bundled' ? { source, databaseUrl: store.databaseUrl } : null;
}

/** Starts replacing link_key with `keyHashes[i]` for record `recordIds[i]`. */
export function startKeyWriter(from: { source: WorkerSource; databaseUrl: string }, recordIds: readonly string[], keyHashes: readonly (readonly number[])[]): KeyWriter {
  const offsets = new Int32Array(recordIds.length + 1);
  for (let i = 0; i < recordIds.length; i++) offsets[i + 1] = offsets[i]! + keyHashes[i]!.length;
  const hashes = new Float64Array(offsets[recordIds.length]!);
  const ids = new Float64Array(recordIds.length);
  for (let i = 0; i < recordIds.length; i++) {
    ids[i] = Number(recordIds[i]);
    hashes.set(keyHashes[i]!, offsets[i]);
  }
  const data: KeyWriterData = { databaseUrl: from.databaseUrl, recordIds: ids, offsets, hashes };
  const worker = startWorker(from.source, { execArgv: [] });
  worker.postMessage(data, [ids.buffer, offsets.buffer, hashes.buffer]);

  const waiting = new Map<KeyWriterReport['kind'], () => void>();
  let failure: Error | null = null;
  const failed: ((error: Error) => void)[] = [];
  const fail = (error: Error) => {
    failure ??= error;
    for (const reject of failed.splice(0)) reject(failure);
  };
  const when = (kind: KeyWriterReport['kind']) =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.set(kind, resolve);
      failed.push(reject);
    });
  let isLoaded = false;
  const loaded = when('loaded').then(() => {
    isLoaded = true;
  });
  // Awaited at the keys step; until then a failure must not count as unhandled.
  loaded.catch(() => {});
  const settled = Promise.race([when('committed'), when('rolled_back')]);
  settled.catch(() => {});
  worker.on('message', (report: KeyWriterReport) => {
    if (report.kind === 'failed') fail(new Error(`writing the blocking keys: ${report.error}`));
    else waiting.get(report.kind)?.();
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', (code) => fail(new Error(`the blocking-key writer exited (code ${code})`)));

  let ordered = false;
  const send = (order: KeyWriterOrder) => {
    ordered = true;
    worker.postMessage(order);
  };
  return {
    loaded,
    async commit() {
      await loaded;
      send('commit');
      await settled;
    },
    async close() {
      // Loaded: roll back and wait, so that the transaction has ended when this returns. Still
      // loading: its connection closing rolls it back once the server finishes the statement.
      if (!ordered && !failure && isLoaded) {
        send('rollback');
        await settled.catch(() => {});
      }
      await worker.terminate();
    },
  };
}
