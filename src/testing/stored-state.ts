import { sql } from 'kysely';
import type { AppContext } from '../context.js';

/** A fingerprint of everything stored about source records, for "nothing changed" assertions. */
export async function storedState(ctx: Pick<AppContext, 'db'>): Promise<string> {
  const r = await sql<{ s: string }>`
    select (select coalesce(string_agg(id || ':' || version || ':' || content_hash || ':' || present, ',' order by id), '') from source_record)
      || '|' || (select count(*) from rejected_row) || '|' || (select count(*) from source_record_history) as s`.execute(ctx.db);
  return r.rows[0]!.s;
}
