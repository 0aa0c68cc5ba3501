import { sql } from 'kysely';
import { bulkInsert, type BulkWriter } from '../db/bulk.js';
import { fromJsonColumn } from '../db/json-column.js';
import { LOCKS } from '../db/locks.js';
import type { LinkRun } from '../db/schema.js';
import type { ModelParameters, NameFrequencies } from './model.js';

import type { Executor } from '../db/schema.js';

/** Records' blocking-key hashes: record id, then its hashes (a Map, or generated a record at a time). */
export type RecordKeys = Iterable<readonly [string, ArrayLike<number>]>;

/** A source record as the linker reads it. */
export interface LinkableRecord {
  id: string;
  source: string;
  naturalKey: string;
  version: number;
  present: boolean;
  data: Record<string, unknown>;
  /** The resident it is linked to now, if any. */
  residentId: string | null;
  /** The name and pinyin it was counted under in name_frequency when it was linked. */
  linkedName: string | null;
  linkedPinyin: string | null;
}

export interface LinkWrite {
  recordId: string;
  residentId: string;
  recordVersion: number;
  recordPresent: boolean;
  probability: number;
  method: string;
  partnerRecordId: string | null;
  weight: number | null;
  fieldWeights: Record<string, number> | null;
  nameMatch: string | null;
  namePinyin: string | null;
}

export interface ReviewWrite {
  recordA: string;
  recordB: string;
  weight: number;
  probability: number;
  fieldWeights: Record<string, number>;
  levels: Record<string, string>;
  reason: string;
}

/** A block shared by more records than this says nothing about who a person is (a dormitory's phone). */
const MAX_BLOCK_FETCH = 1_000;

export const linkRepository = {
  async lock(db: Executor): Promise<void> {
    // A single linker at a time across every process and machine (see src/db/locks.ts).
    await sql`select pg_advisory_xact_lock(${LOCKS.link})`.execute(db);
  },

  async latestModel(db: Executor): Promise<{ id: string; params: ModelParameters; records: number; sources: string[]; createdAt: string } | undefined> {
    const row = await db.selectFrom('link_model').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      params: fromJsonColumn<ModelParameters>(row.params),
      records: row.records,
      sources: fromJsonColumn<string[]>(row.sources),
      createdAt: new Date(row.created_at).toISOString(),
    };
  },

  async insertModel(db: Executor, params: ModelParameters, records: number, sources: string[]): Promise<string> {
    const row = await db
      .insertInto('link_model')
      .values({ params: JSON.stringify(params), records, sources: JSON.stringify(sources) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  async insertRun(db: Executor, run: { jobId: string; mode: string; reason: string }): Promise<string> {
    const row = await db
      .insertInto('link_run')
      .values({ job_id: run.jobId, mode: run.mode, reason: run.reason, status: 'running' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  async finishRun(db: Executor, id: string, values: { modelId: string | null; pending: number; compared: number; stats: unknown }): Promise<void> {
    await db
      .updateTable('link_run')
      .set({
        status: 'done',
        model_id: values.modelId,
        records_pending: values.pending,
        records_compared: values.compared,
        stats: JSON.stringify(values.stats),
        finished_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
  },

  async getRun(db: Executor, id: string): Promise<LinkRun | undefined> {
    return db.selectFrom('link_run').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async latestRun(db: Executor): Promise<LinkRun | undefined> {
    return db.selectFrom('link_run').selectAll().where('status', '=', 'done').orderBy('id', 'desc').limit(1).executeTakeFirst();
  },

  /** Records per source, and how many are queued for linking (some may prove linked as they are). */
  async counts(db: Executor): Promise<{ total: number; pending: number; bySource: Record<string, number> }> {
    // Records are never deleted, so the batches' created counts are the table's, without scanning it.
    const rows = await sql<{ source: string; total: string }>`
        select source, sum(records_created) as total from import_batch where status = 'completed'
        group by source having sum(records_created) > 0 order by source`.execute(db);
    const pending = await sql<{ n: string }>`select count(*) as n from link_pending`.execute(db);
    const bySource: Record<string, number> = {};
    let total = 0;
    for (const r of rows.rows) {
      bySource[r.source] = Number(r.total);
      total += Number(r.total);
    }
    return { total, pending: Number(pending.rows[0]?.n ?? 0), bySource };
  },

  /** What the next link run would see: changes whenever an import or a link run commits. */
  async stateFingerprint(db: Executor): Promise<string> {
    const row = await sql<{ f: string }>`
      select concat_ws('-', (select coalesce(max(id), 0) from import_batch where status = 'completed'),
        (select count(*) from link_pending), (select coalesce(max(source_record_id), 0) from link_pending),
        (select coalesce(max(id), 0) from link_run)) as f`.execute(db);
    return row.rows[0]?.f ?? '0';
  },

  /** Every record on the work list (changed or not). */
  async queuedIds(db: Executor): Promise<Set<string>> {
    const rows = await sql<{ source_record_id: string }>`select source_record_id from link_pending`.execute(db);
    return new Set(rows.rows.map((r) => r.source_record_id));
  },

  /** The work list is done. Only under the link lock: no import can have added to it since it was read. */
  async clearPending(db: Executor): Promise<void> {
    await sql`delete from link_pending`.execute(db);
  },

  /**
   * Records in pages of `pageSize`, by id: every record (`which: 'all'`), the records not
   * linked as they are now ('pending'), or the given ids.
   */
  async *records(db: Executor, which: 'all' | 'pending' | { ids: readonly string[] }, pageSize = 10_000): AsyncGenerator<LinkableRecord[]> {
    if (typeof which === 'object') {
      for (let start = 0; start < which.ids.length; start += pageSize) {
        const ids = which.ids.slice(start, start + pageSize);
        const rows = await sql<RecordRow>`
          select s.id, s.source, s.natural_key, s.version, s.present, s.data, l.resident_id, l.name_match as linked_name, l.name_pinyin as linked_pinyin
          from source_record s left join resident_link l on l.source_record_id = s.id
          where s.id = any(array(select unnest(${ids}::bigint[]))) order by s.id`.execute(db);
        yield rows.rows.map(toLinkable);
      }
      return;
    }
    let after = '0';
    if (which === 'pending') {
      // Page through the work list; keep the records not linked as they are now.
      for (;;) {
        const page = await sql<{ source_record_id: string }>`
          select source_record_id from link_pending where source_record_id > ${after}::bigint order by source_record_id limit ${pageSize}`.execute(db);
        if (page.rows.length === 0) return;
        const ids = page.rows.map((r) => r.source_record_id);
        const rows = await sql<RecordRow>`
          select s.id, s.source, s.natural_key, s.version, s.present, s.data, l.resident_id, l.name_match as linked_name, l.name_pinyin as linked_pinyin
          from source_record s left join resident_link l on l.source_record_id = s.id
          where s.id = any(${ids}::bigint[])
            and (l.source_record_id is null or l.record_version <> s.version or l.record_present <> s.present)
          order by s.id`.execute(db);
        yield rows.rows.map(toLinkable);
        after = ids[ids.length - 1]!;
      }
    }
    for (;;) {
      const rows = await sql<RecordRow>`
        select s.id, s.source, s.natural_key, s.version, s.present, s.data, l.resident_id, l.name_match as linked_name, l.name_pinyin as linked_pinyin
        from source_record s left join resident_link l on l.source_record_id = s.id
        where s.id > ${after}::bigint order by s.id limit ${pageSize}`.execute(db);
      if (rows.rows.length === 0) return;
      yield rows.rows.map(toLinkable);
      after = rows.rows[rows.rows.length - 1]!.id;
    }
  },

  /** Linked records sharing a blocking key with the given hashes (blocks larger than MAX_BLOCK_FETCH left out). */
  async recordsSharingKeys(db: Executor, keys: readonly number[]): Promise<string[]> {
    const out = new Set<string>();
    for (let start = 0; start < keys.length; start += 20_000) {
      const chunk = keys.slice(start, start + 20_000).map(String);
      // `= any(array(select unnest(…)))`: planned as a short list, so the index drives the
      // scan; with `= any($1)` over thousands of keys the planner scans the whole table instead.
      const sizes = await sql<{ key: string; n: number }>`
        select key, count(*)::int as n from link_key where key = any(array(select unnest(${chunk}::bigint[]))) group by key`.execute(db);
      const kept = sizes.rows.filter((r) => r.n <= MAX_BLOCK_FETCH).map((r) => r.key);
      if (!kept.length) continue;
      const rows = await sql<{ source_record_id: string }>`
        select source_record_id from link_key where key = any(array(select unnest(${kept}::bigint[])))`.execute(db);
      for (const r of rows.rows) out.add(r.source_record_id);
    }
    return [...out];
  },

  /** The residents these records are linked to. */
  async residentsOf(db: Executor, recordIds: readonly string[]): Promise<string[]> {
    const out = new Set<string>();
    for (let start = 0; start < recordIds.length; start += 20_000) {
      const rows = await sql<{ resident_id: string }>`
        select distinct resident_id from resident_link
        where source_record_id = any(array(select unnest(${recordIds.slice(start, start + 20_000)}::bigint[])))`.execute(db);
      for (const r of rows.rows) out.add(r.resident_id);
    }
    return [...out];
  },

  /** Every record linked to these residents. */
  async membersOf(db: Executor, residentIds: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (let start = 0; start < residentIds.length; start += 20_000) {
      const rows = await sql<{ source_record_id: string }>`
        select source_record_id from resident_link
        where resident_id = any(array(select unnest(${residentIds.slice(start, start + 20_000)}::bigint[])))`.execute(db);
      for (const r of rows.rows) out.push(r.source_record_id);
    }
    return out;
  },

  /** The stored counts of the given names and pinyin, and of all records (as of the last run). */
  async storedFrequencies(db: Executor, names: readonly string[], pinyins: readonly string[]): Promise<{ records: number; byName: Map<string, number>; byPinyin: Map<string, number> }> {
    const rows = await sql<{ kind: string; value: string; count: number }>`
      select kind, value, count from name_frequency
      where (kind = 'name' and value = any(${names}::text[])) or (kind = 'pinyin' and value = any(${pinyins}::text[]))
        or (kind = 'total' and value = '')`.execute(db);
    const byName = new Map<string, number>();
    const byPinyin = new Map<string, number>();
    let records = 0;
    for (const r of rows.rows) {
      if (r.kind === 'name') byName.set(r.value, r.count);
      else if (r.kind === 'pinyin') byPinyin.set(r.value, r.count);
      else records = r.count;
    }
    return { records, byName, byPinyin };
  },

  /** Every count again (a full run). */
  async replaceFrequencies(writer: BulkWriter, counts: NameFrequencies): Promise<void> {
    await sql`delete from name_frequency`.execute(writer.db);
    const rows: [string, string, number][] = [['total', '', counts.records]];
    for (const [value, count] of counts.byName) rows.push(['name', value, count]);
    for (const [value, count] of counts.byPinyin) rows.push(['pinyin', value, count]);
    await bulkInsert(
      writer,
      'name_frequency',
      [
        { name: 'kind', type: 'text' },
        { name: 'value', type: 'text' },
        { name: 'count', type: 'integer' },
      ],
      rows,
    );
  },

  /** Adds a run's changes to the counts. */
  async adjustFrequencies(db: Executor, change: { records: number; byName: ReadonlyMap<string, number>; byPinyin: ReadonlyMap<string, number> }): Promise<void> {
    const deltas: [string, string, number][] = [['total', '', change.records]];
    for (const [value, delta] of change.byName) deltas.push(['name', value, delta]);
    for (const [value, delta] of change.byPinyin) deltas.push(['pinyin', value, delta]);
    const changed = deltas.filter((d) => d[2] !== 0);
    for (let start = 0; start < changed.length; start += 5_000) {
      const chunk = changed.slice(start, start + 5_000);
      await sql`
        insert into name_frequency (kind, value, count)
        select * from unnest(${chunk.map((d) => d[0])}::text[], ${chunk.map((d) => d[1])}::text[], ${chunk.map((d) => d[2])}::int[])
        on conflict (kind, value) do update set count = name_frequency.count + excluded.count`.execute(db);
    }
    await sql`delete from name_frequency where count <= 0 and kind <> 'total'`.execute(db);
  },

  /**
   * Ids for `count` new residents, without their rows: the golden stage inserts each row whole
   * once its golden record is known (inserting bare rows, then updating every one, wrote each
   * resident and its index entries twice).
   */
  async reserveResidentIds(db: Executor, count: number): Promise<string[]> {
    if (count === 0) return [];
    const rows = await sql<{ id: string }>`
      select nextval(pg_get_serial_sequence('resident', 'id'))::text as id from generate_series(1, ${count})`.execute(db);
    return rows.rows.map((r) => r.id).sort((a, b) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : 1));
  },

  /** `from` now redirects to `into`, and so does everything that redirected to `from`. */
  async mergeResidents(db: Executor, merges: readonly { from: string; into: string }[]): Promise<void> {
    for (const m of merges) {
      await sql`update resident set merged_into = ${m.into}::bigint, updated_at = now() where id = ${m.from}::bigint or merged_into = ${m.from}::bigint`.execute(db);
      await sql`update resident_issue set status = 'obsolete', updated_at = now() where resident_id = ${m.from}::bigint and status = 'open'`.execute(db);
    }
  },

  async deleteLinks(db: Executor, recordIds: readonly string[] | 'all'): Promise<void> {
    if (recordIds === 'all') {
      await sql`delete from resident_link`.execute(db);
      return;
    }
    for (let start = 0; start < recordIds.length; start += 20_000) {
      await sql`delete from resident_link where source_record_id = any(${recordIds.slice(start, start + 20_000)}::bigint[])`.execute(db);
    }
  },

  /** Fresh statistics after a bulk load, for the queries later in the same transaction. */
  async analyzeLinks(db: Executor): Promise<void> {
    await sql`analyze resident_link`.execute(db);
  },

  /** After a full run rewrote them: lookups by ID number, name or id plan on fresh statistics. */
  async analyzeResidents(db: Executor): Promise<void> {
    await sql`analyze resident`.execute(db);
    await sql`analyze resident_version`.execute(db);
  },

  async insertLinks(writer: BulkWriter, runId: string, links: readonly LinkWrite[]): Promise<void> {
    await bulkInsert(
      writer,
      'resident_link',
      [
        { name: 'source_record_id', type: 'bigint' },
        { name: 'resident_id', type: 'bigint' },
        { name: 'record_version', type: 'integer' },
        { name: 'record_present', type: 'boolean' },
        { name: 'probability', type: 'float8' },
        { name: 'method', type: 'text' },
        { name: 'partner_record_id', type: 'bigint' },
        { name: 'weight', type: 'float8' },
        { name: 'field_weights', type: 'json' },
        { name: 'run_id', type: 'bigint' },
        { name: 'name_match', type: 'text' },
        { name: 'name_pinyin', type: 'text' },
      ],
      // Row by row as COPY takes them: 381,881 arrays of values at once were the run's peak heap.
      (function* () {
        for (const l of links) {
          yield [
            l.recordId,
            l.residentId,
            l.recordVersion,
            l.recordPresent,
            l.probability,
            l.method,
            l.partnerRecordId,
            l.weight,
            l.fieldWeights === null ? null : JSON.stringify(l.fieldWeights),
            runId,
            l.nameMatch,
            l.namePinyin,
          ];
        }
      })(),
    );
  },

  /**
   * keys: each record's blocking-key hashes. parallelIndexBuilds false: the server builds each
   * index on one core (when the caller has work of its own for the other).
   */
  async replaceKeys(writer: BulkWriter, recordIds: readonly string[] | 'all', keys: RecordKeys, options: { parallelIndexBuilds?: boolean } = {}): Promise<void> {
    if (recordIds === 'all') {
      if (options.parallelIndexBuilds === false) await sql`set local max_parallel_maintenance_workers = 0`.execute(writer.db);
      // Every key again: load the table bare and index it afterwards, several times faster
      // than maintaining two indexes row by row. Only the linker (under its lock) reads it.
      await sql`truncate link_key`.execute(writer.db);
      await sql`drop index if exists link_key_key`.execute(writer.db);
      await sql`drop index if exists link_key_record`.execute(writer.db);
      await this.insertKeys(writer, keys);
      await sql`create index link_key_key on link_key (key)`.execute(writer.db);
      await sql`create index link_key_record on link_key (source_record_id)`.execute(writer.db);
      await sql`analyze link_key`.execute(writer.db);
      return;
    }
    for (let start = 0; start < recordIds.length; start += 20_000) {
      await sql`delete from link_key where source_record_id = any(${recordIds.slice(start, start + 20_000)}::bigint[])`.execute(writer.db);
    }
    await this.insertKeys(writer, keys);
  },

  async insertKeys(writer: BulkWriter, keys: RecordKeys): Promise<void> {
    // Millions of rows of two numbers, made as they are sent: never an array of them all.
    await bulkInsert(
      writer,
      'link_key',
      [
        { name: 'key', type: 'bigint' },
        { name: 'source_record_id', type: 'bigint' },
      ],
      keyRows(keys),
    );
  },

  /**
   * Review items of this run: new pairs open, known pairs refreshed (a decided one keeps its
   * decision; an obsolete one opens again). A pair an auditor has decided (pair_decision not
   * revoked) is never opened again. Open items among `scope`'s records (or all) that the run
   * did not ask for again are obsolete.
   */
  async writeReview(db: Executor, runId: string, items: readonly ReviewWrite[], scope: readonly string[] | 'all'): Promise<{ opened: number; obsoleted: number }> {
    let opened = 0;
    for (let start = 0; start < items.length; start += 2_000) {
      const chunk = items.slice(start, start + 2_000);
      const rows = await sql<{ inserted: boolean }>`
        insert into review_item (record_a, record_b, weight, probability, field_weights, levels, reason, status, run_id)
        select x.a, x.b, x.weight, x.probability, x.field_weights, x.levels, x.reason, 'open', ${runId}::bigint
        from jsonb_to_recordset(${JSON.stringify(
          chunk.map((i) => ({ a: i.recordA, b: i.recordB, weight: i.weight, probability: i.probability, field_weights: i.fieldWeights, levels: i.levels, reason: i.reason })),
        )}::jsonb) as x(a bigint, b bigint, weight float8, probability float8, field_weights json, levels json, reason text)
        where not exists (select 1 from pair_decision d where d.record_a = x.a and d.record_b = x.b and d.revoked_at is null)
        on conflict (record_a, record_b) do update set weight = excluded.weight, probability = excluded.probability,
          field_weights = excluded.field_weights, levels = excluded.levels, reason = excluded.reason, run_id = excluded.run_id,
          status = case when review_item.status = 'obsolete' then 'open' else review_item.status end, updated_at = now()
        returning (xmax = 0) as inserted`.execute(db);
      opened += rows.rows.filter((r) => r.inserted).length;
    }
    const result =
      scope === 'all'
        ? await sql`update review_item set status = 'obsolete', updated_at = now() where status = 'open' and run_id <> ${runId}::bigint`.execute(db)
        : await sql`update review_item set status = 'obsolete', updated_at = now()
            where status = 'open' and run_id <> ${runId}::bigint
              and (record_a = any(${scope}::bigint[]) or record_b = any(${scope}::bigint[]))`.execute(db);
    return { opened, obsoleted: Number(result.numAffectedRows ?? 0) };
  },

  /**
   * Auditors' decisions not revoked, between records of `ids` (both sides among them) or all.
   * A decided pair always has both records in one resident (match) or was told apart (non-match),
   * so the records a run loads hold every decision that can change its clusters.
   */
  async activeDecisions(db: Executor, ids: readonly string[] | 'all'): Promise<{ recordA: string; recordB: string; decision: 'match' | 'non_match' }[]> {
    const rows =
      ids === 'all'
        ? await sql<{ record_a: string; record_b: string; decision: 'match' | 'non_match' }>`
            select record_a, record_b, decision from pair_decision where revoked_at is null order by id`.execute(db)
        : await sql<{ record_a: string; record_b: string; decision: 'match' | 'non_match' }>`
            select record_a, record_b, decision from pair_decision
            where revoked_at is null and record_a = any(array(select unnest(${ids}::bigint[])))
              and record_b = any(array(select unnest(${ids}::bigint[])))
            order by id`.execute(db);
    return rows.rows.map((r) => ({ recordA: r.record_a, recordB: r.record_b, decision: r.decision }));
  },

  /** Every accepted record with its resident (merged residents followed), for `export links`. */
  async *linksForExport(db: Executor, pageSize = 20_000): AsyncGenerator<{ source: string; file_name: string; row_number: number; resident_id: string | null; probability: number | null; method: string | null }[]> {
    let after = '0';
    for (;;) {
      const rows = await sql<{ id: string; source: string; file_name: string; row_number: number; resident_id: string | null; probability: number | null; method: string | null }>`
        select s.id, s.source, s.file_name, s.row_number, coalesce(r.merged_into, l.resident_id) as resident_id, l.probability, l.method
        from source_record s
        left join resident_link l on l.source_record_id = s.id
        left join resident r on r.id = l.resident_id
        where s.id > ${after}::bigint order by s.id limit ${pageSize}`.execute(db);
      if (rows.rows.length === 0) return;
      yield rows.rows;
      after = rows.rows[rows.rows.length - 1]!.id;
    }
  },
};

interface RecordRow {
  id: string;
  source: string;
  natural_key: string;
  version: number;
  present: boolean;
  data: unknown;
  resident_id: string | null;
  linked_name: string | null;
  linked_pinyin: string | null;
}

function toLinkable(r: RecordRow): LinkableRecord {
  return {
    id: r.id,
    source: r.source,
    naturalKey: r.natural_key,
    version: r.version,
    present: r.present,
    data: fromJsonColumn<Record<string, unknown>>(r.data),
    residentId: r.resident_id,
    linkedName: r.linked_name,
    linkedPinyin: r.linked_pinyin,
  };
}

/** link_key rows: each hash of each record, with the record's id. */
function* keyRows(keys: RecordKeys): Generator<[number, string]> {
  for (const [id, hashes] of keys) for (let k = 0; k < hashes.length; k++) yield [hashes[k]!, id];
}
