import { sql } from 'kysely';
import { PREPARED_MARK } from '../db/prepared.js';
import type { Executor } from '../db/schema.js';

export interface StoredKey {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const COLUMNS = ['id', 'name', 'role', 'prefix', 'created_at', 'revoked_at'] as const;

function toKey(row: { id: string; name: string; role: string; prefix: string; created_at: Date; revoked_at: Date | null }): StoredKey {
  return { id: String(row.id), name: row.name, role: row.role, prefix: row.prefix, createdAt: row.created_at, revokedAt: row.revoked_at };
}

export const keysRepository = {
  async insert(db: Executor, key: { name: string; role: string; prefix: string; hash: string }): Promise<StoredKey> {
    const row = await db.insertInto('api_key').values({ name: key.name, role: key.role, prefix: key.prefix, key_hash: key.hash }).returning(COLUMNS).executeTakeFirstOrThrow();
    return toKey(row);
  },

  /** The active (not revoked) key with this hash. */
  async findActiveByHash(db: Executor, hash: string): Promise<StoredKey | undefined> {
    const result = await sql<{ id: string; name: string; role: string; prefix: string; created_at: Date; revoked_at: Date | null }>`${sql.raw(PREPARED_MARK)}
      select id, name, role, prefix, created_at, revoked_at from api_key where key_hash = ${hash} and revoked_at is null`.execute(db);
    const row = result.rows[0];
    return row ? toKey(row) : undefined;
  },

  async list(db: Executor): Promise<StoredKey[]> {
    const rows = await db.selectFrom('api_key').select(COLUMNS).orderBy('id').execute();
    return rows.map(toKey);
  },

  /** Keys matching an id or a public prefix (a prefix may in principle name several). */
  async find(db: Executor, idOrPrefix: string): Promise<StoredKey[]> {
    let query = db.selectFrom('api_key').select(COLUMNS);
    query = /^\d+$/.test(idOrPrefix) ? query.where('id', '=', idOrPrefix) : query.where('prefix', '=', idOrPrefix);
    return (await query.execute()).map(toKey);
  },

  async revoke(db: Executor, id: string): Promise<StoredKey | undefined> {
    const row = await db.updateTable('api_key').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).returning(COLUMNS).executeTakeFirst();
    return row ? toKey(row) : undefined;
  },
};
