import { sql } from 'kysely';
import { PREPARED_MARK } from '../db/prepared.js';
import { fromJsonColumn } from '../db/json-column.js';
import type { Executor } from '../db/schema.js';
import type { FieldChange } from '../golden/version.js';
import type { GoldenRecord } from '../golden/types.js';
import type { AddressParts } from './query.js';
import type { IssueRow, LinkedRecordRow, VersionRow } from './views.js';

/** A source record that answered a name query, with its resident (merges followed). */
export interface NameHitRow {
  residentId: string;
  name: string | null;
  nameMatch: string | null;
  namePinyin: string | null;
  formerNameMatch: string | null;
}

/** A resident's current address as a search filters on it. */
export interface ResidentAddress {
  community: string | null;
  /** The parsed address (an AddressResult). */
  address: AddressParts | null;
}

export interface ResidentHead {
  id: string;
  mergedInto: string | null;
  version: number;
}

/** A linked record as the matcher reads it. */
export interface MatchRecordRow {
  recordId: string;
  source: string;
  data: Record<string, unknown>;
  residentId: string;
}

function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function isoDate(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    // A date column read as a local-midnight Date: its calendar day, not its UTC instant.
    const y = value.getFullYear();
    const m = String(value.getMonth() + 1).padStart(2, '0');
    const d = String(value.getDate()).padStart(2, '0');
    return `${y}-${m}-${d}`;
  }
  return String(value).slice(0, 10);
}

/** Read-only queries of residents, their records, issues and versions (search, detail, history, match). */
export const residentsRepository = {
  /** Residents whose golden record or any linked record holds this ID number. */
  async idsByIdNumber(db: Executor, idNumber: string, cap: number): Promise<string[]> {
    const rows = await sql<{ resident_id: string }>`
      select coalesce(r.merged_into, r.id) as resident_id
      from source_record s join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id
      where s.id_number = ${idNumber}
      union
      select coalesce(merged_into, id) from resident where id_number = ${idNumber}
      limit ${cap}`.execute(db);
    return rows.rows.map((r) => r.resident_id);
  },

  /**
   * The live residents holding this ID number (on a source record or as their golden value),
   * with their golden records: an ID-number lookup in one round trip.
   */
  async goldensByIdNumber(db: Executor, idNumber: string, cap: number): Promise<Map<string, GoldenRecord>> {
    const rows = await sql<{ id: string; golden: unknown }>`${sql.raw(PREPARED_MARK)}
      select r.id, v.golden from resident r join resident_version v on v.resident_id = r.id and v.version = r.version
      where r.merged_into is null and r.version > 0 and r.id in (
        select coalesce(r2.merged_into, r2.id)
        from source_record s join resident_link l on l.source_record_id = s.id join resident r2 on r2.id = l.resident_id
        where s.id_number = ${idNumber}
        union
        select coalesce(merged_into, id) from resident where id_number = ${idNumber})
      order by r.id limit ${cap}`.execute(db);
    const out = new Map<string, GoldenRecord>();
    for (const r of rows.rows) out.set(String(r.id), fromJsonColumn<GoldenRecord>(r.golden));
    return out;
  },

  /** Linked records whose name has this match form or one of these pinyin readings. */
  async nameHits(db: Executor, matchForm: string | null, readings: readonly string[], cap: number): Promise<NameHitRow[]> {
    const rows = await sql<{ resident_id: string; name: string | null; name_match: string | null; name_pinyin: string | null }>`${sql.raw(PREPARED_MARK)}
      select coalesce(r.merged_into, r.id) as resident_id, s.name, s.name_match, s.name_pinyin
      from source_record s join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id
      where s.name_match = ${matchForm ?? ''} or s.name_pinyin = any(${readings}::text[])
      limit ${cap}`.execute(db);
    return rows.rows.map((r) => ({ residentId: r.resident_id, name: r.name, nameMatch: r.name_match, namePinyin: r.name_pinyin, formerNameMatch: null }));
  },

  /** Linked records whose 曾用名 (match form) is `matchForm` (indexed). */
  async formerNameHits(db: Executor, matchForm: string, cap: number): Promise<NameHitRow[]> {
    const rows = await sql<{ resident_id: string; name: string | null; name_match: string | null; name_pinyin: string | null }>`${sql.raw(PREPARED_MARK)}
      select distinct coalesce(r.merged_into, r.id) as resident_id, s.name, s.name_match, s.name_pinyin
      from source_record s
      join resident_link l on l.source_record_id = s.id
      join resident r on r.id = l.resident_id
      where s.former_name_match = ${matchForm} and s.name_match is distinct from ${matchForm}
      limit ${cap}`.execute(db);
    return rows.rows.map((r) => ({ residentId: r.resident_id, name: r.name, nameMatch: r.name_match, namePinyin: r.name_pinyin, formerNameMatch: matchForm }));
  },

  /** Live residents (not merged away, with a golden record) among these ids, with their golden birth date. */
  async live(db: Executor, ids: readonly string[]): Promise<Map<string, { birthDate: string | null }>> {
    const out = new Map<string, { birthDate: string | null }>();
    if (ids.length === 0) return out;
    const rows = await sql<{ id: string; birth_date: unknown }>`${sql.raw(PREPARED_MARK)}
      select id, birth_date from resident
      where id = any(array(select unnest(${ids}::bigint[]))) and merged_into is null and version > 0`.execute(db);
    for (const r of rows.rows) out.set(r.id, { birthDate: isoDate(r.birth_date) });
    return out;
  },

  /** The current address (community, normalised text) of each live resident among these ids. */
  async addresses(db: Executor, ids: readonly string[]): Promise<Map<string, ResidentAddress>> {
    const out = new Map<string, ResidentAddress>();
    if (ids.length === 0) return out;
    const rows = await sql<{ id: string; community: string | null; address: unknown }>`
      select r.id, r.community, (v.golden -> 'currentAddress' -> 'value') as address
      from resident r join resident_version v on v.resident_id = r.id and v.version = r.version
      where r.id = any(array(select unnest(${ids}::bigint[]))) and r.merged_into is null and r.version > 0`.execute(db);
    for (const r of rows.rows) out.set(r.id, { community: r.community, address: r.address === null ? null : fromJsonColumn<AddressParts>(r.address) });
    return out;
  },

  /** Live residents born on this day. */
  async idsByBirthDate(db: Executor, birthDate: string, cap: number): Promise<string[]> {
    const rows = await sql<{ id: string }>`
      select id from resident where birth_date = ${birthDate}::date and merged_into is null and version > 0 order by id limit ${cap}`.execute(db);
    return rows.rows.map((r) => r.id);
  },

  /** Live residents whose current address's community starts with `core` (the caller checks the whole core). */
  async byCommunityPrefix(db: Executor, core: string, cap: number): Promise<({ id: string } & ResidentAddress)[]> {
    const rows = await sql<{ id: string; community: string | null; address: unknown }>`
      select r.id, r.community, (v.golden -> 'currentAddress' -> 'value') as address
      from resident r join resident_version v on v.resident_id = r.id and v.version = r.version
      where r.community like ${likePrefix(core)} and r.merged_into is null and r.version > 0
      limit ${cap}`.execute(db);
    return rows.rows.map((r) => ({ id: r.id, community: r.community, address: r.address === null ? null : fromJsonColumn<AddressParts>(r.address) }));
  },

  /** The current golden record of each live resident among these ids. */
  async goldens(db: Executor, ids: readonly string[]): Promise<Map<string, GoldenRecord>> {
    const out = new Map<string, GoldenRecord>();
    if (ids.length === 0) return out;
    const rows = await sql<{ id: string; golden: unknown }>`${sql.raw(PREPARED_MARK)}
      select r.id, v.golden from resident r join resident_version v on v.resident_id = r.id and v.version = r.version
      where r.id = any(array(select unnest(${ids}::bigint[]))) and r.merged_into is null and r.version > 0`.execute(db);
    for (const r of rows.rows) out.set(r.id, fromJsonColumn<GoldenRecord>(r.golden));
    return out;
  },

  async head(db: Executor, id: string): Promise<ResidentHead | undefined> {
    const row = await sql<{ id: string; merged_into: string | null; version: number }>`${sql.raw(PREPARED_MARK)}
      select id, merged_into, version from resident where id = ${id}::bigint`.execute(db);
    const r = row.rows[0];
    return r ? { id: r.id, mergedInto: r.merged_into, version: r.version } : undefined;
  },

  async linkedRecords(db: Executor, residentId: string): Promise<LinkedRecordRow[]> {
    const rows = await sql<{ id: string; source: string; file_name: string; row_number: number; present: boolean; version: number; probability: number; method: string; data: unknown }>`${sql.raw(PREPARED_MARK)}
      select s.id, s.source, s.file_name, s.row_number, s.present, s.version, l.probability, l.method, s.data
      from resident_link l join source_record s on s.id = l.source_record_id
      where l.resident_id = ${residentId}::bigint order by s.id`.execute(db);
    return rows.rows.map((r) => ({
      id: r.id,
      source: r.source,
      fileName: r.file_name,
      rowNumber: r.row_number,
      present: r.present,
      version: r.version,
      probability: Number(r.probability),
      method: r.method,
      data: fromJsonColumn<Record<string, unknown>>(r.data),
    }));
  },

  async openIssues(db: Executor, residentId: string): Promise<IssueRow[]> {
    const rows = await sql<{ id: string; category: string; kind: string; severity: string; details: unknown; created_at: Date | string }>`
      select id, category, kind, severity, details, created_at from resident_issue
      where resident_id = ${residentId}::bigint and status = 'open' order by id`.execute(db);
    return rows.rows.map((r) => ({
      id: r.id,
      category: r.category,
      kind: r.kind,
      severity: r.severity,
      details: fromJsonColumn<unknown>(r.details),
      createdAt: new Date(r.created_at).toISOString(),
    }));
  },

  /** Every version of a resident, oldest first. */
  async versions(db: Executor, residentId: string): Promise<VersionRow[]> {
    const rows = await sql<{ version: number; created_at: Date | string; run_id: string | null; changes: unknown; members: unknown; golden: unknown }>`
      select version, created_at, run_id, changes, members, golden from resident_version
      where resident_id = ${residentId}::bigint order by version`.execute(db);
    return rows.rows.map((r) => ({
      version: r.version,
      createdAt: new Date(r.created_at).toISOString(),
      runId: r.run_id,
      changes: r.changes === null ? null : fromJsonColumn<FieldChange[]>(r.changes),
      members: fromJsonColumn<string[]>(r.members),
      golden: fromJsonColumn<GoldenRecord>(r.golden),
    }));
  },

  /** These records with their data and resident (merges followed); unlinked records left out. */
  async matchRecords(db: Executor, recordIds: readonly string[]): Promise<MatchRecordRow[]> {
    const out: MatchRecordRow[] = [];
    for (let start = 0; start < recordIds.length; start += 5_000) {
      const rows = await sql<{ id: string; source: string; data: unknown; resident_id: string }>`
        select s.id, s.source, s.data, coalesce(r.merged_into, r.id) as resident_id
        from source_record s join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id
        where s.id = any(array(select unnest(${recordIds.slice(start, start + 5_000)}::bigint[])))`.execute(db);
      for (const r of rows.rows) out.push({ recordId: r.id, source: r.source, data: fromJsonColumn<Record<string, unknown>>(r.data), residentId: r.resident_id });
    }
    return out;
  },
};
