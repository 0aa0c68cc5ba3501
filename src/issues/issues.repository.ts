import { sql } from 'kysely';
import type { AuditActor } from '../audit/chain.js';
import { fromJsonColumn } from '../db/json-column.js';
import { LOCKS } from '../db/locks.js';
import type { Executor } from '../db/schema.js';
import type { GoldenFieldName, IssueResolution } from '../golden/types.js';

export type IssueStatus = 'open' | 'resolved' | 'obsolete';

export interface IssueRow {
  id: string;
  residentId: string;
  category: 'conflict' | 'alert';
  kind: string;
  severity: string;
  status: IssueStatus;
  details: Record<string, unknown>;
  resolution: IssueResolution | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface IssueFilter {
  category?: string;
  kind?: string;
  severity?: string;
  status: IssueStatus | 'all';
  residentId?: string;
  /** Only issues with a greater id (the page cursor). */
  afterId?: string;
  limit: number;
}

export interface FieldDecisionWrite {
  residentId: string;
  field: GoldenFieldName;
  value: unknown;
  sourceRecordId: string | null;
  issueId: string;
  reason: string;
  actor: AuditActor;
}

type Row = {
  id: string;
  resident_id: string;
  category: string;
  kind: string;
  severity: string;
  status: string;
  details: unknown;
  resolution: unknown;
  created_at: Date | string;
  updated_at: Date | string;
};

function toIssue(r: Row): IssueRow {
  return {
    id: String(r.id),
    residentId: String(r.resident_id),
    category: r.category as IssueRow['category'],
    kind: r.kind,
    severity: r.severity,
    status: r.status as IssueStatus,
    details: fromJsonColumn<Record<string, unknown>>(r.details),
    resolution: r.resolution === null ? null : fromJsonColumn<IssueResolution>(r.resolution),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** Conflicts and alerts (resident_issue) and the auditors' field decisions that settle them. */
export const issuesRepository = {
  /** The linker's lock: a resolution never interleaves with a link run (src/db/locks.ts). */
  async lockLinks(db: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(${LOCKS.link})`.execute(db);
  },

  async find(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<IssueRow | undefined> {
    let query = db
      .selectFrom('resident_issue')
      .select(['id', 'resident_id', 'category', 'kind', 'severity', 'status', 'details', 'resolution', 'created_at', 'updated_at'])
      .where('id', '=', id);
    if (options.forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toIssue(row as Row) : undefined;
  },

  /** A page in id order. */
  async list(db: Executor, f: IssueFilter): Promise<IssueRow[]> {
    let query = db
      .selectFrom('resident_issue')
      .select(['id', 'resident_id', 'category', 'kind', 'severity', 'status', 'details', 'resolution', 'created_at', 'updated_at'])
      .orderBy('id', 'asc')
      .limit(f.limit);
    if (f.status !== 'all') query = query.where('status', '=', f.status);
    if (f.category !== undefined) query = query.where('category', '=', f.category);
    if (f.kind !== undefined) query = query.where('kind', '=', f.kind);
    if (f.severity !== undefined) query = query.where('severity', '=', f.severity);
    if (f.residentId !== undefined) query = query.where('resident_id', '=', f.residentId);
    if (f.afterId !== undefined) query = query.where('id', '>', f.afterId);
    const rows = await query.execute();
    return rows.map((r) => toIssue(r as Row));
  },

  /** The source records the resident holds now. */
  async memberIds(db: Executor, residentId: string): Promise<string[]> {
    const rows = await db.selectFrom('resident_link').select('source_record_id').where('resident_id', '=', residentId).orderBy('source_record_id').execute();
    return rows.map((r) => String(r.source_record_id));
  },

  async residentVersion(db: Executor, residentId: string): Promise<number | null> {
    const row = await db.selectFrom('resident').select('version').where('id', '=', residentId).executeTakeFirst();
    return row ? row.version : null;
  },

  /** Revokes the resident's standing decision on the field, if any (a new one replaces it). */
  async revokeDecision(db: Executor, residentId: string, field: GoldenFieldName): Promise<string[]> {
    const rows = await db
      .updateTable('field_decision')
      .set({ revoked_at: sql`now()` })
      .where('resident_id', '=', residentId)
      .where('field', '=', field)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((r) => String(r.id));
  },

  async insertDecision(db: Executor, d: FieldDecisionWrite): Promise<{ id: string; createdAt: Date }> {
    const row = await db
      .insertInto('field_decision')
      .values({
        resident_id: d.residentId,
        field: d.field,
        value: JSON.stringify(d.value),
        source_record_id: d.sourceRecordId,
        issue_id: d.issueId,
        reason: d.reason,
        actor: JSON.stringify(d.actor),
      })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow();
    return { id: String(row.id), createdAt: new Date(row.created_at) };
  },

  async markResolved(db: Executor, id: string, resolution: IssueResolution): Promise<void> {
    await db
      .updateTable('resident_issue')
      .set({ status: 'resolved', resolution: JSON.stringify(resolution), updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
  },
};
