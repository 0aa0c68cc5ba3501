import fs from 'node:fs/promises';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { PGlite } from '@electric-sql/pglite';
import type { AppConfig } from '../config.js';
import type { Database } from './schema.js';
import { PREPARED_MARK, statementName } from './prepared.js';

// `date` as plain ISO text: no timezone shifts on dates of birth.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type StoreKind = 'postgres' | 'pglite';

/** A database with its connection pool; only repositories and transaction owners use it. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: StoreKind;
  /** Where a worker thread can open a connection of its own (PostgreSQL only). */
  databaseUrl?: string;
  /**
   * Runs `fn` in one transaction on one connection, handing over a Kysely bound to it and the
   * raw client for bulk COPY — on PostgreSQL; undefined on PGlite, whose adapter has no COPY.
   * Commits when `fn` resolves, rolls back when it throws.
   */
  transactionWithClient<T>(fn: (trx: Kysely<Database>, copyClient: pg.PoolClient | undefined) => Promise<T>): Promise<T>;
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
    // An idle connection dropped by the server must not crash the process.
    pool.on('error', () => {});
    return { ...handleFor(pool, 'postgres', () => Promise.resolve()), databaseUrl: config.databaseUrl };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  await fs.mkdir(config.dataDir, { recursive: true });
  const lite: PGlite = await PGlite.create(`${config.dataDir}/pgdata`, { extensions: { pg_trgm } });
  const pool = new pg.Pool({ ...(createPgConfig(lite) as unknown as pg.PoolConfig), max: 1 });
  return handleFor(pool, 'pglite', () => lite.close());
}

/** Every connection of the pool runs marked queries as named prepared statements. */
function prepareMarkedQueries(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
      if (typeof config === 'string' && config.startsWith(PREPARED_MARK) && Array.isArray(values)) {
        return query({ name: statementName(config), text: config, values }, callback);
      }
      return callback === undefined ? (values === undefined ? query(config) : query(config, values)) : query(config, values, callback);
    };
  });
}

function handleFor(pool: pg.Pool, kind: StoreKind, closeStore: () => Promise<void>): DatabaseHandle {
  prepareMarkedQueries(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind,
    async transactionWithClient(fn) {
      const client = await pool.connect();
      // A Kysely that always uses this one client; releasing it is this function's job.
      const trx = new Kysely<Database>({
        dialect: new PostgresDialect({
          pool: {
            connect: async () => ({ query: (...args: unknown[]) => (client.query as (...a: unknown[]) => unknown)(...args), release() {} }),
            end: async () => {},
          } as unknown as pg.Pool,
        }),
      });
      let broken = false;
      try {
        await client.query('begin');
        const result = await fn(trx, kind === 'postgres' ? client : undefined);
        await client.query('commit');
        return result;
      } catch (err) {
        try {
          await client.query('rollback');
        } catch {
          broken = true;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await db.destroy();
      await closeStore();
    },
  };
}
