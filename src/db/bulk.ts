import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import type { Executor } from './schema.js';

/** Where bulk rows go: through COPY when a raw PostgreSQL client is at hand, else through unnest() (PGlite). */
export interface BulkWriter {
  db: Executor;
  copyClient?: pg.PoolClient;
}

export type BulkValue = string | number | boolean | null;

export interface BulkColumn {
  name: string;
  /** SQL type of the column, for unnest's arrays (e.g. 'bigint', 'text', 'json'). */
  type: string;
}

const CHUNK = 5_000;

/** One value in COPY's text format. */
export function copyText(value: BulkValue): string {
  if (value === null) return '\\N';
  const text = typeof value === 'boolean' ? (value ? 't' : 'f') : String(value);
  return /[\\\n\r\t]/.test(text) ? text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') : text;
}

/**
 * One line of COPY text, as the UTF-8 bytes sent. Encoding line by line is about four times
 * faster than encoding a chunk's text as one string when the rows hold Chinese: V8 first
 * flattens a multi-megabyte two-byte string built of pieces, then transcodes it, both slowly,
 * while a short line takes Buffer's pooled fast path.
 */
export function copyLine(text: string): Buffer {
  return Buffer.from(`${text}\n`);
}

/**
 * Inserts rows (one value per column, in column order) into `table`. `rows` may be any iterable
 * (a generator): it is read a chunk at a time, so that a million rows never exist as values all
 * at once — the caller's objects are turned into COPY text as they are sent.
 */
export async function bulkInsert(writer: BulkWriter, table: string, columns: readonly BulkColumn[], rows: Iterable<readonly BulkValue[]>): Promise<void> {
  const names = columns.map((c) => c.name).join(', ');
  if (writer.copyClient) {
    // One COPY, fed a chunk at a time as the server takes them: the next chunk's text is made
    // while the server stores the last one.
    const chunks = chunksOf(rows, COPY_CHUNK, (row) => copyLine(row.map(copyText).join('\t')));
    const first = chunks.next();
    // No rows, no COPY.
    if (first.done) return;
    const text = (function* () {
      for (let chunk: IteratorResult<Buffer[]> = first; !chunk.done; chunk = chunks.next()) yield Buffer.concat(chunk.value);
    })();
    await pipeline(Readable.from(text, { highWaterMark: 1 }), writer.copyClient.query(copyFrom(`copy ${table} (${names}) from stdin`)));
    return;
  }
  for (const chunk of chunksOf(rows, CHUNK, (row) => row)) {
    const arrays = columns.map((column, c) => {
      const values = chunk.map((row) => row[c] ?? null);
      // json travels as text: an array of json parameters is not something pg can serialise.
      const type = column.type === 'json' ? 'text' : column.type;
      const cast = column.type === 'json' ? sql.raw('::json') : sql.raw('');
      return { list: sql`${values}::${sql.raw(type)}[]`, cast };
    });
    const selects = columns.map((column, c) => sql`${sql.ref(`x.c${c}`)}${arrays[c]!.cast}`);
    const aliases = sql.raw(columns.map((_, c) => `c${c}`).join(', '));
    await sql`insert into ${sql.table(table)} (${sql.raw(names)})
      select ${sql.join(selects)} from unnest(${sql.join(arrays.map((a) => a.list))}) as x(${aliases})`.execute(writer.db);
  }
}

/** Rows per chunk of COPY text. */
const COPY_CHUNK = 5_000;

/** `items` in lists of at most `size`, each item mapped as it is taken. */
function* chunksOf<T, U>(items: Iterable<T>, size: number, map: (item: T) => U): Generator<U[]> {
  let chunk: U[] = [];
  for (const item of items) {
    chunk.push(map(item));
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}
