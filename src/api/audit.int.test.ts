import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, can } from '../access/roles.js';
import { verifyAudit } from '../audit/audit.service.js';
import { storesUnderTest } from '../testing/stores.js';
import { apiFixture, type ApiFixture } from './test-support.js';

interface Entry {
  seq: number;
  at: string;
  actor: { keyId: string | null; name: string; role: string };
  action: string;
  target: { type: string; id: string | null };
  outcome: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

describe.each(storesUnderTest())('audit trail on $name', (store) => {
  let f: ApiFixture;
  const get = (query: string, role: Parameters<ApiFixture['request']>[0] = 'auditor') => f.request(role, { method: 'GET', url: `/v1/audit${query}` });
  async function entries(query: string): Promise<Entry[]> {
    const res = await get(query);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { items: Entry[] }).items;
  }

  beforeAll(async () => {
    f = await apiFixture(store, { people: 40 });
  }, 180_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('lists the auditors’ routes in the OpenAPI document', async () => {
    const doc = (await f.request(null, { method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    for (const [route, method] of [
      ['/v1/audit', 'get'],
      ['/v1/changes', 'get'],
      ['/v1/conflicts', 'get'],
      ['/v1/conflicts/{id}', 'get'],
      ['/v1/conflicts/{id}/resolve', 'post'],
    ] as const) {
      expect(doc.paths[route]?.[method], route).toBeDefined();
    }
  });

  it('is read by auditors only; a refusal is itself in the trail', async () => {
    for (const role of ROLES) expect((await get('?limit=1', role)).statusCode, role).toBe(can(role, 'audit:read') ? 200 : 403);
    const denied = await entries('?outcome=denied&action=audit:read');
    expect(denied.map((e) => e.actor.role).sort()).toEqual(ROLES.filter((r) => !can(r, 'audit:read')).sort());
    expect(denied.every((e) => e.target.type === 'route' && e.target.id === 'GET /v1/audit')).toBe(true);
  });

  it('lists the stored entries in order, filtered and paged, with their hashes', async () => {
    const all = await entries('?limit=500');
    expect(all.length).toBeGreaterThan(ROLES.length);
    all.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      if (i > 0) expect(e.prevHash).toBe(all[i - 1]!.hash);
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    const created = await entries('?action=keys:create');
    expect(created).toHaveLength(ROLES.length);
    expect(created.every((e) => e.action === 'keys:create' && e.target.type === 'api_key' && e.outcome === 'success')).toBe(true);
    const oneKey = created[2]!.target.id!;
    expect((await entries(`?target_type=api_key&target_id=${oneKey}`)).map((e) => e.seq)).toEqual([created[2]!.seq]);

    const police = await sql<{ id: string }>`select id::text as id from api_key where role = 'police'`.execute(f.ctx.db);
    const byPolice = await entries(`?actor_key_id=${police.rows[0]!.id}`);
    expect(byPolice.length).toBeGreaterThan(0);
    expect(byPolice.every((e) => e.actor.role === 'police')).toBe(true);

    // Paging by seq gives the same entries.
    const paged: Entry[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const res = await get(`?limit=3&after=${after}&action=keys:create`);
      const page = res.json() as { items: Entry[]; next: number | null };
      paged.push(...page.items);
      after = page.next;
    }
    expect(paged.map((e) => e.seq)).toEqual(created.map((e) => e.seq));

    // Newest first, paged with `before`: the same entries, reversed.
    const newest: Entry[] = [];
    let before: number | null = null;
    do {
      const res = await get(`?limit=4&order=desc&action=keys:create${before === null ? '' : `&before=${before}`}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: Entry[]; next: number | null };
      newest.push(...page.items);
      before = page.next;
    } while (before !== null);
    expect(newest.map((e) => e.seq)).toEqual(created.map((e) => e.seq).reverse());
    expect((await entries('?order=desc&limit=1'))[0]!.seq).toBeGreaterThan(all.at(-1)!.seq - 1);
    expect((await get('?order=sideways')).statusCode).toBe(400);
    expect((await get('?before=0')).statusCode).toBe(400);

    // A time window: everything up to now, nothing from tomorrow on; any ISO form of an instant.
    const first = all[0]!;
    expect((await entries(`?from=${encodeURIComponent(first.at)}&to=${encodeURIComponent(first.at)}`)).map((e) => e.at)).toContain(first.at);
    expect(await entries(`?from=${new Date(Date.now() + 86_400_000).toISOString()}`)).toEqual([]);
    const local = new Date(Date.parse(first.at)).toISOString().replace('Z', '+00:00');
    expect((await entries(`?from=${encodeURIComponent(local)}&limit=1`))[0]!.seq).toBe(first.seq);
    for (const query of ['?from=yesterday', '?to=2026-13-01T00:00:00Z', '?limit=501', '?after=-1', '?outcome=maybe', '?colour=red']) {
      expect((await get(query)).statusCode, query).toBe(400);
    }
  });

  it('audits its own reading, with the filters and the count', async () => {
    const before = await entries('?action=audit:read&outcome=success&limit=500');
    await get('?action=keys:create&limit=2');
    const after = await entries('?action=audit:read&outcome=success&limit=500');
    const mine = after.filter((e) => !before.some((b) => b.seq === e.seq));
    // The read just made, and the listing before it (each read is stored after its own query).
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.some((e) => e.details.count === 2 && (e.details.filters as Record<string, unknown>).action === 'keys:create')).toBe(true);
    expect(mine.every((e) => e.actor.role === 'auditor')).toBe(true);
  });

  it('fails verification after a row is edited, and after the last rows are deleted', async () => {
    const ok = await verifyAudit(f.ctx.db);
    expect(ok.ok).toBe(true);

    // Only a superuser can, with the append-only trigger off: the application itself cannot.
    await expect(sql`update audit_log set outcome = 'denied' where seq = 3`.execute(f.ctx.db)).rejects.toThrow(/append-only/);
    const original = await sql<{ outcome: string }>`select outcome from audit_log where seq = 3`.execute(f.ctx.db);
    const tamper = async (statement: ReturnType<typeof sql>) => {
      await sql`alter table audit_log disable trigger audit_log_no_update`.execute(f.ctx.db);
      try {
        await statement.execute(f.ctx.db);
      } finally {
        await sql`alter table audit_log enable trigger audit_log_no_update`.execute(f.ctx.db);
      }
    };
    await tamper(sql`update audit_log set outcome = 'denied' where seq = 3`);
    const edited = await verifyAudit(f.ctx.db);
    expect(edited.ok).toBe(false);
    expect(!edited.ok && edited.break.seq).toBe(3);

    // Put back as it was: the chain verifies again.
    await tamper(sql`update audit_log set outcome = ${original.rows[0]!.outcome} where seq = 3`);
    expect((await verifyAudit(f.ctx.db)).ok).toBe(true);

    // The last two rows removed: the chain is intact but shorter than the recorded head.
    const head = await sql<{ seq: string }>`select seq::text as seq from audit_head`.execute(f.ctx.db);
    await tamper(sql`delete from audit_log where seq > ${Number(head.rows[0]!.seq) - 2}`);
    const truncated = await verifyAudit(f.ctx.db);
    expect(truncated.ok).toBe(false);
    expect(!truncated.ok && truncated.break.reason).toBe('truncated');
  });
});
