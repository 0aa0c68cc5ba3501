import type { Migration } from 'kysely';
import * as m20261126_01 from './2026-11-26_01_ingest.js';
import * as m20261126_02 from './2026-11-26_02_linkage.js';
import * as m20261126_03 from './2026-11-26_03_api.js';
import * as m20261126_04 from './2026-11-26_04_search.js';
import * as m20261126_05 from './2026-11-26_05_issues.js';
import * as m20261126_06 from './2026-11-26_06_bulk_writes.js';
import * as m20261126_07 from './2026-11-26_07_record_batch_keys.js';
import * as m20261127_08 from './2026-11-27_08_uncompressed_records.js';

/** Every migration in order. Names are dated and never change once landed. */
export const migrations: Record<string, Migration> = {
  '2026-11-26_01_ingest': m20261126_01,
  '2026-11-26_02_linkage': m20261126_02,
  '2026-11-26_03_api': m20261126_03,
  '2026-11-26_04_search': m20261126_04,
  '2026-11-26_05_issues': m20261126_05,
  '2026-11-26_06_bulk_writes': m20261126_06,
  '2026-11-26_07_record_batch_keys': m20261126_07,
  '2026-11-27_08_uncompressed_records': m20261127_08,
};
