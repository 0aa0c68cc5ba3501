import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration describes the schema as it was on 2026-11-27. Never import
// application code here; later changes get a new, later migration.

/**
 * A source record whose row passes ~2 KB (most family-planning and floating-population rows:
 * two addresses, a spouse) was compressed with pglz on the way in, and decompressed by every
 * read of its JSON (the linker reads them all, twice). On the seed district's 111,548
 * family-planning rows that compression was a fifth of the server's time to import them
 * (`perf`: pglz_compress 7 % of all samples, 22 % of the server's); in pairs, the server's CPU
 * for that import went 3.75 / 3.49 s -> 2.91 / 2.58 s. The rows stay in the table as they are,
 * ~35 % larger for those two sources (an average family-planning row 1.7 -> 2.2 KB); only rows
 * over ~8 KB are still compressed or moved out of line. History rows are the same rows.
 * Applies to rows written from now on.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table source_record set (toast_tuple_target = 8160)`.execute(db);
  await sql`alter table source_record_history set (toast_tuple_target = 8160)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table source_record_history reset (toast_tuple_target)`.execute(db);
  await sql`alter table source_record reset (toast_tuple_target)`.execute(db);
}
