import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldCategory, visibleGoldenFields, FIELD_POLICY } from '../access/field-policy.js';
import { can, mayReadImportOf, ROLES, type Role } from '../access/roles.js';
import { storesUnderTest } from '../testing/stores.js';
import { apiFixture, type ApiFixture } from './test-support.js';

/** An 18-digit ID number (or one with its check character); a mainland mobile number. */
const ID_NUMBER = /\d{17}[\dXx]/;
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/;

/** Keys anywhere in a JSON value whose field category is bank (account numbers look like ID numbers). */
function withoutBank(value: unknown, found: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutBank(v, found));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (fieldCategory(k) === 'bank') {
        found.push(k);
        continue;
      }
      out[k] = withoutBank(v, found);
    }
    return out;
  }
  return value;
}

describe.each(storesUnderTest())('access: every role × every endpoint on $name', (store) => {
  let f: ApiFixture;
  const samples: Record<string, string | undefined> = {};

  beforeAll(async () => {
    f = await apiFixture(store, { people: 400, seed: 61_001 });
    const one = async (query: ReturnType<typeof sql<{ id: string }>>) => (await query.execute(f.ctx.db)).rows[0]?.id;
    // A resident held by several systems (so that its records carry every kind of field).
    samples.residents = await one(sql<{ id: string }>`select id::text as id from resident where merged_into is null and sources like '%minimum-allowance%' and sources like '%police%' order by id limit 1`);
    samples.review = await one(sql<{ id: string }>`select id::text as id from review_item order by id limit 1`);
    samples.conflicts = await one(sql<{ id: string }>`select id::text as id from resident_issue order by id limit 1`);
    samples.imports = await one(sql<{ id: string }>`select id::text as id from import_batch where source = 'minimum-allowance' order by id limit 1`);
    samples.actions = await one(sql<{ id: string }>`select id::text as id from auditor_action order by id limit 1`);
  }, 180_000);
  afterAll(async () => {
    await f?.dispose();
  });

  function concrete(url: string): string | null {
    const feature = url.split('/')[2]!;
    if (!url.includes(':')) return url;
    const id = samples[feature];
    return id === undefined ? null : url.replace(/:[A-Za-z_]+/g, id);
  }

  /** Enough of a query for routes that need one. */
  function withQuery(url: string): string {
    if (url === '/v1/residents') return `${url}?q=${encodeURIComponent('王')}`;
    return url;
  }

  it('gives 403 exactly to the roles without the route’s right, on every route', async () => {
    expect(samples.residents).toBeDefined();
    for (const route of f.services.routes) {
      const url = concrete(route.url) ?? route.url.replace(/:[A-Za-z_]+/g, '1');
      for (const role of ROLES) {
        const res = await f.request(role, { method: route.method as 'GET', url: withQuery(url), ...(route.method === 'GET' ? {} : { payload: {} }) });
        // A department may read imports, but only of its own sources (the sample is minimum-allowance).
        const allowed = can(role, route.action) && (!route.url.startsWith('/v1/imports/') || mayReadImportOf(role, 'minimum-allowance'));
        if (allowed) expect(res.statusCode, `${role} ${route.method} ${url}: ${res.body.slice(0, 200)}`).not.toBe(403);
        else expect(res.statusCode, `${role} ${route.method} ${url}`).toBe(403);
      }
    }
  }, 120_000);

  it('refuses unknown or read-only properties in every JSON request body (400, never ignored)', async () => {
    const posts = f.services.routes.filter((r) => r.method === 'POST' && r.url !== '/v1/imports');
    expect(posts.length).toBeGreaterThan(5);
    for (const route of posts) {
      const role = ROLES.find((r) => can(r, route.action))!;
      const url = concrete(route.url) ?? route.url.replace(/:[A-Za-z_]+/g, '1');
      for (const payload of [{ bogus: 1 }, { id: '1', createdAt: '2026-01-01T00:00:00.000Z', reason: 'x' }]) {
        const res = await f.request(role, { method: 'POST', url, payload });
        expect(res.statusCode, `${route.url} ${JSON.stringify(payload)}: ${res.body.slice(0, 200)}`).toBe(400);
        expect(res.json().error.code).toBe('RH_ERR_VALIDATION');
      }
    }
  });

  it('never shows a full ID number, mobile number or bank field to a role whose policy masks or removes them', async () => {
    let scanned = 0;
    for (const route of f.services.routes.filter((r) => r.method === 'GET')) {
      const url = concrete(route.url);
      if (url === null) continue;
      for (const role of ROLES) {
        if (!can(role, route.action)) continue;
        const res = await f.request(role, { method: 'GET', url: withQuery(url) });
        if (res.statusCode === 403) continue; // another department's import (tested below)
        if (res.statusCode >= 300) continue;
        const body = res.headers['content-type']?.toString().includes('json') ? res.json() : res.body;
        const bankKeys: string[] = [];
        const text = typeof body === 'string' ? body : JSON.stringify(withoutBank(body, bankKeys));
        const policy = FIELD_POLICY[role];
        if (policy.bank === 'removed') expect(bankKeys, `${role} ${url}`).toEqual([]);
        if (policy.idNumber !== 'full') expect(text, `${role} ${url}`).not.toMatch(ID_NUMBER);
        if (policy.phone !== 'full') expect(text, `${role} ${url}`).not.toMatch(MOBILE);
        scanned++;
      }
    }
    expect(scanned).toBeGreaterThan(10);
  }, 120_000);

  it('shows each role only golden fields on its allow-list', async () => {
    for (const role of ROLES) {
      const res = await f.request(role, { method: 'GET', url: `/v1/residents/${samples.residents}` });
      if (!can(role, 'residents:read')) {
        expect(res.statusCode).toBe(403);
        continue;
      }
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      const golden = res.json().golden as Record<string, unknown>;
      const allowed = new Set<string>(visibleGoldenFields(role));
      for (const key of Object.keys(golden)) expect(allowed.has(key), `${role} sees golden.${key}`).toBe(true);
    }
  });

  it('keeps one department from another’s imports', async () => {
    expect(samples.imports).toBeDefined();
    const cases: [Role, number][] = [
      ['police', 403],
      ['family-planning', 403],
      ['civil-affairs', 200],
      ['auditor', 200],
      ['admin', 200],
    ];
    for (const [role, status] of cases) {
      expect((await f.request(role, { method: 'GET', url: `/v1/imports/${samples.imports}/rejects` })).statusCode, role).toBe(status);
    }
  });
});
