import { sql } from 'kysely';
import type { AuditLogTable, Executor } from '../db/schema.js';
import type { Selectable } from 'kysely';
import { LOCKS } from '../db/locks.js';
import { PREPARED_MARK } from '../db/prepared.js';
import type { ChainHead, StoredAuditEntry } from './chain.js';
import { fromJsonColumn } from '../db/json-column.js';

export interface AuditQuery {
  /** Only rows after this seq (the page cursor, oldest first). */
  afterSeq?: number;
  /** Only rows before this seq (the page cursor, newest first). */
  beforeSeq?: number;
  /** Oldest first (the default) or newest first. */
  order?: 'asc' | 'desc';
  action?: string;
  actorKeyId?: string;
  targetType?: string;
  targetId?: string;
  outcome?: string;
  /** ISO instants, inclusive. */
  from?: string;
  to?: string;
  limit: number;
}

export function toStoredEntry(row: Selectable<AuditLogTable>): StoredAuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: fromJsonColumn(row.actor),
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    outcome: row.outcome as StoredAuditEntry['outcome'],
    details: fromJsonColumn(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The audit trail. Appends only: the table's triggers refuse updates and deletes. */
export const auditRepository = {
  /** Serialises appenders until the caller's transaction ends. */
  async lock(db: Executor): Promise<void> {
    await sql`${sql.raw(PREPARED_MARK)} select pg_advisory_xact_lock(${LOCKS.audit})`.execute(db);
  },

  /** This transaction's commit returns before its WAL is flushed to disk. */
  async relaxCommit(db: Executor): Promise<void> {
    await sql`set local synchronous_commit = off`.execute(db);
  },

  /** The head as last recorded beside the table (null before the first row). */
  async head(db: Executor): Promise<ChainHead | null> {
    const row = (await sql<{ seq: string; hash: string }>`${sql.raw(PREPARED_MARK)} select seq, hash from audit_head where id = 1`.execute(db)).rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : null;
  },

  async append(db: Executor, rows: readonly StoredAuditEntry[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insertInto('audit_log')
      .values(
        rows.map((r) => ({
          seq: r.seq,
          at: r.at instanceof Date ? r.at.toISOString() : r.at,
          actor: JSON.stringify(r.actor),
          action: r.action,
          target_type: r.target.type,
          target_id: r.target.id,
          outcome: r.outcome,
          details: JSON.stringify(r.details),
          prev_hash: r.prevHash,
          hash: r.hash,
        })),
      )
      .execute();
    const last = rows[rows.length - 1]!;
    await db
      .insertInto('audit_head')
      .values({ id: 1, seq: last.seq, hash: last.hash })
      .onConflict((oc) => oc.column('id').doUpdateSet({ seq: last.seq, hash: last.hash }))
      .execute();
  },

  /** Rows in seq order (oldest or newest first), filtered; `afterSeq` / `beforeSeq` page. */
  async list(db: Executor, q: AuditQuery): Promise<StoredAuditEntry[]> {
    let query = db.selectFrom('audit_log').selectAll().orderBy('seq', q.order ?? 'asc').limit(q.limit);
    if (q.afterSeq !== undefined) query = query.where('seq', '>', String(q.afterSeq));
    if (q.beforeSeq !== undefined) query = query.where('seq', '<', String(q.beforeSeq));
    if (q.action !== undefined) query = query.where('action', '=', q.action);
    if (q.targetType !== undefined) query = query.where('target_type', '=', q.targetType);
    if (q.targetId !== undefined) query = query.where('target_id', '=', q.targetId);
    if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
    if (q.actorKeyId !== undefined) query = query.where(sql<string>`actor->>'keyId'`, '=', q.actorKeyId);
    if (q.from !== undefined) query = query.where('at', '>=', q.from);
    if (q.to !== undefined) query = query.where('at', '<=', q.to);
    const rows = await query.execute();
    return rows.map(toStoredEntry);
  },

  /** Every row in seq order, a page at a time (for verification of a table too big to hold). */
  async *pages(db: Executor, pageSize = 5000): AsyncGenerator<StoredAuditEntry[]> {
    let after = 0;
    for (;;) {
      const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', String(after)).orderBy('seq', 'asc').limit(pageSize).execute();
      if (rows.length === 0) return;
      const page = rows.map(toStoredEntry);
      yield page;
      after = page[page.length - 1]!.seq;
      if (rows.length < pageSize) return;
    }
  },
};
