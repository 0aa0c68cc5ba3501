import type { Kysely } from 'kysely';
import { loadConfig, type AppConfig } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { Database } from './db/schema.js';
import { BullMqRunner, InProcessRunner, type JobRunner } from './jobs/runner.js';

/** What a command or the server needs: configuration, a migrated database and a job runner. */
export interface AppContext {
  config: AppConfig;
  db: Kysely<Database>;
  dbKind: DatabaseHandle['kind'];
  store: DatabaseHandle;
  jobs: JobRunner;
  close(): Promise<void>;
}

export async function createContext(config: AppConfig = loadConfig()): Promise<AppContext> {
  const handle = await openDatabase(config);
  try {
    await migrateToLatest(handle.db);
  } catch (err) {
    await handle.close();
    throw err;
  }
  const jobs: JobRunner = config.redisUrl
    ? new BullMqRunner(handle.db, { redisUrl: config.redisUrl, prefix: config.queuePrefix })
    : new InProcessRunner(handle, { maxRows: config.maxRowsPerFile });
  return {
    config,
    db: handle.db,
    dbKind: handle.kind,
    store: handle,
    jobs,
    async close() {
      await jobs.close();
      await handle.close();
    },
  };
}
