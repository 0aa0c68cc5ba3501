// Replaces link_key for a full link run on a connection of its own (see ../key-writer.ts): the
// keys are loaded and indexed in a transaction that stays open until the main thread says to
// commit or roll back.
import { parentPort } from 'node:worker_threads';
import { openDatabase } from '../../db/database.js';
import { linkRepository } from '../link.repository.js';

export interface KeyWriterData {
  databaseUrl: string;
  /** Record ids, in order. */
  recordIds: Float64Array;
  /** The hashes of record i are hashes[offsets[i]] up to hashes[offsets[i + 1]]. */
  offsets: Int32Array;
  hashes: Float64Array;
}

export type KeyWriterOrder = 'commit' | 'rollback';

export type KeyWriterReport = { kind: 'loaded' } | { kind: 'committed' } | { kind: 'rolled_back' } | { kind: 'failed'; error: string };

class RolledBack extends Error {}

const port = parentPort!;
const report = (message: KeyWriterReport) => port.postMessage(message);

/** The keys record by record, straight from the arrays: no copy of them all exists at once. */
function* recordKeys(data: KeyWriterData): Generator<readonly [string, Float64Array]> {
  for (let i = 0; i < data.recordIds.length; i++) yield [String(data.recordIds[i]), data.hashes.subarray(data.offsets[i], data.offsets[i + 1])];
}

// The first message is the keys; the second says what to do with them.
port.once('message', (data: KeyWriterData) => {
  const order = new Promise<KeyWriterOrder>((resolve) => port.once('message', resolve));
  main(data, order).catch((error: unknown) => {
    report({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
  });
});

/** The arrays are not kept while the run goes on. */
function forget(data: Partial<KeyWriterData>): void {
  delete data.recordIds;
  delete data.offsets;
  delete data.hashes;
}

async function main(data: KeyWriterData, order: Promise<KeyWriterOrder>): Promise<void> {
  const store = await openDatabase({ databaseUrl: data.databaseUrl, dataDir: '' });
  try {
    await store.transactionWithClient(async (trx, copyClient) => {
      // One core for the index builds: the main thread is linking on the other.
      await linkRepository.replaceKeys({ db: trx, copyClient }, 'all', recordKeys(data), { parallelIndexBuilds: false });
      forget(data);
      report({ kind: 'loaded' });
      if ((await order) !== 'commit') throw new RolledBack();
    });
    report({ kind: 'committed' });
  } catch (error) {
    if (error instanceof RolledBack) report({ kind: 'rolled_back' });
    else throw error;
  } finally {
    await store.close();
  }
}
