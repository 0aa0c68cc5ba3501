import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, can } from '../access/roles.js';
import { verifyAudit } from '../audit/audit.service.js';
import { storesUnderTest } from '../testing/stores.js';
import { apiFixture, type ApiFixture } from './test-support.js';

describe.each(storesUnderTest())('API foundation on $name', (store) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await apiFixture(store, { people: 120, env: { rateLimitMax: 50, rateLimitWindowMs: 60_000 } });
  }, 120_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('answers /health and /ready without a key, and serves the OpenAPI document at /docs', async () => {
    expect((await f.request(null, { method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await f.request(null, { method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.database).toBe('ok');
    const doc = await f.request(null, { method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().paths['/v1/stats/overlap']).toBeDefined();
    expect((await f.request(null, { method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('publishes a valid OpenAPI 3 document listing every /v1 route with its schemas and the roles allowed', async () => {
    const doc = (await f.request(null, { method: 'GET', url: '/docs/json' })).json();
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(f.services.routes.length).toBeGreaterThan(0);
    for (const route of f.services.routes) {
      const path = route.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${path}`).toBeDefined();
      expect(Object.keys(operation.responses ?? {}), `${route.method} ${path}`).toContain('401');
      expect(operation.description, `${route.method} ${path}`).toContain(route.action);
    }
  });

  it('refuses /v1 without a key, with a malformed or unknown key (401), in the one error shape', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer nope', `Bearer rhk_${'A'.repeat(43)}`]) {
      const res = await f.request(null, { method: 'GET', url: '/v1/stats/overlap', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'RH_ERR_UNAUTHORIZED', message: expect.any(String) } });
    }
  });

  it('lets each role through only where it has the right, and audits a refusal', async () => {
    for (const role of ROLES) {
      const res = await f.request(role, { method: 'GET', url: '/v1/stats/overlap' });
      expect(res.statusCode, role).toBe(can(role, 'stats:read') ? 200 : 403);
    }
    const res = await f.request('police', { method: 'GET', url: '/v1/stats/overlap' });
    expect(res.json().residents).toBeGreaterThan(100);
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await f.request('auditor', { method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('RH_ERR_NOT_FOUND');
  });

  it('limits the requests of one key (429) without touching another key', async () => {
    let limited = 0;
    for (let i = 0; i < 60; i++) {
      const res = await f.request('community', { method: 'GET', url: '/v1/stats/overlap' });
      if (res.statusCode === 429) {
        limited++;
        expect(res.json().error.code).toBe('RH_ERR_RATE_LIMITED');
      }
    }
    expect(limited).toBeGreaterThan(0);
    expect((await f.request('auditor', { method: 'GET', url: '/v1/stats/overlap' })).statusCode).toBe(200);
  });

  it('keeps an audit chain that verifies (key creation is audited)', async () => {
    const result = await verifyAudit(f.ctx.db);
    expect(result.ok).toBe(true);
    expect(result.ok && result.verified).toBeGreaterThanOrEqual(ROLES.length);
  });
});
