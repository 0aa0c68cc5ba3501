import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration describes the schema as it was on 2026-11-26. Never import
// application code here; later changes get a new, later migration.

/**
 * 曾用名 (match form) becomes a column of its own. Migration 04 indexed it as an expression over
 * `data`, and that expression (with the partial index's predicate) parsed every inserted row's
 * JSON: about a tenth of a large import's time in PostgreSQL. A plain column costs nothing to
 * read, and carries the planner's statistics itself.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('source_record').addColumn('former_name_match', 'text').execute();
  await sql`update source_record set former_name_match = data ->> 'formerNameMatch'
    where (data ->> 'formerNameMatch') is not null`.execute(db);
  await sql`drop statistics source_record_former_name_stats`.execute(db);
  await db.schema.dropIndex('source_record_former_name').execute();
  await sql`create index source_record_former_name_match on source_record (former_name_match)
    where former_name_match is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('source_record_former_name_match').execute();
  await sql`create index source_record_former_name on source_record ((data ->> 'formerNameMatch'))
    where (data ->> 'formerNameMatch') is not null`.execute(db);
  await sql`create statistics source_record_former_name_stats on ((data ->> 'formerNameMatch')) from source_record`.execute(db);
  await db.schema.alterTable('source_record').dropColumn('former_name_match').execute();
}
