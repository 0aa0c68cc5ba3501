import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { testContext } from '../testing/context.js';
import { storesUnderTest } from '../testing/stores.js';
import { bulkInsert, type BulkColumn, type BulkValue } from './bulk.js';

const columns: BulkColumn[] = [
  { name: 'id', type: 'bigint' },
  { name: 'label', type: 'text' },
  { name: 'doc', type: 'json' },
];

/**
 * Rows crossing several COPY chunks, with text COPY must escape, nulls and JSON; some labels
 * and documents long enough to be written apart from the rest of their line.
 */
function* rows(count: number, duplicateAt = -1): Generator<BulkValue[]> {
  for (let i = 0; i < count; i++) {
    const id = i === duplicateAt ? 0 : i;
    const label = `行${i}\t制表\\反斜杠\n换行\r`;
    yield [
      id,
      i % 7 === 0 ? null : i % 3 === 1 ? label.repeat(40) : label,
      JSON.stringify({ i, 名: `张${i}`, s: 'a\tb\\c', ...(i % 5 === 2 ? { 地址: '河南省郑州市金水区北大街道西湖社区'.repeat(20) } : {}) }),
    ];
  }
}

describe.each(storesUnderTest())('bulkInsert on $name', (store) => {
  it('stores every row as given, across chunks; a row the server refuses fails the whole insert', async () => {
    const ctx = await testContext(store);
    try {
      await sql`create table bulk_probe (id bigint primary key, label text, doc json not null)`.execute(ctx.db);
      const count = 12_345;
      await ctx.store.transactionWithClient((trx, copyClient) => bulkInsert({ db: trx, copyClient }, 'bulk_probe', columns, rows(count)));
      await ctx.store.transactionWithClient((trx, copyClient) => bulkInsert({ db: trx, copyClient }, 'bulk_probe', columns, []));
      const stored = await sql<{ id: string; label: string | null; doc: string }>`select id::text, label, doc::text as doc from bulk_probe order by bulk_probe.id`.execute(ctx.db);
      expect(stored.rows).toHaveLength(count);
      const expected = [...rows(count)];
      for (const i of [0, 1, 2, 3, 4, 7, 4_999, 5_000, 5_001, 12_344]) {
        expect(stored.rows[i]).toEqual({ id: String(i), label: expected[i]![1], doc: expected[i]![2] });
      }

      // A duplicate in a later chunk: nothing of this insert stays.
      const more = (function* (): Generator<BulkValue[]> {
        for (const [id, label, doc] of rows(11_000, 10_500)) yield [Number(id) === 0 ? 0 : Number(id) + count, label ?? null, doc ?? null];
      })();
      await expect(ctx.store.transactionWithClient((trx, copyClient) => bulkInsert({ db: trx, copyClient }, 'bulk_probe', columns, more))).rejects.toThrow(/duplicate key|unique/);
      const after = await sql<{ n: number }>`select count(*)::int as n from bulk_probe`.execute(ctx.db);
      expect(after.rows[0]!.n).toBe(count);
    } finally {
      await ctx.dispose();
    }
  }, 120_000);
});
