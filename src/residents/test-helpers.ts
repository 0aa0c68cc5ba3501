/**
 * Helpers for the resident API's integration tests: where the synthetic district's people
 * ended up, and a merge made by hand (a resident redirecting to another) without going through
 * an auditor's merge.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** `resident.merged_into` of `id` set (or cleared with null), as a merge leaves it. */
export async function setMergedInto(db: Kysely<Database>, id: string, into: string | null): Promise<void> {
  await sql`update resident set merged_into = ${into}::bigint where id = ${id}::bigint`.execute(db);
}

/** Each generated person's residents (merges followed), from the district's truth.csv and the stored links. */
export async function residentsByPerson(db: Kysely<Database>, districtDir: string): Promise<Map<string, Set<string>>> {
  const rows = await sql<{ file_name: string; row_number: number; resident_id: string }>`
    select s.file_name, s.row_number, coalesce(r.merged_into, r.id)::text as resident_id
    from source_record s join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id`.execute(db);
  const byRow = new Map(rows.rows.map((r) => [`${r.file_name}|${r.row_number}`, r.resident_id]));
  const truth = await fs.readFile(path.join(districtDir, 'truth.csv'), 'utf8');
  const out = new Map<string, Set<string>>();
  for (const line of truth.split('\n').slice(1)) {
    if (!line) continue;
    const [, file, row, pid] = line.split(',');
    const resident = byRow.get(`${file}|${row}`);
    if (!pid || resident === undefined) continue;
    const set = out.get(pid) ?? new Set<string>();
    set.add(resident);
    out.set(pid, set);
  }
  return out;
}
