import { sql } from 'kysely';
import { bulkInsert, type BulkWriter } from '../db/bulk.js';
import { fromJsonColumn } from '../db/json-column.js';
import type { Executor, ResidentEventTable } from '../db/schema.js';

/** One entry of the changes feed departments pull (GET /v1/changes). */
export interface ResidentEventWrite {
  residentId: string;
  kind: ResidentEventTable['kind'];
  /** The resident's version after the change (created / updated / restored). */
  version?: number | null;
  /** merged: the survivor; split: the resident the records went to (on the source) or came from (on the new one). */
  relatedResidentId?: string | null;
  runId?: string | null;
  actionId?: string | null;
}

/** An event as the feed reads it, with what its version changed. */
export interface StoredResidentEvent {
  id: string;
  residentId: string;
  kind: ResidentEventTable['kind'];
  version: number | null;
  relatedResidentId: string | null;
  createdAt: Date;
  /** resident_version.changes of the event's version (null for a first version or no version). */
  changes: unknown;
  /** The version's golden record: when asked for, and always for a first version (its changes are all of it). */
  golden: unknown;
}

const COLUMNS = [
  { name: 'resident_id', type: 'bigint' },
  { name: 'kind', type: 'text' },
  { name: 'version', type: 'integer' },
  { name: 'related_resident_id', type: 'bigint' },
  { name: 'run_id', type: 'bigint' },
  { name: 'action_id', type: 'bigint' },
] as const;

export const eventsRepository = {
  /** Appends events in the order given (the feed's order); COPY when the writer has a client. */
  async append(writer: BulkWriter, events: readonly ResidentEventWrite[]): Promise<void> {
    if (events.length === 0) return;
    await bulkInsert(
      writer,
      'resident_event',
      COLUMNS,
      events.map((e) => [e.residentId, e.kind, e.version ?? null, e.relatedResidentId ?? null, e.runId ?? null, e.actionId ?? null]),
    );
  },

  /** Events after the cursor `afterId`, in id order, with their version's changes (and golden record). */
  async page(db: Executor, afterId: string, limit: number, withGolden: boolean): Promise<StoredResidentEvent[]> {
    const rows = await sql<{
      id: string;
      resident_id: string;
      kind: ResidentEventTable['kind'];
      version: number | null;
      related_resident_id: string | null;
      created_at: Date | string;
      changes: unknown;
      golden: unknown;
    }>`
      select e.id::text as id, e.resident_id::text as resident_id, e.kind, e.version, e.related_resident_id::text as related_resident_id, e.created_at,
        v.changes, case when ${withGolden}::boolean or v.changes is null then v.golden end as golden
      from resident_event e
      left join resident_version v on v.resident_id = e.resident_id and v.version = e.version
      where e.id > ${afterId}::bigint
      order by e.id
      limit ${limit}`.execute(db);
    return rows.rows.map((r) => ({
      id: r.id,
      residentId: r.resident_id,
      kind: r.kind,
      version: r.version,
      relatedResidentId: r.related_resident_id,
      createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
      changes: r.changes === null ? null : fromJsonColumn(r.changes),
      golden: r.golden === null ? null : fromJsonColumn(r.golden),
    }));
  },
};
