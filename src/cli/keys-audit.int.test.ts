import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createContext } from '../context.js';
import { runCli } from '../testing/cli.js';
import { storesUnderTest } from '../testing/stores.js';


describe.each(storesUnderTest())('keys and audit commands on $name', (store) => {
  let env: NodeJS.ProcessEnv;
  let config: ReturnType<typeof loadConfig>;
  let dispose: () => Promise<void>;

  const cli = (...args: string[]) => runCli(env, ...args);


  beforeAll(async () => {
    const created = await store.create();
    dispose = created.dispose;
    env = { ...process.env, DATA_DIR: created.config.dataDir, DATABASE_URL: created.config.databaseUrl ?? '', REDIS_URL: '' };
    config = { ...loadConfig({}), ...created.config, redisUrl: undefined };
  });
  afterAll(async () => {
    await dispose?.();
  });

  it('creates, lists and revokes keys; refuses an unknown role; audit verify passes, then fails once a row is edited', async () => {
    const created = await cli('keys', 'create', '--role', 'police', '--name', '派出所 test', '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout, created.stderr).not.toBe("");
    const key = JSON.parse(created.stdout) as { id: string; key: string; prefix: string; role: string };
    expect(key.key).toMatch(/^rhk_[A-Za-z0-9_-]{43}$/);
    expect(key.key.startsWith(key.prefix)).toBe(true);

    const bad = await cli('keys', 'create', '--role', 'mayor', '--name', 'x');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('RH_ERR_UNKNOWN_ROLE');

    const listed = JSON.parse((await cli('keys', 'list', '--json')).stdout) as { id: string; prefix: string; revokedAt: string | null }[];
    expect(listed.map((k) => k.prefix)).toEqual([key.prefix]);
    expect(JSON.stringify(listed)).not.toContain(key.key);

    const revoked = await cli('keys', 'revoke', key.prefix);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await cli('keys', 'revoke', key.prefix)).code).not.toBe(0);
    expect((JSON.parse((await cli('keys', 'list', '--json')).stdout) as { revokedAt: string | null }[])[0]!.revokedAt).not.toBeNull();

    const ok = await cli('audit', 'verify');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('2 entries verified');

    // The application's connection cannot change a row…
    const ctx = await createContext(config);
    try {
      await expect(sql`update audit_log set outcome = 'denied' where seq = 1`.execute(ctx.db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from audit_log where seq = 2`.execute(ctx.db)).rejects.toThrow(/append-only/);
      // …but someone with the database owner's rights can: verification must notice.
      await sql`alter table audit_log disable trigger audit_log_no_update`.execute(ctx.db);
      await sql`update audit_log set details = '{"role":"auditor","name":"x","prefix":"rhk_x"}' where seq = 1`.execute(ctx.db);
    } finally {
      await ctx.close();
    }
    const broken = await cli('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('BROKEN at seq 1 (edited)');
  });
});
