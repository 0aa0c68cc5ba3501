import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration describes the schema as it was on 2026-11-26. Never import
// application code here; later changes get a new, later migration.

/**
 * source_record's two references to import_batch (the batch that first wrote a record and the
 * one that last did) were foreign keys: every record imported ran two checks, each locking the
 * batch's row, which is the same row for the whole batch. For the seed district's 199,842
 * police records that was 1.7 s of the server's 10.3 s. Only an import writes these columns,
 * always with the id of the batch it is running, in the same transaction that created that
 * batch's row; batches are never deleted. The import's tests check the lineage instead, as
 * migration 06 did for the linker's tables.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table source_record drop constraint source_record_batch_id_fkey`.execute(db);
  await sql`alter table source_record drop constraint source_record_first_batch_id_fkey`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table source_record add constraint source_record_first_batch_id_fkey
    foreign key (first_batch_id) references import_batch (id)`.execute(db);
  await sql`alter table source_record add constraint source_record_batch_id_fkey
    foreign key (batch_id) references import_batch (id)`.execute(db);
}
