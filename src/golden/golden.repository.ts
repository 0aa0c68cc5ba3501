import { sql } from 'kysely';
import type { SourceName } from '../../adapters/types.js';
import { bulkInsert, type BulkWriter } from '../db/bulk.js';
import { toGoldenInput, type StoredRecord } from './resident-build.js';
import type { AuditorDecision, GoldenFieldName, GoldenInput } from './types.js';

import type { Executor } from '../db/schema.js';

export interface ResidentState {
  id: string;
  version: number;
  goldenJson: string | null;
  goldenHash: string | null;
}

export interface GoldenWrite {
  id: string;
  version: number;
  /** The golden record as stored (stableStringify(golden)). */
  goldenJson: string;
  goldenHash: string;
  /** The golden values the resident row keeps for search. */
  columns: { name: string | null; idNumber: string | null; birthDate: string | null; sources: string; community: string | null };
  /** The changes from the previous version, as JSON; null for a first version. */
  changesJson: string | null;
  members: string[];
  /** A resident whose id was reserved for it and whose row is inserted now, golden columns and all. */
  isNew: boolean;
}

/** A resident row's golden columns. */
export interface ResidentRow {
  id: string;
  version: number;
  hash: string | null;
  name: string | null;
  id_number: string | null;
  birth_date: string | null;
  sources: string | null;
  community: string | null;
}

export interface IssueWrite {
  residentId: string;
  category: 'conflict' | 'alert';
  kind: string;
  severity: string;
  fingerprint: string;
  details: unknown;
  status: 'open' | 'resolved';
  /** For one found resolved (a conflict on a field an auditor's standing decision settles): by what. */
  resolution?: unknown;
}

export const goldenRepository = {
  /**
   * Source records as survivorship reads them, by id, their data as stored JSON text. The caller
   * knows which records each resident holds: reading by primary key stays fast however fresh
   * (unanalysed) the link table.
   */
  async storedRecords(db: Executor, recordIds: readonly string[]): Promise<Map<string, StoredRecord>> {
    const out = new Map<string, StoredRecord>();
    if (!recordIds.length) return out;
    const rows = await sql<{ id: string; source: string; present: boolean; data: string; batch_date: string }>`
      select s.id, s.source, s.present, s.data::text as data, to_char(b.created_at at time zone 'UTC', 'YYYY-MM-DD') as batch_date
      from source_record s join import_batch b on b.id = s.batch_id
      where s.id = any(${recordIds}::bigint[])`.execute(db);
    for (const r of rows.rows) out.set(r.id, { recordId: r.id, source: r.source as SourceName, present: r.present, dataJson: r.data, batchDate: r.batch_date });
    return out;
  },

  /** Source records as survivorship reads them, by id. */
  async records(db: Executor, recordIds: readonly string[]): Promise<Map<string, GoldenInput>> {
    const out = new Map<string, GoldenInput>();
    for (const [id, record] of await goldenRepository.storedRecords(db, recordIds)) out.set(id, toGoldenInput(record));
    return out;
  },

  /** Residents' current versions, their golden records as stored JSON text; residents with no row are left out. */
  async states(db: Executor, residentIds: readonly string[]): Promise<Map<string, ResidentState>> {
    const out = new Map<string, ResidentState>();
    if (!residentIds.length) return out;
    const rows = await sql<{ id: string; version: number; golden: string | null; golden_hash: string | null }>`
      select r.id, r.version, v.golden::text as golden, r.golden_hash
      from resident r left join resident_version v on v.resident_id = r.id and v.version = r.version
      where r.id = any(array(select unnest(${residentIds}::bigint[])))`.execute(db);
    for (const r of rows.rows) out.set(r.id, { id: r.id, version: r.version, goldenJson: r.golden, goldenHash: r.golden_hash });
    return out;
  },

  /**
   * The auditors' standing field decisions for these residents, and those of residents merged
   * into them (a decision follows its records into the survivor), by resident rebuilt.
   */
  async decisions(db: Executor, residentIds: readonly string[]): Promise<Map<string, AuditorDecision[]>> {
    const out = new Map<string, AuditorDecision[]>();
    if (!residentIds.length) return out;
    // Driven by the (few) standing decisions, not by the residents: one pass over them per call.
    // The value as text: a json string ("张伟") parsed by one driver and not the other would be ambiguous.
    const rows = await sql<{ owner: string; field: string; value: string; source_record_id: string | null; reason: string; created_at: Date | string }>`
      select (case when d.resident_id = any(${residentIds}::bigint[]) then d.resident_id else r.merged_into end)::text as owner,
        d.field, d.value::text as value, d.source_record_id::text as source_record_id, d.reason, d.created_at
      from field_decision d join resident r on r.id = d.resident_id
      where d.revoked_at is null and (d.resident_id = any(${residentIds}::bigint[]) or r.merged_into = any(${residentIds}::bigint[]))
      order by d.created_at, d.id`.execute(db);
    for (const r of rows.rows) {
      const decision: AuditorDecision = {
        field: r.field as GoldenFieldName,
        value: JSON.parse(r.value) as unknown,
        reason: r.reason,
        decidedAt: (r.created_at instanceof Date ? r.created_at : new Date(r.created_at)).toISOString(),
        ...(r.source_record_id === null ? {} : { sourceRecordId: r.source_record_id }),
      };
      const list = out.get(r.owner);
      if (list) list.push(decision);
      else out.set(r.owner, [decision]);
    }
    return out;
  },

  /** The new version of each resident: the current golden record, and its version kept. */
  async writeGolden(writer: BulkWriter, runId: string | null, writes: readonly GoldenWrite[]): Promise<void> {
    if (!writes.length) return;
    const rows = writes.map((w): ResidentRow => ({
      id: w.id,
      version: w.version,
      hash: w.goldenHash,
      name: w.columns.name,
      id_number: w.columns.idNumber,
      birth_date: w.columns.birthDate,
      sources: w.columns.sources,
      community: w.columns.community,
    }));
    const created = rows.filter((_, i) => writes[i]!.isNew);
    const updated = created.length ? rows.filter((_, i) => !writes[i]!.isNew) : rows;
    await goldenRepository.insertResidents(writer, runId, created);
    for (let start = 0; start < updated.length; start += 2_000) {
      const chunk = updated.slice(start, start + 2_000);
      await sql`
        update resident r set version = x.version, golden_hash = x.hash, name = x.name,
          id_number = x.id_number, birth_date = x.birth_date::date, sources = x.sources, community = x.community, updated_at = now()
        from unnest(${chunk.map((c) => c.id)}::bigint[], ${chunk.map((c) => c.version)}::int[],
          ${chunk.map((c) => c.hash)}::text[], ${chunk.map((c) => c.name)}::text[], ${chunk.map((c) => c.id_number)}::text[],
          ${chunk.map((c) => c.birth_date)}::text[], ${chunk.map((c) => c.sources)}::text[], ${chunk.map((c) => c.community)}::text[])
          as x(id, version, hash, name, id_number, birth_date, sources, community)
        where r.id = x.id`.execute(writer.db);
    }
    await bulkInsert(
      writer,
      'resident_version',
      [
        { name: 'resident_id', type: 'bigint' },
        { name: 'version', type: 'integer' },
        { name: 'golden', type: 'json' },
        { name: 'changes', type: 'json' },
        { name: 'members', type: 'json' },
        { name: 'run_id', type: 'bigint' },
      ],
      writes.map((w) => [w.id, w.version, w.goldenJson, w.changesJson, JSON.stringify(w.members), runId]),
    );
  },

  /** Rows of residents whose ids were reserved: with their golden columns, or bare (version 0, the rest null). */
  async insertResidents(writer: BulkWriter, runId: string | null, rows: readonly ResidentRow[]): Promise<void> {
    await bulkInsert(
      writer,
      'resident',
      [
        { name: 'id', type: 'bigint' },
        { name: 'version', type: 'integer' },
        { name: 'golden_hash', type: 'text' },
        { name: 'name', type: 'text' },
        { name: 'id_number', type: 'text' },
        { name: 'birth_date', type: 'date' },
        { name: 'sources', type: 'text' },
        { name: 'community', type: 'text' },
        { name: 'created_run_id', type: 'bigint' },
      ],
      rows.map((r) => [r.id, r.version, r.hash, r.name, r.id_number, r.birth_date, r.sources, r.community, runId]),
    );
  },

  /**
   * The findings of these residents now: new ones open, known ones refreshed (an auditor's
   * resolution stands), and open ones no longer found obsolete. `kinds` limits which of the
   * residents' open findings this call speaks for. `runId` null: a refresh outside a link run
   * (an auditor's resolution); the issue keeps the run that last found it.
   */
  async writeIssues(db: Executor, runId: string | null, residentIds: readonly string[], issues: readonly IssueWrite[], kinds: 'all' | readonly string[]): Promise<{ conflictsOpened: number; alertsOpened: number; obsoleted: number }> {
    let conflictsOpened = 0;
    let alertsOpened = 0;
    for (let start = 0; start < issues.length; start += 2_000) {
      const chunk = issues.slice(start, start + 2_000);
      const rows = await sql<{ inserted: boolean; category: string }>`
        insert into resident_issue (resident_id, category, kind, severity, fingerprint, details, status, run_id, resolution)
        select x.resident_id, x.category, x.kind, x.severity, x.fingerprint, x.details, x.status, ${runId}::bigint, x.resolution
        from jsonb_to_recordset(${JSON.stringify(
          chunk.map((i) => ({
            resident_id: i.residentId,
            category: i.category,
            kind: i.kind,
            severity: i.severity,
            fingerprint: i.fingerprint,
            details: i.details,
            status: i.status,
            resolution: i.resolution ?? null,
          })),
        )}::jsonb) as x(resident_id bigint, category text, kind text, severity text, fingerprint text, details json, status text, resolution json)
        -- An auditor's resolution stands; an open finding a standing decision now settles is resolved by it.
        on conflict (resident_id, fingerprint) do update set details = excluded.details, severity = excluded.severity, run_id = coalesce(excluded.run_id, resident_issue.run_id),
          status = case when resident_issue.status = 'obsolete' or (resident_issue.status = 'open' and excluded.status = 'resolved') then excluded.status else resident_issue.status end,
          resolution = case when resident_issue.status = 'obsolete' or (resident_issue.status = 'open' and excluded.status = 'resolved') then excluded.resolution else resident_issue.resolution end,
          updated_at = now()
        returning (xmax = 0) as inserted, category`.execute(db);
      for (const r of rows.rows) {
        if (!r.inserted) continue;
        if (r.category === 'conflict') conflictsOpened++;
        else alertsOpened++;
      }
    }
    // Open findings of these residents that this call did not find again: by fingerprint, so
    // that a refresh outside a run (runId null) settles them as exactly as a run does.
    const found = new Map<string, string[]>();
    for (const issue of issues) {
      const list = found.get(issue.residentId);
      if (list) list.push(issue.fingerprint);
      else found.set(issue.residentId, [issue.fingerprint]);
    }
    let obsoleted = 0;
    for (let start = 0; start < residentIds.length; start += 20_000) {
      const ids = residentIds.slice(start, start + 20_000);
      const pairs = ids.flatMap((id) => (found.get(id) ?? []).map((fingerprint) => [id, fingerprint] as const));
      const kindFilter = kinds === 'all' ? sql`kind <> 'shared_id_number'` : sql`kind = any(${kinds}::text[])`;
      const result = await sql`update resident_issue i set status = 'obsolete', updated_at = now()
        where i.resident_id = any(array(select unnest(${ids}::bigint[]))) and i.status = 'open' and ${kindFilter}
          and not exists (select 1 from unnest(${pairs.map((p) => p[0])}::bigint[], ${pairs.map((p) => p[1])}::text[]) as x(resident_id, fingerprint)
                          where x.resident_id = i.resident_id and x.fingerprint = i.fingerprint)`.execute(db);
      obsoleted += Number(result.numAffectedRows ?? 0);
    }
    return { conflictsOpened, alertsOpened, obsoleted };
  },

  /** Valid ID numbers held by records of more than one resident, among `idNumbers` (or all). */
  async sharedIdNumbers(db: Executor, idNumbers: readonly string[] | 'all'): Promise<Map<string, string[]>> {
    const rows =
      idNumbers === 'all'
        ? await sql<{ id_number: string; residents: string[] }>`
            select s.id_number, array_agg(distinct l.resident_id::text) as residents
            from source_record s join resident_link l on l.source_record_id = s.id
            where s.id_number is not null and s.id_status in ('valid', 'upgraded')
            group by s.id_number having count(distinct l.resident_id) > 1`.execute(db)
        : await sql<{ id_number: string; residents: string[] }>`
            select s.id_number, array_agg(distinct l.resident_id::text) as residents
            from source_record s join resident_link l on l.source_record_id = s.id
            -- array(select …): planned as a small list, so the id_number index drives the scan.
            where s.id_number = any(array(select unnest(${idNumbers}::text[]))) and s.id_status in ('valid', 'upgraded')
            group by s.id_number having count(distinct l.resident_id) > 1`.execute(db);
    return new Map(rows.rows.map((r) => [r.id_number, r.residents]));
  },

  /** Open shared-ID alerts on these numbers whose resident no longer shares it: obsolete. */
  async settleSharedIdAlerts(db: Executor, idNumbers: readonly string[] | 'all', holders: Map<string, string[]>, runId: string | null): Promise<number> {
    const open = await sql<{ id: string; resident_id: string; fingerprint: string }>`
      select id, resident_id, fingerprint from resident_issue where kind = 'shared_id_number' and status = 'open'`.execute(db);
    const wanted = idNumbers === 'all' ? null : new Set(idNumbers);
    const stale: string[] = [];
    for (const issue of open.rows) {
      const idNumber = issue.fingerprint.slice('shared_id_number|'.length);
      if (wanted !== null && !wanted.has(idNumber)) continue;
      if (!(holders.get(idNumber) ?? []).includes(issue.resident_id)) stale.push(issue.id);
    }
    if (stale.length) {
      await sql`update resident_issue set status = 'obsolete', run_id = coalesce(${runId}::bigint, run_id), updated_at = now() where id = any(${stale}::bigint[])`.execute(db);
    }
    return stale.length;
  },

  /** Usable ID numbers of the open shared-ID alerts of these residents (numbers they may have held). */
  async sharedIdNumbersAlerted(db: Executor, residentIds: readonly string[]): Promise<string[]> {
    if (!residentIds.length) return [];
    const rows = await sql<{ fingerprint: string }>`
      select fingerprint from resident_issue
      where kind = 'shared_id_number' and status = 'open' and resident_id = any(array(select unnest(${residentIds}::bigint[])))`.execute(db);
    return rows.rows.map((r) => r.fingerprint.slice('shared_id_number|'.length));
  },
};
