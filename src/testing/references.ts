import { sql } from 'kysely';
import type { Executor } from '../db/schema.js';

/**
 * Rows of the linker's tables that point at nothing: the references migration 06 stopped
 * checking row by row (resident_link → source_record and resident, resident_version → resident).
 * Tests assert these are all zero after linking, merging, splitting and undoing.
 */
export async function danglingReferences(db: Executor): Promise<{ linksWithoutRecord: number; linksWithoutResident: number; versionsWithoutResident: number }> {
  const row = await sql<{ a: string; b: string; c: string }>`
    select
      (select count(*) from resident_link l where not exists (select 1 from source_record s where s.id = l.source_record_id)) as a,
      (select count(*) from resident_link l where not exists (select 1 from resident r where r.id = l.resident_id)) as b,
      (select count(*) from resident_version v where not exists (select 1 from resident r where r.id = v.resident_id)) as c`.execute(db);
  const r = row.rows[0]!;
  return { linksWithoutRecord: Number(r.a), linksWithoutResident: Number(r.b), versionsWithoutResident: Number(r.c) };
}
