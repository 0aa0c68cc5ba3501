import { bulkInsert, type BulkWriter } from '../db/bulk.js';
import type { ResidentEventTable } from '../db/schema.js';

/** One entry of the changes feed departments pull (GET /v1/changes). */
export interface ResidentEventWrite {
  residentId: string;
  kind: ResidentEventTable['kind'];
  /** The resident's version after the change (created / updated / restored). */
  version?: number | null;
  /** merged: the survivor; split: the resident the records went to (on the source) or came from (on the new one). */
  relatedResidentId?: string | null;
  runId?: string | null;
  actionId?: string | null;
}

const COLUMNS = [
  { name: 'resident_id', type: 'bigint' },
  { name: 'kind', type: 'text' },
  { name: 'version', type: 'integer' },
  { name: 'related_resident_id', type: 'bigint' },
  { name: 'run_id', type: 'bigint' },
  { name: 'action_id', type: 'bigint' },
] as const;

export const eventsRepository = {
  /** Appends events in the order given (the feed's order); COPY when the writer has a client. */
  async append(writer: BulkWriter, events: readonly ResidentEventWrite[]): Promise<void> {
    if (events.length === 0) return;
    await bulkInsert(
      writer,
      'resident_event',
      COLUMNS,
      events.map((e) => [e.residentId, e.kind, e.version ?? null, e.relatedResidentId ?? null, e.runId ?? null, e.actionId ?? null]),
    );
  },
};
