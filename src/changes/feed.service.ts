import type { Role } from '../access/roles.js';
import type { Executor } from '../db/schema.js';
import { eventsRepository } from './events.repository.js';
import { feedPage, parseCursor, type FeedPage } from './feed.js';

export interface FeedQuery {
  /** The cursor of the last event seen; absent: from the beginning. */
  since?: string;
  limit: number;
  includeGolden: boolean;
}

/** A page of the changes feed as `role` sees it. */
export async function readChanges(db: Executor, role: Role, query: FeedQuery): Promise<FeedPage> {
  const after = parseCursor(query.since);
  const stored = await eventsRepository.page(db, after, query.limit, query.includeGolden);
  return feedPage(role, query.since, query.limit, stored, query.includeGolden);
}
