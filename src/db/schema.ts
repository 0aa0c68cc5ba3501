import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

/** Kysely's view of the tables. Only repositories use it. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | T, string | T>;
type BigId = ColumnType<string, number | string, number | string>;
type GeneratedBigId = ColumnType<string, number | string | undefined, never>;

export interface ImportBatchTable {
  id: GeneratedBigId;
  source: string;
  job_id: string;
  status: string;
  partial: Generated<boolean>;
  requested_by: string | null;
  rows_read: Generated<number>;
  rows_accepted: Generated<number>;
  rows_rejected: Generated<number>;
  rows_skipped: Generated<number>;
  ids_flagged: Generated<number>;
  records_created: Generated<number>;
  records_updated: Generated<number>;
  records_unchanged: Generated<number>;
  records_missing: Generated<number>;
  reject_reasons: Json<Record<string, number>>;
  flag_counts: Json<Record<string, number>>;
  progress: Json<unknown> | null;
  error: Json<{ code: string; message: string }> | null;
  created_at: Generated<Date>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface ImportFileTable {
  id: GeneratedBigId;
  batch_id: BigId;
  position: number;
  source: string;
  file_name: string;
  path: string;
  sha256: string;
  size_bytes: BigId;
  status: string;
  skipped_because_batch: BigId | null;
  format: string | null;
  encoding: string | null;
  sheet_name: string | null;
  header_row: number | null;
  headers: Json<string[]> | null;
  rows_done: Generated<number>;
  rows_read: Generated<number>;
  rows_accepted: Generated<number>;
  rows_rejected: Generated<number>;
  rows_skipped: Generated<number>;
  error: Json<{ code: string; message: string }> | null;
  finished_at: Timestamp | null;
}

export interface SourceRecordTable {
  id: GeneratedBigId;
  source: string;
  natural_key: string;
  version: Generated<number>;
  present: Generated<boolean>;
  first_batch_id: BigId;
  batch_id: BigId;
  file_name: string;
  file_sha256: string;
  row_number: number;
  content_hash: string;
  raw: Json<Record<string, string>>;
  data: Json<Record<string, unknown>>;
  flags: Json<unknown[]>;
  name: string | null;
  name_match: string | null;
  name_pinyin: string | null;
  id_number: string | null;
  id_status: string | null;
  birth_date: ColumnType<string | null, string | null | undefined, string | null>;
  sex: string | null;
  phone: string | null;
  household_key: string | null;
  /** 曾用名 in its match form (data.formerNameMatch), for search. */
  former_name_match: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SourceRecordHistoryTable {
  id: GeneratedBigId;
  source_record_id: BigId;
  version: number;
  present: boolean;
  batch_id: BigId;
  file_name: string;
  file_sha256: string;
  row_number: number;
  content_hash: string;
  raw: Json<Record<string, string>>;
  data: Json<Record<string, unknown>>;
  flags: Json<unknown[]>;
  superseded_by_batch_id: BigId;
  superseded_at: Generated<Date>;
}

export interface RejectedRowTable {
  id: GeneratedBigId;
  batch_id: BigId;
  source: string;
  file_name: string;
  file_sha256: string;
  row_number: number;
  raw: Json<Record<string, string>>;
  reasons: Json<{ field: string; code: string; message: string }[]>;
}

export interface LinkModelTable {
  id: GeneratedBigId;
  params: Json<unknown>;
  records: number;
  sources: Json<string[]>;
  created_at: Generated<Date>;
}

export interface LinkRunTable {
  id: GeneratedBigId;
  job_id: string;
  mode: string;
  reason: string;
  status: string;
  model_id: BigId | null;
  records_pending: Generated<number>;
  records_compared: Generated<number>;
  stats: Json<unknown> | null;
  error: Json<{ code: string; message: string }> | null;
  started_at: Generated<Date>;
  finished_at: Timestamp | null;
}

export interface ResidentTable {
  id: GeneratedBigId;
  merged_into: BigId | null;
  version: Generated<number>;
  golden_hash: string | null;
  name: string | null;
  id_number: string | null;
  birth_date: ColumnType<string | null, string | null | undefined, string | null>;
  sources: string | null;
  /** The 社区/村 of the current golden record's current address, for search. */
  community: string | null;
  created_run_id: BigId | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ResidentVersionTable {
  resident_id: BigId;
  version: number;
  golden: Json<unknown>;
  changes: Json<unknown> | null;
  members: Json<string[]>;
  run_id: BigId | null;
  created_at: Generated<Date>;
}

export interface ResidentLinkTable {
  source_record_id: BigId;
  resident_id: BigId;
  record_version: number;
  record_present: boolean;
  probability: number;
  method: string;
  partner_record_id: BigId | null;
  weight: number | null;
  field_weights: Json<Record<string, number>> | null;
  run_id: BigId;
  name_match: string | null;
  name_pinyin: string | null;
  linked_at: Generated<Date>;
}

export interface NameFrequencyTable {
  kind: string;
  value: string;
  count: number;
}

export interface LinkKeyTable {
  key: BigId;
  source_record_id: BigId;
}

export interface LinkPendingTable {
  source_record_id: BigId;
}

export interface ReviewItemTable {
  id: GeneratedBigId;
  record_a: BigId;
  record_b: BigId;
  weight: number;
  probability: number;
  field_weights: Json<Record<string, number>>;
  levels: Json<Record<string, string>>;
  reason: string;
  status: string;
  run_id: BigId;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ResidentIssueTable {
  id: GeneratedBigId;
  resident_id: BigId;
  category: string;
  kind: string;
  severity: string;
  fingerprint: string;
  details: Json<unknown>;
  status: string;
  run_id: BigId | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** How an auditor resolved it (migration 06). */
  resolution: Json<unknown> | null;
}

export interface ApiKeyTable {
  id: GeneratedBigId;
  name: string;
  role: string;
  prefix: string;
  key_hash: string;
  created_at: Generated<Date>;
  revoked_at: Timestamp | null;
}

export interface AuditActorColumn {
  keyId: string | null;
  name: string;
  role: string;
}

export interface AuditLogTable {
  seq: BigId;
  at: string;
  actor: Json<AuditActorColumn>;
  action: string;
  target_type: string;
  target_id: string | null;
  outcome: string;
  details: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: BigId;
  hash: string;
}

export interface AuditorActionTable {
  id: GeneratedBigId;
  kind: string;
  resident_ids: Json<string[]>;
  snapshot: Json<unknown>;
  reason: string | null;
  actor: Json<AuditActorColumn>;
  created_at: Generated<Date>;
  undone_at: Timestamp | null;
  undone_by: Json<AuditActorColumn> | null;
}

export interface PairDecisionTable {
  id: GeneratedBigId;
  record_a: BigId;
  record_b: BigId;
  decision: 'match' | 'non_match';
  origin: string;
  action_id: BigId | null;
  review_item_id: BigId | null;
  reason: string | null;
  actor: Json<AuditActorColumn>;
  created_at: Generated<Date>;
  revoked_at: Timestamp | null;
}

export interface FieldDecisionTable {
  id: GeneratedBigId;
  resident_id: BigId;
  field: string;
  value: Json<unknown>;
  source_record_id: BigId | null;
  issue_id: BigId | null;
  reason: string;
  actor: Json<AuditActorColumn>;
  created_at: Generated<Date>;
  revoked_at: Timestamp | null;
}

export interface ResidentEventTable {
  id: GeneratedBigId;
  resident_id: BigId;
  kind: 'created' | 'updated' | 'merged' | 'split' | 'restored';
  version: number | null;
  related_resident_id: BigId | null;
  run_id: BigId | null;
  action_id: BigId | null;
  created_at: Generated<Date>;
}

export interface Database {
  api_key: ApiKeyTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  auditor_action: AuditorActionTable;
  pair_decision: PairDecisionTable;
  field_decision: FieldDecisionTable;
  resident_event: ResidentEventTable;
  link_model: LinkModelTable;
  link_run: LinkRunTable;
  resident: ResidentTable;
  resident_version: ResidentVersionTable;
  resident_link: ResidentLinkTable;
  link_key: LinkKeyTable;
  link_pending: LinkPendingTable;
  name_frequency: NameFrequencyTable;
  review_item: ReviewItemTable;
  resident_issue: ResidentIssueTable;
  import_batch: ImportBatchTable;
  import_file: ImportFileTable;
  source_record: SourceRecordTable;
  source_record_history: SourceRecordHistoryTable;
  rejected_row: RejectedRowTable;
}

export type ImportBatch = Selectable<ImportBatchTable>;
export type NewImportBatch = Insertable<ImportBatchTable>;
export type ImportBatchUpdate = Updateable<ImportBatchTable>;
export type ImportFile = Selectable<ImportFileTable>;
export type SourceRecordRow = Selectable<SourceRecordTable>;
export type RejectedRow = Selectable<RejectedRowTable>;
export type LinkRun = Selectable<LinkRunTable>;
export type Resident = Selectable<ResidentTable>;

/** What a repository runs on: the database, or the caller's transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;
