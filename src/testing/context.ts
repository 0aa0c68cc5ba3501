import { loadConfig } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import type { StoreUnderTest } from './stores.js';

/** A migrated context on a fresh store, with jobs in process unless a Redis URL is given. */
export async function testContext(
  store: StoreUnderTest,
  opts: { redisUrl?: string; queuePrefix?: string; maxRowsPerFile?: number } = {},
): Promise<AppContext & { dispose(): Promise<void> }> {
  const created = await store.create();
  const config = {
    ...loadConfig({}),
    ...created.config,
    redisUrl: opts.redisUrl,
    queuePrefix: opts.queuePrefix ?? 'rh-test',
    ...(opts.maxRowsPerFile ? { maxRowsPerFile: opts.maxRowsPerFile } : {}),
  };
  const ctx = await createContext(config);
  return Object.assign(ctx, {
    async dispose() {
      await ctx.close();
      await created.dispose();
    },
  });
}
