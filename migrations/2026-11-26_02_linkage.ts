import { sql, type Kysely } from 'kysely';

/**
 * Linkage and golden records: the model of each estimation, the link runs, residents with
 * their golden record and versions, the link of every source record to its resident, the
 * blocking keys that let a new batch find its candidates without the whole population, the
 * review queue, and the conflicts and alerts for auditors.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // A fitted Fellegi–Sunter model (u from random pairs, m by EM); runs that reuse it point here.
  await db.schema
    .createTable('link_model')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('params', 'json', (c) => c.notNull())
    .addColumn('records', 'integer', (c) => c.notNull())
    .addColumn('sources', 'json', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('link_run')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull()) // full | incremental
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // running | done | failed
    .addColumn('model_id', 'bigint', (c) => c.references('link_model.id'))
    .addColumn('records_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_compared', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('stats', 'json')
    .addColumn('error', 'json')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('resident')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // A resident merged into another answers with the survivor.
    .addColumn('merged_into', 'bigint', (c) => c.references('resident.id'))
    // The current golden record is resident_version (id, version): stored once, not twice.
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('golden_hash', 'text')
    // Promoted from the golden record for lookups and the shared-ID check.
    .addColumn('name', 'text')
    .addColumn('id_number', 'text')
    .addColumn('birth_date', 'date')
    .addColumn('sources', 'text')
    .addColumn('created_run_id', 'bigint')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('resident_id_number').on('resident').column('id_number').execute();
  await db.schema.createIndex('resident_merged_into').on('resident').column('merged_into').execute();

  // Every version of a resident's golden record, with what changed (null for the first).
  await db.schema
    .createTable('resident_version')
    .addColumn('resident_id', 'bigint', (c) => c.notNull().references('resident.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('golden', 'json', (c) => c.notNull())
    .addColumn('changes', 'json')
    .addColumn('members', 'json', (c) => c.notNull())
    .addColumn('run_id', 'bigint')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('resident_version_pk', ['resident_id', 'version'])
    .execute();

  // One row per linked source record; the version and presence it was linked at tell a
  // re-imported (changed) record apart from one already linked as it is.
  await db.schema
    .createTable('resident_link')
    .addColumn('source_record_id', 'bigint', (c) => c.primaryKey().references('source_record.id'))
    .addColumn('resident_id', 'bigint', (c) => c.notNull().references('resident.id'))
    .addColumn('record_version', 'integer', (c) => c.notNull())
    .addColumn('record_present', 'boolean', (c) => c.notNull())
    .addColumn('probability', 'double precision', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    // The pair that holds the record in its resident, with its weights (the explanation).
    .addColumn('partner_record_id', 'bigint')
    .addColumn('weight', 'double precision')
    .addColumn('field_weights', 'json')
    .addColumn('run_id', 'bigint', (c) => c.notNull())
    // The name the record was counted under in name_frequency, to take it back when it changes.
    .addColumn('name_match', 'text')
    .addColumn('name_pinyin', 'text')
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('resident_link_resident').on('resident_link').column('resident_id').execute();

  // Blocking keys (53-bit hashes of key name and value) of every linked record.
  await db.schema
    .createTable('link_key')
    .addColumn('key', 'bigint', (c) => c.notNull())
    .addColumn('source_record_id', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('link_key_key').on('link_key').column('key').execute();
  await db.schema.createIndex('link_key_record').on('link_key').column('source_record_id').execute();

  await db.schema.createIndex('source_record_name_match').on('source_record').column('name_match').execute();

  // How many source records bear each name (match form) and each pinyin, and in all ('total', ''):
  // the term-frequency adjustment's counts, written by a full run and kept exact by each
  // incremental one, so that a batch never counts common names across the population.
  await db.schema
    .createTable('name_frequency')
    .addColumn('kind', 'text', (c) => c.notNull()) // name | pinyin | total
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('name_frequency_pk', ['kind', 'value'])
    .execute();

  // Records an import created, changed or marked missing since the last link run: the
  // incremental linker's work list, so that it never scans the population to find it.
  await db.schema
    .createTable('link_pending')
    .addColumn('source_record_id', 'bigint', (c) => c.primaryKey())
    .execute();

  await db.schema
    .createTable('review_item')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('record_a', 'bigint', (c) => c.notNull().references('source_record.id'))
    .addColumn('record_b', 'bigint', (c) => c.notNull().references('source_record.id'))
    .addColumn('weight', 'double precision', (c) => c.notNull())
    .addColumn('probability', 'double precision', (c) => c.notNull())
    .addColumn('field_weights', 'json', (c) => c.notNull())
    .addColumn('levels', 'json', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // open | obsolete | match | non_match
    .addColumn('run_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('review_item_pair', ['record_a', 'record_b'])
    .execute();
  await db.schema.createIndex('review_item_status').on('review_item').column('status').execute();

  // Conflicts and alerts: one row per finding, kept (open, resolved or obsolete) for the audit.
  await db.schema
    .createTable('resident_issue')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('resident_id', 'bigint', (c) => c.notNull().references('resident.id'))
    .addColumn('category', 'text', (c) => c.notNull()) // conflict | alert
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('details', 'json', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // open | resolved | obsolete
    .addColumn('run_id', 'bigint')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('resident_issue_fingerprint', ['resident_id', 'fingerprint'])
    .execute();
  await db.schema.createIndex('resident_issue_status').on('resident_issue').columns(['category', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['name_frequency', 'link_pending', 'resident_issue', 'review_item', 'link_key', 'resident_link', 'resident_version', 'resident', 'link_run', 'link_model']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('source_record_name_match').execute();
}
