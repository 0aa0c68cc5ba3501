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
  /** SQL type of the column: for COPY's binary values and unnest's arrays. */
  type: BulkType;
}

const CHUNK = 5_000;

/** The column types bulk rows are written for, as SQL names (also unnest's array types). */
export type BulkType = 'text' | 'json' | 'bigint' | 'integer' | 'boolean' | 'float8' | 'date';

const EMPTY = Buffer.alloc(0);

/** "PGCOPY\n\377\r\n\0", then no flags and no header extension. */
const BINARY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);

/** Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for dates. */
const POSTGRES_EPOCH_DAYS = 10_957;
const TWO_TO_32 = 4_294_967_296;

/**
 * Rows in COPY's binary format, written straight into buffers. Every value goes in as its
 * length and bytes, so the server neither scans each line for escapes nor parses numbers and
 * dates from text, and nothing here escapes tabs and backslashes: on the police CSV, the
 * server's line and field splitting was a fifth of its time. Text and JSON go in as UTF-8
 * (json's binary form is its text, which the server still checks).
 *
 * A value that does not fit its column's type throws here, naming the column, before anything
 * of its row is sent.
 */
export class CopyEncoder {
  private readonly filled: Buffer[] = [];
  private buffer = EMPTY;
  /** Bytes of `buffer` already given out by take(). */
  private taken = 0;
  private used = 0;

  constructor(
    private readonly columns: readonly BulkColumn[],
    private readonly size = 1 << 20,
  ) {
    for (const column of columns) {
      if (!BULK_TYPES.has(column.type)) throw new Error(`bulk rows: no binary COPY encoding for ${column.name}'s type ${column.type}`);
    }
    this.reserve(BINARY_HEADER.length);
    this.used += BINARY_HEADER.copy(this.buffer, this.used);
  }

  /** Appends one row: one value per column, in column order. */
  row(values: readonly BulkValue[]): void {
    const columns = this.columns;
    if (values.length !== columns.length) throw new Error(`bulk rows: a row of ${values.length} values for ${columns.length} columns`);
    this.reserve(2);
    this.used = this.buffer.writeInt16BE(columns.length, this.used);
    for (let c = 0; c < columns.length; c++) {
      const value = values[c]!;
      if (value === null) {
        this.reserve(4);
        this.used = this.buffer.writeInt32BE(-1, this.used);
        continue;
      }
      const type = columns[c]!.type;
      if (type === 'text' || type === 'json') {
        if (typeof value !== 'string') this.refuse(c, value);
        // A UTF-16 unit never takes more than 3 bytes.
        this.reserve(4 + value.length * 3);
        const length = this.buffer.write(value, this.used + 4);
        this.buffer.writeInt32BE(length, this.used);
        this.used += 4 + length;
      } else if (type === 'bigint') {
        this.reserve(12);
        this.used = this.buffer.writeInt32BE(8, this.used);
        const n = typeof value === 'number' ? value : typeof value === 'string' ? integerText(value) : NaN;
        if (Number.isSafeInteger(n)) {
          const high = Math.floor(n / TWO_TO_32);
          this.buffer.writeInt32BE(high, this.used);
          this.buffer.writeUInt32BE(n - high * TWO_TO_32, this.used + 4);
          this.used += 8;
        } else {
          this.used = this.buffer.writeBigInt64BE(this.bigInt(c, value), this.used);
        }
      } else if (type === 'integer') {
        const n = typeof value === 'string' ? integerText(value) : value;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < -2_147_483_648 || n > 2_147_483_647) this.refuse(c, value);
        this.reserve(8);
        this.used = this.buffer.writeInt32BE(4, this.used);
        this.used = this.buffer.writeInt32BE(n, this.used);
      } else if (type === 'boolean') {
        if (typeof value !== 'boolean') this.refuse(c, value);
        this.reserve(5);
        this.used = this.buffer.writeInt32BE(1, this.used);
        this.buffer[this.used++] = value ? 1 : 0;
      } else if (type === 'float8') {
        const n = typeof value === 'string' ? Number(value) : value;
        if (typeof n !== 'number' || Number.isNaN(n)) this.refuse(c, value);
        this.reserve(12);
        this.used = this.buffer.writeInt32BE(8, this.used);
        this.used = this.buffer.writeDoubleBE(n, this.used);
      } else {
        const days = typeof value === 'string' ? daysSince2000(value) : undefined;
        if (days === undefined) this.refuse(c, value);
        this.reserve(8);
        this.used = this.buffer.writeInt32BE(4, this.used);
        this.used = this.buffer.writeInt32BE(days, this.used);
      }
    }
  }

  /** Appends the trailer that ends the data; nothing may follow it. */
  end(): void {
    this.reserve(2);
    this.used = this.buffer.writeInt16BE(-1, this.used);
  }

  /**
   * The bytes added since the last take, in order. Later rows go on after them in the same
   * buffer, never over them: what was taken may still be queued on a socket.
   */
  take(): Buffer[] {
    const out = this.filled.splice(0);
    if (this.used > this.taken) out.push(this.buffer.subarray(this.taken, this.used));
    this.taken = this.used;
    return out;
  }

  private reserve(bytes: number): void {
    if (this.buffer.length - this.used >= bytes) return;
    if (this.used > this.taken) this.filled.push(this.buffer.subarray(this.taken, this.used));
    this.buffer = Buffer.allocUnsafe(Math.max(this.size, bytes));
    this.taken = this.used = 0;
  }

  private bigInt(column: number, value: BulkValue): bigint {
    if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) {
      const n = BigInt(value);
      if (n >= -(1n << 63n) && n < 1n << 63n) return n;
    }
    return this.refuse(column, value);
  }

  private refuse(column: number, value: BulkValue): never {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
    throw new Error(`bulk rows: ${shown} is not a ${this.columns[column]!.type} for column ${this.columns[column]!.name}`);
  }
}

const BULK_TYPES: ReadonlySet<string> = new Set<BulkType>(['text', 'json', 'bigint', 'integer', 'boolean', 'float8', 'date']);

/** An ISO date ('2014-05-27') as days since 2000-01-01; undefined when it is not one (no such day). */
export function daysSince2000(text: string): number | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!)) return undefined;
  // Days from civil (Howard Hinnant's algorithm): no Date object per value.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468 - POSTGRES_EPOCH_DAYS;
}

/** Up to 15 decimal digits with an optional '-' as a number (exact); NaN for anything else. */
function integerText(text: string): number {
  const negative = text.charCodeAt(0) === 45;
  const start = negative ? 1 : 0;
  if (text.length === start || text.length - start > 15) return NaN;
  const n = digitsAt(text, start, text.length - start);
  return n < 0 ? NaN : negative ? -n : n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written in `length` ASCII digits at `start`; -1 if any is not a digit. */
function digitsAt(text: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Inserts rows (one value per column, in column order) into `table`. `rows` may be any iterable
 * (a generator): it is read a chunk at a time, so that a million rows never exist as values all
 * at once — the caller's objects are turned into COPY text as they are sent.
 */
export async function bulkInsert(writer: BulkWriter, table: string, columns: readonly BulkColumn[], rows: Iterable<readonly BulkValue[]>): Promise<void> {
  const names = columns.map((c) => c.name).join(', ');
  if (writer.copyClient) {
    const iterator = rows[Symbol.iterator]();
    let next = iterator.next();
    // No rows, no COPY.
    if (next.done) return;
    // One COPY, fed a chunk at a time as the server takes them: the next chunk's bytes are made
    // while the server stores the last one.
    const encoder = new CopyEncoder(columns);
    const bytes = (function* () {
      for (let count = 1; !next.done; next = iterator.next(), count++) {
        encoder.row(next.value);
        if (count % COPY_CHUNK === 0) yield* encoder.take();
      }
      encoder.end();
      yield* encoder.take();
    })();
    await pipeline(Readable.from(bytes, { highWaterMark: 1 }), writer.copyClient.query(copyFrom(`copy ${table} (${names}) from stdin with (format binary)`)));
    return;
  }
  for (const chunk of chunksOf(rows, CHUNK)) {
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

/** Rows per chunk of COPY data. */
const COPY_CHUNK = 5_000;

/** `items` in lists of at most `size`. */
function* chunksOf<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}
