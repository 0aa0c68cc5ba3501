import fs from 'node:fs/promises';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { PGlite } from '@electric-sql/pglite';
import type { AppConfig } from '../config.js';
import type { Database } from './schema.js';

// Return bigint (int8) as string and `date` as plain ISO text: no timezone shifts on dates of birth.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/**
 * One code path for both stores: Kysely's Postgres dialect over a `pg` pool. With no
 * DATABASE_URL the pool talks to embedded PGlite through its node-postgres adapter, with a
 * pool of one connection: PGlite has a single session, and one connection is what keeps two
 * concurrent transactions from sharing it (a second transaction waits for the first).
 */
export async function openDatabase(config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  await fs.mkdir(config.dataDir, { recursive: true });
  const lite: PGlite = await PGlite.create(`${config.dataDir}/pgdata`, { extensions: { pg_trgm } });
  const pool = new pg.Pool({ ...(createPgConfig(lite) as unknown as pg.PoolConfig), max: 1 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      await lite.close();
    },
  };
}
