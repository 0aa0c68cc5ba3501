// Replaces link_key for a full link run on a connection of its own (see ../key-writer.ts): the
// keys are loaded and indexed in a transaction that stays open until the main thread says to
// commit or roll back.
import { parentPort, workerData } from 'node:worker_threads';
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
const order = new Promise<KeyWriterOrder>((resolve) => port.once('message', resolve));

async function main(data: KeyWriterData): Promise<void> {
  const keys = new Map<string, number[]>();
  for (let i = 0; i < data.recordIds.length; i++) {
    keys.set(String(data.recordIds[i]), Array.from(data.hashes.subarray(data.offsets[i], data.offsets[i + 1])));
  }
  const store = await openDatabase({ databaseUrl: data.databaseUrl, dataDir: '' });
  try {
    await store.transactionWithClient(async (trx, copyClient) => {
      // One core for the index builds: the main thread is linking on the other.
      await linkRepository.replaceKeys({ db: trx, copyClient }, 'all', keys, { parallelIndexBuilds: false });
      keys.clear();
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

main(workerData as KeyWriterData).catch((error: unknown) => {
  report({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
});
