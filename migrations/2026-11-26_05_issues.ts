import { type Kysely } from 'kysely';

/**
 * Conflicts and alerts as auditors work them: how each was resolved (who, when, why, which
 * value), and an index for the auditors' queue (issues of one status, paged by id).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('resident_issue').addColumn('resolution', 'json').execute();
  await db.schema.createIndex('resident_issue_status_id').on('resident_issue').columns(['status', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('resident_issue_status_id').execute();
  await db.schema.alterTable('resident_issue').dropColumn('resolution').execute();
}
