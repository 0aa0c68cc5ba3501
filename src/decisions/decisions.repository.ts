import { sql } from 'kysely';
import { fromJsonColumn } from '../db/json-column.js';
import { LOCKS } from '../db/locks.js';
import type { AuditActorColumn, Executor } from '../db/schema.js';
import type { ActiveDecision, LinkExplanation, Pair, PairDecisionKind, ResidentMark } from './plan.js';

/**
 * What an action replaced, kept with it so that an undo restores it exactly: the rows of
 * resident and resident_link as they were (whole rows, as JSON, so that every column and its
 * exact value comes back), the findings open and the review items' statuses, the decisions
 * the action wrote and revoked, and each resident as the action left it.
 */
export interface ActionSnapshot {
  residents: Record<string, unknown>[];
  links: Record<string, unknown>[];
  openIssues: string[];
  versions: Record<string, number>;
  reviewItems: { id: string; status: string }[];
  decisions: { created: string[]; revoked: string[] };
  /** The resident a split created. */
  newResidentId?: string;
  after: Record<string, ResidentMark>;
}

export interface StoredAction {
  id: string;
  kind: string;
  residentIds: string[];
  snapshot: ActionSnapshot;
  reason: string | null;
  actor: AuditActorColumn;
  createdAt: string;
  undoneAt: string | null;
  undoneBy: AuditActorColumn | null;
}

export interface NewPairDecision {
  pair: Pair;
  decision: PairDecisionKind;
  origin: 'review' | 'merge' | 'split';
  actionId: string | null;
  reviewItemId: string | null;
  reason: string | null;
  actor: AuditActorColumn;
}

export interface ResidentState extends ResidentMark {
  id: string;
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : (value instanceof Date ? value : new Date(value)).toISOString();
}

interface ActionRow {
  id: string;
  kind: string;
  resident_ids: unknown;
  snapshot: unknown;
  reason: string | null;
  actor: unknown;
  created_at: Date | string;
  undone_at: Date | string | null;
  undone_by: unknown;
}

function toAction(r: ActionRow): StoredAction {
  return {
    id: r.id,
    kind: r.kind,
    residentIds: fromJsonColumn<string[]>(r.resident_ids),
    snapshot: fromJsonColumn<ActionSnapshot>(r.snapshot),
    reason: r.reason,
    actor: fromJsonColumn<AuditActorColumn>(r.actor),
    createdAt: iso(r.created_at)!,
    undoneAt: iso(r.undone_at),
    undoneBy: r.undone_by === null ? null : fromJsonColumn<AuditActorColumn>(r.undone_by),
  };
}

export const decisionsRepository = {
  /** The linker's lock: no decision interleaves with a link run (src/db/locks.ts). */
  async lockLinks(db: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(${LOCKS.link})`.execute(db);
  },

  async residents(db: Executor, ids: readonly string[]): Promise<Map<string, ResidentState>> {
    const rows = await sql<{ id: string; version: number; merged_into: string | null; golden_hash: string | null }>`
      select id::text as id, version, merged_into::text as merged_into, golden_hash from resident where id = any(${ids}::bigint[])`.execute(db);
    return new Map(rows.rows.map((r) => [r.id, { id: r.id, version: r.version, mergedInto: r.merged_into, goldenHash: r.golden_hash }]));
  },

  /** Each resident's records (resident_link), ids in numeric order. */
  async members(db: Executor, residentIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(residentIds.map((id) => [id, []]));
    const rows = await sql<{ resident_id: string; source_record_id: string }>`
      select resident_id::text as resident_id, source_record_id::text as source_record_id from resident_link
      where resident_id = any(${residentIds}::bigint[]) order by source_record_id`.execute(db);
    for (const r of rows.rows) out.get(r.resident_id)?.push(r.source_record_id);
    return out;
  },

  /** The live resident (merged ones followed) each record is linked to; unlinked records are absent. */
  async residentOfRecords(db: Executor, recordIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await sql<{ id: string; resident_id: string }>`
      select l.source_record_id::text as id, coalesce(r.merged_into, l.resident_id)::text as resident_id
      from resident_link l join resident r on r.id = l.resident_id
      where l.source_record_id = any(${recordIds}::bigint[])`.execute(db);
    return new Map(rows.rows.map((r) => [r.id, r.resident_id]));
  },

  /** Whole rows, as JSON: every column with its exact value (timestamps to the microsecond). */
  async residentRows(db: Executor, ids: readonly string[], redirectingTo: readonly string[] = []): Promise<Record<string, unknown>[]> {
    const rows = await sql<{ row: unknown }>`
      select to_jsonb(r) as row from resident r
      where r.id = any(${ids}::bigint[]) or r.merged_into = any(${redirectingTo}::bigint[]) order by r.id`.execute(db);
    return rows.rows.map((r) => fromJsonColumn<Record<string, unknown>>(r.row));
  },

  async linkRows(db: Executor, residentIds: readonly string[]): Promise<Record<string, unknown>[]> {
    const rows = await sql<{ row: unknown }>`
      select row_to_json(l) as row from resident_link l where l.resident_id = any(${residentIds}::bigint[]) order by l.source_record_id`.execute(db);
    return rows.rows.map((r) => fromJsonColumn<Record<string, unknown>>(r.row));
  },

  /** The explanation columns of these residents' links. */
  async linkExplanations(db: Executor, residentIds: readonly string[]): Promise<LinkExplanation[]> {
    const rows = await sql<{
      source_record_id: string;
      resident_id: string;
      method: string;
      probability: number;
      partner_record_id: string | null;
      weight: number | null;
      field_weights: unknown;
    }>`
      select source_record_id::text as source_record_id, resident_id::text as resident_id, method, probability,
        partner_record_id::text as partner_record_id, weight, field_weights
      from resident_link where resident_id = any(${residentIds}::bigint[]) order by source_record_id`.execute(db);
    return rows.rows.map((r) => ({
      recordId: r.source_record_id,
      residentId: r.resident_id,
      method: r.method,
      probability: r.probability,
      partnerRecordId: r.partner_record_id,
      weight: r.weight,
      fieldWeights: r.field_weights === null ? null : fromJsonColumn<Record<string, number>>(r.field_weights),
    }));
  },

  async moveLinks(db: Executor, recordIds: readonly string[], residentId: string): Promise<void> {
    await sql`update resident_link set resident_id = ${residentId}::bigint, linked_at = now() where source_record_id = any(${recordIds}::bigint[])`.execute(db);
  },

  async writeExplanations(db: Executor, links: readonly LinkExplanation[]): Promise<void> {
    if (!links.length) return;
    await sql`
      update resident_link l set method = x.method, probability = x.probability, partner_record_id = x.partner_record_id,
        weight = x.weight, field_weights = x.field_weights
      from jsonb_to_recordset(${JSON.stringify(
        links.map((l) => ({ id: l.recordId, method: l.method, probability: l.probability, partner_record_id: l.partnerRecordId, weight: l.weight, field_weights: l.fieldWeights })),
      )}::jsonb) as x(id bigint, method text, probability float8, partner_record_id bigint, weight float8, field_weights json)
      where l.source_record_id = x.id`.execute(db);
  },

  /** Puts links back exactly as `rows` (whole rows from linkRows) have them. */
  async restoreLinks(db: Executor, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (!rows.length) return;
    const ids = rows.map((r) => String(r.source_record_id));
    await sql`delete from resident_link where source_record_id = any(${ids}::bigint[])`.execute(db);
    // json, not jsonb: a json column's text comes back as it was written.
    await sql`insert into resident_link select * from json_populate_recordset(null::resident_link, ${JSON.stringify(rows)}::json)`.execute(db);
  },

  async setMergedInto(db: Executor, rows: readonly { id: string; mergedInto: string | null }[]): Promise<void> {
    for (const r of rows) {
      await sql`update resident set merged_into = ${r.mergedInto}::bigint, updated_at = now() where id = ${r.id}::bigint`.execute(db);
    }
  },

  /** A resident with no record yet (a split fills it). */
  async createResident(db: Executor): Promise<string> {
    const row = await sql<{ id: string }>`insert into resident default values returning id::text as id`.execute(db);
    return row.rows[0]!.id;
  },

  async openIssues(db: Executor, residentIds: readonly string[]): Promise<string[]> {
    const rows = await sql<{ id: string }>`
      select id::text as id from resident_issue where resident_id = any(${residentIds}::bigint[]) and status = 'open' order by id`.execute(db);
    return rows.rows.map((r) => r.id);
  },

  /** Findings open before an action and made obsolete since: open again. */
  async reopenIssues(db: Executor, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await sql`update resident_issue set status = 'open', updated_at = now() where id = any(${ids}::bigint[]) and status = 'obsolete'`.execute(db);
  },

  // ------------------------------------------------------------------------- pair decisions

  /** Decisions not revoked with both records among `recordIds`. */
  async activeDecisions(db: Executor, recordIds: readonly string[]): Promise<ActiveDecision[]> {
    const rows = await sql<{ id: string; record_a: string; record_b: string; decision: PairDecisionKind }>`
      select id::text as id, record_a::text as record_a, record_b::text as record_b, decision from pair_decision
      where revoked_at is null and record_a = any(${recordIds}::bigint[]) and record_b = any(${recordIds}::bigint[]) order by id`.execute(db);
    return rows.rows.map((r) => ({ id: r.id, recordA: r.record_a, recordB: r.record_b, decision: r.decision }));
  },

  async insertDecisions(db: Executor, decisions: readonly NewPairDecision[]): Promise<string[]> {
    if (!decisions.length) return [];
    const rows = await sql<{ id: string }>`
      insert into pair_decision (record_a, record_b, decision, origin, action_id, review_item_id, reason, actor)
      select x.record_a, x.record_b, x.decision, x.origin, x.action_id, x.review_item_id, x.reason, x.actor
      from jsonb_to_recordset(${JSON.stringify(
        decisions.map((d) => ({
          record_a: d.pair[0],
          record_b: d.pair[1],
          decision: d.decision,
          origin: d.origin,
          action_id: d.actionId,
          review_item_id: d.reviewItemId,
          reason: d.reason,
          actor: d.actor,
        })),
      )}::jsonb) as x(record_a bigint, record_b bigint, decision text, origin text, action_id bigint, review_item_id bigint, reason text, actor json)
      returning id::text as id`.execute(db);
    return rows.rows.map((r) => r.id);
  },

  async revokeDecisions(db: Executor, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await sql`update pair_decision set revoked_at = now() where id = any(${ids}::bigint[]) and revoked_at is null`.execute(db);
  },

  /** Decisions an undone action had revoked stand again. */
  async reinstateDecisions(db: Executor, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await sql`update pair_decision set revoked_at = null where id = any(${ids}::bigint[])`.execute(db);
  },

  // ------------------------------------------------------------------------- actions

  async insertAction(db: Executor, action: { kind: string; residentIds: readonly string[]; reason: string | null; actor: AuditActorColumn }): Promise<string> {
    const row = await db
      .insertInto('auditor_action')
      .values({ kind: action.kind, resident_ids: JSON.stringify(action.residentIds), snapshot: JSON.stringify({}), reason: action.reason, actor: JSON.stringify(action.actor) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return String(row.id);
  },

  async saveAction(db: Executor, id: string, residentIds: readonly string[], snapshot: ActionSnapshot): Promise<void> {
    await db
      .updateTable('auditor_action')
      .set({ resident_ids: JSON.stringify(residentIds), snapshot: JSON.stringify(snapshot) })
      .where('id', '=', id)
      .execute();
  },

  async action(db: Executor, id: string): Promise<StoredAction | undefined> {
    const rows = await sql<ActionRow>`select * from auditor_action where id = ${id}::bigint`.execute(db);
    return rows.rows[0] ? toAction(rows.rows[0]) : undefined;
  },

  /** Actions after `afterId`, not undone, on any of these residents. */
  async laterActions(db: Executor, afterId: string, residentIds: readonly string[]): Promise<StoredAction[]> {
    const rows = await sql<ActionRow>`
      select * from auditor_action where id > ${afterId}::bigint and undone_at is null
        and exists (select 1 from jsonb_array_elements_text(resident_ids::jsonb) as r(id) where r.id = any(${residentIds}::text[]))
      order by id`.execute(db);
    return rows.rows.map(toAction);
  },

  async markUndone(db: Executor, id: string, actor: AuditActorColumn): Promise<void> {
    await db.updateTable('auditor_action').set({ undone_at: new Date(), undone_by: JSON.stringify(actor) }).where('id', '=', id).execute();
  },

  /** Newest first; `residentId`: the actions on that resident only; `beforeId`: the page after a cursor. */
  async listActions(db: Executor, query: { residentId?: string; beforeId?: string; limit: number }): Promise<StoredAction[]> {
    const rows = await sql<ActionRow>`
      select * from auditor_action
      where (${query.beforeId ?? null}::bigint is null or id < ${query.beforeId ?? null}::bigint)
        and (${query.residentId ?? null}::text is null or resident_ids::jsonb @> jsonb_build_array(${query.residentId ?? null}::text))
      order by id desc limit ${query.limit}`.execute(db);
    return rows.rows.map(toAction);
  },
};
