import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../testing/context.js';
import { storesUnderTest } from '../testing/stores.js';
import { Authenticator, createKey, revokeKey } from './keys.service.js';

describe.each(storesUnderTest())('API key authentication on $name', (store) => {
  let ctx: Awaited<ReturnType<typeof testContext>>;
  beforeAll(async () => {
    ctx = await testContext(store);
  });
  afterAll(async () => {
    await ctx?.dispose();
  });

  it('answers a known key with its holder, an unknown one with nothing, and trusts an answer for the TTL only', async () => {
    let now = 1_000_000;
    const auth = new Authenticator(ctx.db, 10_000, () => now);
    const created = await createKey(ctx.db, { role: 'community', name: '东风社区' });
    expect(await auth.authenticate(created.key)).toEqual({ keyId: created.id, name: '东风社区', role: 'community', prefix: created.prefix });
    expect(await auth.authenticate(`rhk_${'B'.repeat(43)}`)).toBeUndefined();

    await revokeKey(ctx.db, created.id);
    now += 9_999;
    expect((await auth.authenticate(created.key))?.role).toBe('community'); // still within the TTL
    now += 2;
    expect(await auth.authenticate(created.key)).toBeUndefined();
    // Without a TTL every call asks the database.
    expect(await new Authenticator(ctx.db, 0).authenticate(created.key)).toBeUndefined();
  });
});
