import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration describes the schema as it was on 2026-11-26. Never import
// application code here; later changes get a new, later migration.

/**
 * What made the big writes (an import, a district's first link run) slow, measured on the seed
 * district's 382,881 records and 262,103 residents:
 *
 * - 曾用名 and the current community were indexed as expressions over JSON (migration 04), so
 *   every inserted source record and every golden version had its JSON parsed for the index:
 *   ~0.8 s per 200,000 records, ~4 s per 262,000 versions. Both become plain columns.
 * - The foreign keys of resident_link (to source_record and to resident) and of
 *   resident_version (to resident) take a row lock on the referenced row for every row
 *   inserted: 6.4 s of 8.3 s to COPY the links, 1.6 s for the versions. Only the linker writes
 *   these tables, in the same transaction that creates the residents and reads the records;
 *   the references are checked by the tests of the linker, merges, splits and undo instead.
 *   Source records and residents are never deleted.
 * - source_record (file_sha256, row_number) was indexed for lookups by file and row that no
 *   query makes (lineage is read with the record): ~0.4 s per 200,000 records imported.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('source_record').addColumn('former_name_match', 'text').execute();
  await sql`update source_record set former_name_match = data ->> 'formerNameMatch'
    where (data ->> 'formerNameMatch') is not null`.execute(db);
  await sql`drop statistics source_record_former_name_stats`.execute(db);
  await db.schema.dropIndex('source_record_former_name').execute();
  await sql`create index source_record_former_name_match on source_record (former_name_match)
    where former_name_match is not null`.execute(db);

  // The 社区/村 of the current golden record's current address ('西湖社区'); text_pattern_ops so
  // that a community typed without its suffix ('西湖') is a prefix range scan.
  await db.schema.alterTable('resident').addColumn('community', 'text').execute();
  await sql`update resident r set community = v.golden -> 'currentAddress' -> 'value' ->> 'community'
    from resident_version v where v.resident_id = r.id and v.version = r.version`.execute(db);
  await db.schema.dropIndex('resident_version_community').execute();
  await sql`create index resident_community on resident (community text_pattern_ops)`.execute(db);

  await db.schema.dropIndex('source_record_file_row').execute();

  await sql`alter table resident_link drop constraint resident_link_source_record_id_fkey`.execute(db);
  await sql`alter table resident_link drop constraint resident_link_resident_id_fkey`.execute(db);
  await sql`alter table resident_version drop constraint resident_version_resident_id_fkey`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table resident_version add constraint resident_version_resident_id_fkey
    foreign key (resident_id) references resident (id)`.execute(db);
  await sql`alter table resident_link add constraint resident_link_resident_id_fkey
    foreign key (resident_id) references resident (id)`.execute(db);
  await sql`alter table resident_link add constraint resident_link_source_record_id_fkey
    foreign key (source_record_id) references source_record (id)`.execute(db);

  await db.schema.createIndex('source_record_file_row').on('source_record').columns(['file_sha256', 'row_number']).execute();

  await db.schema.dropIndex('resident_community').execute();
  await sql`create index resident_version_community on resident_version
    (((golden -> 'currentAddress' -> 'value' ->> 'community')) text_pattern_ops)`.execute(db);
  await db.schema.alterTable('resident').dropColumn('community').execute();

  await db.schema.dropIndex('source_record_former_name_match').execute();
  await sql`create index source_record_former_name on source_record ((data ->> 'formerNameMatch'))
    where (data ->> 'formerNameMatch') is not null`.execute(db);
  await sql`create statistics source_record_former_name_stats on ((data ->> 'formerNameMatch')) from source_record`.execute(db);
  await db.schema.alterTable('source_record').dropColumn('former_name_match').execute();
}
