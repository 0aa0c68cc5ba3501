/**
 * The links file (`resident-hub export links`, GET /v1/links/export): one line per accepted
 * source record with the resident it belongs to, in pages, so that a district's million
 * records stream without being held in memory.
 */
import { csvLine } from '../cli/csv.js';
import type { Executor } from '../db/schema.js';
import { linkRepository } from '../linkage/link.repository.js';

export const LINKS_CSV_HEADER = ['source', 'file', 'row', 'resident_id', 'match_probability', 'method'] as const;

export interface LinkExportRow {
  source: string;
  file_name: string;
  row_number: number;
  resident_id: string | null;
  probability: number | null;
  method: string | null;
}

/** One CSV line of the links file (an unlinked record has empty resident, probability and method). */
export function linkCsvLine(r: LinkExportRow): string {
  return csvLine([r.source, r.file_name, r.row_number, r.resident_id ?? '', r.probability === null ? '' : Number(Number(r.probability).toFixed(6)), r.method ?? '']);
}

/** The links file as text chunks: the header, then a chunk per page of records. */
export async function* linksCsv(db: Executor): AsyncGenerator<string> {
  yield csvLine([...LINKS_CSV_HEADER]);
  for await (const page of linkRepository.linksForExport(db)) {
    let text = '';
    for (const r of page) text += linkCsvLine(r);
    yield text;
  }
}
