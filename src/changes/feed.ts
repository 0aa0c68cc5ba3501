/**
 * The changes feed departments pull to keep their systems in step: which residents were
 * created, updated, merged or split, in order, with the golden fields each version changed
 * (names only). Pure: no I/O.
 */
import { isFieldVisible, redactGolden, type RedactedGolden } from '../access/field-policy.js';
import type { Role } from '../access/roles.js';
import { AppError, ErrorCodes } from '../errors.js';
import type { GoldenRecord } from '../golden/types.js';
import { diffGolden, type FieldChange } from '../golden/version.js';
import type { StoredResidentEvent } from './events.repository.js';

export const FEED_DEFAULT_LIMIT = 100;
export const FEED_MAX_LIMIT = 1000;

/** A cursor is the id of the last event seen ("0": before the first). */
export const CURSOR_PATTERN = '^(0|[1-9][0-9]{0,17})$';
const CURSOR = new RegExp(CURSOR_PATTERN);

export function parseCursor(text: string | undefined): string {
  if (text === undefined) return '0';
  if (!CURSOR.test(text)) throw new AppError(ErrorCodes.VALIDATION, `malformed cursor "${text}": expected the cursor of the last event seen`);
  return text;
}

export interface FeedEvent {
  cursor: string;
  residentId: string;
  kind: StoredResidentEvent['kind'];
  version: number | null;
  relatedResidentId: string | null;
  changedFields: string[];
  at: string;
  /** With include=golden: the golden record as of the event's version, as the caller may see it (null when the event has no version). */
  golden?: RedactedGolden | null;
}

export interface FeedPage {
  events: FeedEvent[];
  /** The cursor to ask from next time (the last event's; the one given when nothing is new). */
  next: string | null;
  /** The page was full: more events may follow at once. */
  hasMore: boolean;
}

/**
 * The golden fields a version changed, in diffGolden's order: from the version's recorded
 * changes, or, for a first version (no changes recorded), every field its record has.
 */
export function changedFieldsOf(changes: unknown, golden: unknown): string[] {
  const list: FieldChange[] | null = Array.isArray(changes) ? (changes as FieldChange[]) : golden !== null && golden !== undefined ? diffGolden(undefined, golden as GoldenRecord) : null;
  if (list === null) return [];
  const out: string[] = [];
  for (const change of list) if (typeof change?.field === 'string' && !out.includes(change.field)) out.push(change.field);
  return out;
}

/** An event as `role` sees it: changed fields the role may not see are left out (not even their change shows). */
export function toFeedEvent(role: Role, event: StoredResidentEvent, includeGolden: boolean): FeedEvent {
  const out: FeedEvent = {
    cursor: event.id,
    residentId: event.residentId,
    kind: event.kind,
    version: event.version,
    relatedResidentId: event.relatedResidentId,
    changedFields: event.version === null ? [] : changedFieldsOf(event.changes, event.golden).filter((field) => isFieldVisible(role, field)),
    at: event.createdAt.toISOString(),
  };
  if (includeGolden) out.golden = event.golden === null ? null : redactGolden(role, event.golden as GoldenRecord);
  return out;
}

export function feedPage(role: Role, since: string | undefined, limit: number, stored: readonly StoredResidentEvent[], includeGolden: boolean): FeedPage {
  const events = stored.map((e) => toFeedEvent(role, e, includeGolden));
  const last = events[events.length - 1];
  return { events, next: last?.cursor ?? since ?? null, hasMore: events.length === limit };
}
