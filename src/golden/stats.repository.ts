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
};
