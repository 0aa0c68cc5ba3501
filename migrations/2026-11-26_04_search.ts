import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration describes the schema as it was on 2026-11-26. Never import
// application code here; later changes get a new, later migration.

/**
 * Indexes for resident search (GET /v1/residents). ID numbers, names (match form) and pinyin
 * are indexed on source_record already (migrations 01 and 02); these add the golden birth
 * date and the community of the golden current address (on tables the linker writes, so that
 * imports pay nothing for them), and the former name (曾用名) of the few records that have one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('resident_birth_date').on('resident').column('birth_date').execute();
  // The 社区/村 of each version's current address, as parsed ('西湖社区'); text_pattern_ops so that
  // a community typed without its suffix ('西湖') is a prefix range scan on the index.
  await sql`create index resident_version_community on resident_version
    (((golden -> 'currentAddress' -> 'value' ->> 'community')) text_pattern_ops)`.execute(db);
  // 曾用名 in its match form, kept only inside a record's data: a search by a former name. Partial:
  // few records have one, so imports hardly pay for it.
  await sql`create index source_record_former_name on source_record ((data ->> 'formerNameMatch'))
    where (data ->> 'formerNameMatch') is not null`.execute(db);
  // A partial index gets no statistics of its expression: without these the planner guesses
  // 0.5 % of the table per former name and plans a parallel scan for a lookup of three rows.
  await sql`create statistics source_record_former_name_stats on ((data ->> 'formerNameMatch')) from source_record`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop statistics source_record_former_name_stats`.execute(db);
  await db.schema.dropIndex('source_record_former_name').execute();
  await db.schema.dropIndex('resident_version_community').execute();
  await db.schema.dropIndex('resident_birth_date').execute();
}
