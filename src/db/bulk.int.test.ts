import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { testContext } from '../testing/context.js';
import { storesUnderTest } from '../testing/stores.js';
import { bulkInsert, type BulkColumn, type BulkValue } from './bulk.js';

const columns: BulkColumn[] = [
  { name: 'id', type: 'bigint' },
  { name: 'label', type: 'text' },
  { name: 'doc', type: 'json' },
  { name: 'n', type: 'integer' },
  { name: 'ok', type: 'boolean' },
  { name: 'p', type: 'float8' },
  { name: 'born', type: 'date' },
  { name: 'big', type: 'bigint' },
];

/**
 * Rows crossing several COPY chunks, with every column type, nulls, text with tabs,
 * backslashes and newlines, and values longer than a buffer.
 */
function* rows(count: number, duplicateAt = -1): Generator<BulkValue[]> {
  for (let i = 0; i < count; i++) {
    const id = i === duplicateAt ? 0 : i;
    const label = `行${i}\t制表\\反斜杠\n换行\r`;
    yield [
      id,
      i % 7 === 0 ? null : i % 3 === 1 ? label.repeat(40) : label,
      JSON.stringify({ i, 名: `张${i}`, s: 'a\tb\\c', ...(i % 5 === 2 ? { 地址: '河南省郑州市金水区北大街道西湖社区'.repeat(20) } : {}) }),
      i % 11 === 0 ? null : i % 2 ? -i : String(i * 1000),
      i % 13 === 0 ? null : i % 2 === 0,
      i % 17 === 0 ? null : i / 8 - 100,
      i % 19 === 0 ? null : new Date(Date.UTC(1940, 0, 1) + i * 86_400_000 * 3).toISOString().slice(0, 10),
      i % 23 === 0 ? null : i % 2 ? String(2n ** 62n + BigInt(i)) : -(2 ** 40) - i,
    ];
  }
}

/** A row as the server gives it back as text. */
function asStored(row: BulkValue[]): Record<string, string | null> {
  const [id, label, doc, n, ok, p, born, big] = row;
  const text = (v: BulkValue) => (v === null ? null : String(v));
  return { id: text(id!), label: text(label!), doc: text(doc!), n: text(n!), ok: ok === null ? null : ok ? 'true' : 'false', p: text(p!), born: text(born!), big: text(big!) };
}

describe.each(storesUnderTest())('bulkInsert on $name', (store) => {
  it('stores every row as given, across chunks; a row the server refuses fails the whole insert', async () => {
    const ctx = await testContext(store);
    try {
      await sql`create table bulk_probe (id bigint primary key, label text, doc json not null, n integer, ok boolean, p float8, born date, big bigint)`.execute(ctx.db);
      const count = 12_345;
      await ctx.store.transactionWithClient((trx, copyClient) => bulkInsert({ db: trx, copyClient }, 'bulk_probe', columns, rows(count)));
      await ctx.store.transactionWithClient((trx, copyClient) => bulkInsert({ db: trx, copyClient }, 'bulk_probe', columns, []));
      const stored = await sql<Record<string, string | null>>`select id::text, label, doc::text as doc, n::text, ok::text, p::text, born::text, big::text
        from bulk_probe order by bulk_probe.id`.execute(ctx.db);
      expect(stored.rows).toHaveLength(count);
      const expected = [...rows(count)];
      for (let i = 0; i < count; i++) {
        if (JSON.stringify(stored.rows[i]) !== JSON.stringify(asStored(expected[i]!))) expect(stored.rows[i], `row ${i}`).toEqual(asStored(expected[i]!));
      }

      // A duplicate in a later chunk: nothing of this insert stays.
      const more = (function* (): Generator<BulkValue[]> {
        for (const [id, ...rest] of rows(11_000, 10_500)) yield [Number(id) === 0 ? 0 : Number(id) + count, ...rest];
      })();
      await expect(ctx.store.transactionWithClient((trx, copyClient) => bulkInsert({ db: trx, copyClient }, 'bulk_probe', columns, more))).rejects.toThrow(/duplicate key|unique/);
      const after = await sql<{ n: number }>`select count(*)::int as n from bulk_probe`.execute(ctx.db);
      expect(after.rows[0]!.n).toBe(count);
    } finally {
      await ctx.dispose();
    }
  }, 120_000);
});
