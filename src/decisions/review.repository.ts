import { sql } from 'kysely';
import { fromJsonColumn } from '../db/json-column.js';
import type { AuditActorColumn, Executor } from '../db/schema.js';

export type ReviewStatus = 'open' | 'match' | 'non_match' | 'obsolete';

/** One side of a review item: the source record, where it came from, and its resident now. */
export interface StoredReviewSide {
  recordId: string;
  source: string;
  fileName: string;
  rowNumber: number;
  data: Record<string, unknown>;
  /** The live resident (merged ones followed); null for a record not linked yet. */
  residentId: string | null;
}

export interface StoredReviewItem {
  id: string;
  status: ReviewStatus;
  weight: number;
  probability: number;
  reason: string;
  levels: Record<string, string>;
  fieldWeights: Record<string, number>;
  createdAt: string;
  updatedAt: string;
  a: StoredReviewSide;
  b: StoredReviewSide;
  /** The auditor's decision on the item (the latest), when decided. */
  decision: { id: string; decision: 'match' | 'non_match'; reason: string | null; decidedAt: string; by: AuditActorColumn; revokedAt: string | null } | null;
}

interface Row {
  id: string;
  status: ReviewStatus;
  weight: number;
  probability: number;
  reason: string;
  levels: unknown;
  field_weights: unknown;
  created_at: Date | string;
  updated_at: Date | string;
  a_id: string;
  a_source: string;
  a_file: string;
  a_row: number;
  a_data: unknown;
  a_resident: string | null;
  b_id: string;
  b_source: string;
  b_file: string;
  b_row: number;
  b_data: unknown;
  b_resident: string | null;
  d_id: string | null;
  d_decision: 'match' | 'non_match' | null;
  d_reason: string | null;
  d_at: Date | string | null;
  d_actor: unknown;
  d_revoked: Date | string | null;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

function toItem(r: Row): StoredReviewItem {
  const side = (p: 'a' | 'b'): StoredReviewSide => ({
    recordId: r[`${p}_id`],
    source: r[`${p}_source`],
    fileName: r[`${p}_file`],
    rowNumber: r[`${p}_row`],
    data: fromJsonColumn<Record<string, unknown>>(r[`${p}_data`]),
    residentId: r[`${p}_resident`],
  });
  return {
    id: r.id,
    status: r.status,
    weight: r.weight,
    probability: r.probability,
    reason: r.reason,
    levels: fromJsonColumn<Record<string, string>>(r.levels),
    fieldWeights: fromJsonColumn<Record<string, number>>(r.field_weights),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    a: side('a'),
    b: side('b'),
    decision:
      r.d_id === null
        ? null
        : {
            id: r.d_id,
            decision: r.d_decision!,
            reason: r.d_reason,
            decidedAt: iso(r.d_at!),
            by: fromJsonColumn<AuditActorColumn>(r.d_actor),
            revokedAt: r.d_revoked === null ? null : iso(r.d_revoked),
          },
  };
}

const SELECT = sql`
  select i.id::text as id, i.status, i.weight, i.probability, i.reason, i.levels, i.field_weights, i.created_at, i.updated_at,
    a.id::text as a_id, a.source as a_source, a.file_name as a_file, a.row_number as a_row, a.data as a_data,
    coalesce(ra.merged_into, la.resident_id)::text as a_resident,
    b.id::text as b_id, b.source as b_source, b.file_name as b_file, b.row_number as b_row, b.data as b_data,
    coalesce(rb.merged_into, lb.resident_id)::text as b_resident,
    d.id::text as d_id, d.decision as d_decision, d.reason as d_reason, d.created_at as d_at, d.actor as d_actor, d.revoked_at as d_revoked
  from review_item i
  join source_record a on a.id = i.record_a
  join source_record b on b.id = i.record_b
  left join resident_link la on la.source_record_id = a.id
  left join resident ra on ra.id = la.resident_id
  left join resident_link lb on lb.source_record_id = b.id
  left join resident rb on rb.id = lb.resident_id
  left join lateral (select * from pair_decision pd where pd.review_item_id = i.id order by pd.id desc limit 1) d on true`;

export const reviewRepository = {
  /** A page of items of one status, the strongest first (ties by id); `after`: the last item of the previous page. */
  async list(db: Executor, query: { status: ReviewStatus; limit: number; after?: { weight: number; id: string } }): Promise<StoredReviewItem[]> {
    const after = query.after;
    const rows = await sql<Row>`${SELECT}
      where i.status = ${query.status}
        ${after ? sql`and (i.weight < ${after.weight}::float8 or (i.weight = ${after.weight}::float8 and i.id > ${after.id}::bigint))` : sql``}
      order by i.weight desc, i.id
      limit ${query.limit}`.execute(db);
    return rows.rows.map(toItem);
  },

  async get(db: Executor, id: string): Promise<StoredReviewItem | undefined> {
    const rows = await sql<Row>`${SELECT} where i.id = ${id}::bigint`.execute(db);
    return rows.rows[0] ? toItem(rows.rows[0]) : undefined;
  },

  /** The item's pair and status, the row locked for the deciding transaction. */
  async lockItem(db: Executor, id: string): Promise<{ id: string; recordA: string; recordB: string; status: ReviewStatus } | undefined> {
    const rows = await sql<{ id: string; record_a: string; record_b: string; status: ReviewStatus }>`
      select id::text as id, record_a::text as record_a, record_b::text as record_b, status from review_item where id = ${id}::bigint for update`.execute(db);
    const r = rows.rows[0];
    return r ? { id: r.id, recordA: r.record_a, recordB: r.record_b, status: r.status } : undefined;
  },

  /** Open items whose two records are both among `recordIds`. */
  async openAmong(db: Executor, recordIds: readonly string[]): Promise<{ id: string; status: string }[]> {
    const rows = await sql<{ id: string; status: string }>`
      select id::text as id, status from review_item
      where status = 'open' and record_a = any(${recordIds}::bigint[]) and record_b = any(${recordIds}::bigint[]) order by id`.execute(db);
    return rows.rows;
  },

  async setStatuses(db: Executor, items: readonly { id: string; status: string }[]): Promise<void> {
    for (const item of items) {
      await sql`update review_item set status = ${item.status}, updated_at = now() where id = ${item.id}::bigint`.execute(db);
    }
  },
};
