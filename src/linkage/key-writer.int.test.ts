import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../testing/context.js';
import { storesUnderTest } from '../testing/stores.js';
import { keyWriterSource, startKeyWriter } from './key-writer.js';

const postgres = storesUnderTest().find((s) => s.name === 'postgres');

describe.skipIf(!postgres)('the blocking-key writer on its own connection (PostgreSQL)', () => {
  let ctx: Awaited<ReturnType<typeof testContext>>;
  beforeAll(async () => {
    ctx = await testContext(postgres!);
  }, 60_000);
  afterAll(async () => {
    await ctx?.dispose();
  });

  const stored = async () =>
    (await sql<{ key: string; source_record_id: string }>`select key::text, source_record_id::text from link_key order by source_record_id, key`.execute(ctx.db)).rows.map(
      (r) => `${r.source_record_id}:${r.key}`,
    );
  const indexes = async () => (await sql<{ name: string }>`select indexrelid::regclass::text as name from pg_index where indrelid = 'link_key'::regclass order by 1`.execute(ctx.db)).rows.map((r) => r.name);

  it('is not offered on the embedded store', async () => {
    expect(await keyWriterSource({ databaseUrl: undefined })).toBeNull();
  });

  it('replaces every key, indexed, and commits when told; rolls back when closed first', async () => {
    const from = await keyWriterSource(ctx.store);
    expect(from).not.toBeNull();
    // 2^53 - 1 is the largest hash blocking.ts stores.
    const writer = startKeyWriter(from!, ['7', '8', '9'], [[11, 12], [], [2 ** 53 - 1]]);
    // (Until it commits, link_key is locked: its truncate holds it.)
    await writer.loaded;
    await writer.commit();
    await writer.close();
    expect(await stored()).toEqual(['7:11', '7:12', `9:${2 ** 53 - 1}`]);
    expect(await indexes()).toEqual(['link_key_key', 'link_key_record']);

    const discarded = startKeyWriter(from!, ['1'], [[5]]);
    await discarded.loaded;
    await discarded.close();
    expect(await stored()).toEqual(['7:11', '7:12', `9:${2 ** 53 - 1}`]);
    expect(await indexes()).toEqual(['link_key_key', 'link_key_record']);
  }, 60_000);

  it('fails loaded with the server’s reason when it cannot write, and closes cleanly', async () => {
    const from = await keyWriterSource(ctx.store);
    const url = new URL(ctx.store.databaseUrl!);
    url.pathname = '/rh_no_such_database';
    const writer = startKeyWriter({ ...from!, databaseUrl: url.toString() }, ['1'], [[5]]);
    await expect(writer.loaded).rejects.toThrow(/writing the blocking keys: .*rh_no_such_database/);
    await expect(writer.commit()).rejects.toThrow(/writing the blocking keys/);
    await writer.close();
  }, 60_000);
});
