import { sql, type Kysely } from 'kysely';
import { SOURCE_NAMES } from '../../adapters/types.js';
import type { Database } from '../db/schema.js';

export interface OverlapStats {
  residents: number;
  /** Residents merged into another (their ids redirect). */
  mergedAway: number;
  perSource: { source: string; records: number; present: number; linked: number; residents: number }[];
  /** Residents per combination of the systems that list them now ('' for none any more), largest first. */
  combinations: { sources: string[]; residents: number }[];
  review: { open: number; decided: number };
  conflicts: Record<string, number>;
  alerts: Record<string, number>;
  lastRun: { id: string; mode: string; finishedAt: string | null } | null;
}

/** Data quality of one source's present records (counts only). */
export interface SourceQuality {
  source: string;
  /** Present records (listed by the source's latest export). */
  records: number;
  missingIdNumber: number;
  /** An ID number that fails validation: wrong check character, impossible date, wrong shape, digits lost to Excel. */
  invalidIdNumber: number;
  /** Linked records whose own value of a field differs from their resident's golden value. */
  disagreeing: { name: number; birthDate: number; sex: number; idNumber: number };
}

export interface QualityStats {
  perSource: SourceQuality[];
}

export const statsRepository = {
  async overlap(db: Kysely<Database>): Promise<OverlapStats> {
    const [residents, merged, perSource, perSourceResidents, combos, review, issues, lastRun] = await Promise.all([
      sql<{ n: string }>`select count(*) as n from resident r where r.merged_into is null and r.version > 0`.execute(db),
      sql<{ n: string }>`select count(*) as n from resident where merged_into is not null`.execute(db),
      sql<{ source: string; records: string; present: string; linked: string }>`
        select s.source, count(*) as records, count(*) filter (where s.present) as present, count(l.source_record_id) as linked
        from source_record s left join resident_link l on l.source_record_id = s.id group by s.source`.execute(db),
      sql<{ source: string; residents: string }>`
        select s.source, count(distinct l.resident_id) as residents
        from source_record s join resident_link l on l.source_record_id = s.id where s.present group by s.source`.execute(db),
      sql<{ sources: string | null; n: string }>`
        select sources, count(*) as n from resident where merged_into is null and version > 0 group by sources`.execute(db),
      sql<{ open: string; decided: string }>`
        select count(*) filter (where status = 'open') as open, count(*) filter (where status in ('match', 'non_match')) as decided from review_item`.execute(db),
      sql<{ category: string; kind: string; n: string }>`
        select category, kind, count(*) as n from resident_issue where status = 'open' group by category, kind`.execute(db),
      sql<{ id: string; mode: string; finished_at: Date | null }>`
        select id, mode, finished_at from link_run where status = 'done' order by id desc limit 1`.execute(db),
    ]);
    const residentsBySource = new Map(perSourceResidents.rows.map((r) => [r.source, Number(r.residents)]));
    const bySource = new Map(perSource.rows.map((r) => [r.source, r]));
    const conflicts: Record<string, number> = {};
    const alerts: Record<string, number> = {};
    for (const r of issues.rows) (r.category === 'conflict' ? conflicts : alerts)[r.kind] = Number(r.n);
    const run = lastRun.rows[0];
    return {
      residents: Number(residents.rows[0]?.n ?? 0),
      mergedAway: Number(merged.rows[0]?.n ?? 0),
      perSource: SOURCE_NAMES.map((source) => {
        const row = bySource.get(source);
        return {
          source,
          records: Number(row?.records ?? 0),
          present: Number(row?.present ?? 0),
          linked: Number(row?.linked ?? 0),
          residents: residentsBySource.get(source) ?? 0,
        };
      }),
      combinations: combos.rows
        .map((r) => ({ sources: r.sources ? r.sources.split(',') : [], residents: Number(r.n) }))
        .sort((a, b) => b.residents - a.residents || a.sources.join(',').localeCompare(b.sources.join(','))),
      review: { open: Number(review.rows[0]?.open ?? 0), decided: Number(review.rows[0]?.decided ?? 0) },
      conflicts,
      alerts,
      lastRun: run ? { id: run.id, mode: run.mode, finishedAt: run.finished_at ? new Date(run.finished_at).toISOString() : null } : null,
    };
  },

  /**
   * Per source: present records, missing and invalid ID numbers, and fields disagreeing with
   * the golden record. A record's value is what it states (its birth date and sex, else those
   * its ID number carries, as survivorship reads them); names are compared in their match form
   * (a traditional writing of the same name is no disagreement). Unknown sex codes (0, 9) and
   * missing values disagree with nothing.
   */
  async quality(db: Kysely<Database>): Promise<QualityStats> {
    const rows = await sql<{
      source: string;
      records: string;
      missing_id: string;
      invalid_id: string;
      name: string;
      birth_date: string;
      sex: string;
      id_number: string;
    }>`
      with golden as (
        select r.id, r.name, r.id_number, r.birth_date,
          (v.golden -> 'name' ->> 'sourceRecordId') as name_record,
          (v.golden -> 'sex' ->> 'value') as sex
        from resident r join resident_version v on v.resident_id = r.id and v.version = r.version
        where r.merged_into is null and r.version > 0
      ),
      rec as (
        select s.source, s.id_status, s.name, s.name_match, s.id_number, g.id as resident_id,
          coalesce(s.birth_date, (s.data ->> 'idNumberBirthDate')::date) as birth_date,
          coalesce(s.sex, s.data ->> 'idNumberSex') as sex,
          coalesce(gn.name_match, g.name) as golden_name, g.id_number as golden_id, g.birth_date as golden_birth, g.sex as golden_sex
        from source_record s
        left join resident_link l on l.source_record_id = s.id
        left join resident lr on lr.id = l.resident_id
        left join golden g on g.id = coalesce(lr.merged_into, lr.id)
        left join source_record gn on gn.id = g.name_record::bigint
        where s.present
      )
      select source, count(*) as records,
        count(*) filter (where id_status is null or id_status = 'empty') as missing_id,
        count(*) filter (where id_status in ('bad_check', 'bad_date', 'lost_digits', 'malformed')) as invalid_id,
        count(*) filter (where resident_id is not null and name_match is not null and golden_name is not null and name_match <> golden_name) as name,
        count(*) filter (where resident_id is not null and birth_date is not null and golden_birth is not null and birth_date <> golden_birth) as birth_date,
        count(*) filter (where resident_id is not null and sex in ('1', '2') and golden_sex in ('1', '2') and sex <> golden_sex) as sex,
        count(*) filter (where resident_id is not null and id_number is not null and golden_id is not null and id_number <> golden_id) as id_number
      from rec group by source`.execute(db);
    const bySource = new Map(rows.rows.map((r) => [r.source, r]));
    return {
      perSource: SOURCE_NAMES.map((source) => {
        const r = bySource.get(source);
        return {
          source,
          records: Number(r?.records ?? 0),
          missingIdNumber: Number(r?.missing_id ?? 0),
          invalidIdNumber: Number(r?.invalid_id ?? 0),
          disagreeing: { name: Number(r?.name ?? 0), birthDate: Number(r?.birth_date ?? 0), sex: Number(r?.sex ?? 0), idNumber: Number(r?.id_number ?? 0) },
        };
      }),
    };
  },
};
