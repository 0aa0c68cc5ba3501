import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration describes the schema as it was on 2026-11-26. Never import
// application code here; later changes get a new, later migration.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_batch')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('partial', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('requested_by', 'text')
    .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_accepted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_rejected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ids_flagged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_missing', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reject_reasons', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('flag_counts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('progress', 'jsonb')
    .addColumn('error', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('import_file')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('batch_id', 'bigint', (c) => c.notNull().references('import_batch.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    // pending → running → completed | failed | skipped (identical file already imported)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('skipped_because_batch', 'bigint')
    .addColumn('format', 'text')
    .addColumn('encoding', 'text')
    .addColumn('sheet_name', 'text')
    .addColumn('header_row', 'integer')
    .addColumn('headers', 'jsonb')
    .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_accepted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_rejected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'jsonb')
    .addColumn('finished_at', 'timestamptz')
    .addUniqueConstraint('import_file_batch_position', ['batch_id', 'position'])
    .execute();
  await db.schema.createIndex('import_file_source_sha').on('import_file').columns(['source', 'sha256', 'status']).execute();

  // A record's raw row, normalised values and flags are json, not jsonb: json keeps the
  // columns in the file's order, and ingesting it costs a fraction of jsonb's parse. What is
  // searched or linked on is promoted to columns below.
  await db.schema
    .createTable('source_record')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('natural_key', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('present', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('first_batch_id', 'bigint', (c) => c.notNull().references('import_batch.id'))
    .addColumn('batch_id', 'bigint', (c) => c.notNull().references('import_batch.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('raw', 'json', (c) => c.notNull())
    .addColumn('data', 'json', (c) => c.notNull())
    .addColumn('flags', 'json', (c) => c.notNull().defaultTo(sql`'[]'::json`))
    // Promoted from `data` for blocking, search and reports.
    .addColumn('name', 'text')
    .addColumn('name_match', 'text')
    .addColumn('name_pinyin', 'text')
    .addColumn('id_number', 'text')
    .addColumn('id_status', 'text')
    .addColumn('birth_date', 'date')
    .addColumn('sex', 'text')
    .addColumn('phone', 'text')
    .addColumn('household_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('source_record_natural_key', ['source', 'natural_key'])
    .execute();
  await db.schema.createIndex('source_record_id_number').on('source_record').column('id_number').execute();
  await db.schema.createIndex('source_record_name_pinyin').on('source_record').column('name_pinyin').execute();
  await db.schema.createIndex('source_record_batch').on('source_record').columns(['batch_id']).execute();
  await db.schema.createIndex('source_record_file_row').on('source_record').columns(['file_sha256', 'row_number']).execute();

  // Earlier versions of a source record, kept whenever a newer export changed it.
  await db.schema
    .createTable('source_record_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('source_record_id', 'bigint', (c) => c.notNull().references('source_record.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('present', 'boolean', (c) => c.notNull())
    .addColumn('batch_id', 'bigint', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('raw', 'json', (c) => c.notNull())
    .addColumn('data', 'json', (c) => c.notNull())
    .addColumn('flags', 'json', (c) => c.notNull())
    .addColumn('superseded_by_batch_id', 'bigint', (c) => c.notNull())
    .addColumn('superseded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('source_record_history_version', ['source_record_id', 'version'])
    .execute();

  await db.schema
    .createTable('rejected_row')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('batch_id', 'bigint', (c) => c.notNull().references('import_batch.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addColumn('raw', 'json', (c) => c.notNull())
    .addColumn('reasons', 'json', (c) => c.notNull())
    .addUniqueConstraint('rejected_row_batch_file_row', ['batch_id', 'file_sha256', 'row_number'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rejected_row').execute();
  await db.schema.dropTable('source_record_history').execute();
  await db.schema.dropTable('source_record').execute();
  await db.schema.dropTable('import_file').execute();
  await db.schema.dropTable('import_batch').execute();
}
