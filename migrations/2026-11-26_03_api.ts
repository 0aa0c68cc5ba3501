import { sql, type Kysely } from 'kysely';

/**
 * The API's tables: API keys (hashed, one role each), the append-only hash-chained audit
 * trail, auditors' decisions (on pairs of records, on golden fields) and actions that can be
 * undone, and the ordered change events departments pull to keep their systems in step.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_key')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    // The key's first characters, shown in lists so that a key can be told apart without it.
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  // seq 1, 2, 3… without gaps; hash = sha256(prev_hash + canonical entry) (src/audit/chain.ts).
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'json', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('details', 'json', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'seq']).execute();
  await db.schema.createIndex('audit_log_target').on('audit_log').columns(['target_type', 'target_id']).execute();
  // Append-only: the application's own connection cannot change or remove a row.
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`create trigger audit_log_no_update before update or delete on audit_log for each row execute function audit_log_append_only()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only()`.execute(db);
  // The chain's head kept apart from the rows: removing the last rows shows as a head that no row has.
  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  // An auditor's action on residents (merge, split, a review decision that merged), with what
  // it replaced, so that it can be undone exactly.
  await db.schema
    .createTable('auditor_action')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull()) // merge | split | review_match
    .addColumn('resident_ids', 'json', (c) => c.notNull())
    .addColumn('snapshot', 'json', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('actor', 'json', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('undone_at', 'timestamptz')
    .addColumn('undone_by', 'json')
    .execute();

  // Two records an auditor said are (match) or are not (non_match) one person. The linker
  // honours every one not revoked, on every later run. record_a < record_b.
  await db.schema
    .createTable('pair_decision')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('record_a', 'bigint', (c) => c.notNull().references('source_record.id'))
    .addColumn('record_b', 'bigint', (c) => c.notNull().references('source_record.id'))
    .addColumn('decision', 'text', (c) => c.notNull()) // match | non_match
    .addColumn('origin', 'text', (c) => c.notNull()) // review | merge | split
    .addColumn('action_id', 'bigint', (c) => c.references('auditor_action.id'))
    .addColumn('review_item_id', 'bigint', (c) => c.references('review_item.id'))
    .addColumn('reason', 'text')
    .addColumn('actor', 'json', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addCheckConstraint('pair_decision_ordered', sql`record_a < record_b`)
    .execute();
  await sql`create unique index pair_decision_active on pair_decision (record_a, record_b) where revoked_at is null`.execute(db);
  await db.schema.createIndex('pair_decision_record_b').on('pair_decision').column('record_b').execute();

  // An auditor's value for one golden field of a resident (resolving a conflict): it outranks
  // every survivorship rule and survives re-imports (src/golden/survivorship.ts).
  await db.schema
    .createTable('field_decision')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('resident_id', 'bigint', (c) => c.notNull().references('resident.id'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('value', 'json', (c) => c.notNull())
    .addColumn('source_record_id', 'bigint', (c) => c.references('source_record.id'))
    .addColumn('issue_id', 'bigint', (c) => c.references('resident_issue.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'json', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await sql`create unique index field_decision_active on field_decision (resident_id, field) where revoked_at is null`.execute(db);

  // The changes feed: id is the cursor. kind: created | updated | merged | split | restored.
  await db.schema
    .createTable('resident_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('resident_id', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer')
    // merged: the survivor; split: the resident the records went to (or came from).
    .addColumn('related_resident_id', 'bigint')
    .addColumn('run_id', 'bigint')
    .addColumn('action_id', 'bigint')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('resident_event_resident').on('resident_event').column('resident_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['resident_event', 'field_decision', 'pair_decision', 'auditor_action', 'audit_head']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropTable('audit_log').execute();
  await sql`drop function audit_log_append_only()`.execute(db);
  await db.schema.dropTable('api_key').execute();
}
