import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../access/roles.js';
import { storesUnderTest } from '../testing/stores.js';
import { apiFixture, type ApiFixture } from './test-support.js';

const ID_NUMBER = /\d{17}[\dXx]/;

describe.each(storesUnderTest())('imports API on $name', (store) => {
  let f: ApiFixture;
  let base: string;

  beforeAll(async () => {
    // An empty store: the uploads are the imports.
    f = await apiFixture(store, { people: 150, load: false, env: { maxUploadBytes: 2 * 1024 * 1024 } });
    base = await f.app.listen({ port: 0, host: '127.0.0.1' });
  }, 120_000);
  afterAll(async () => {
    await f?.dispose();
  });

  function fileOf(source: string): string {
    const file = f.manifest.files.find((m) => m.source === source);
    if (!file) throw new Error(`no ${source} file`);
    return path.join(f.districtDir, file.file);
  }

  async function upload(role: Role | null, source: string | null, files: { name: string; content: Buffer }[]): Promise<Response> {
    const form = new FormData();
    if (source !== null) form.append('source', source);
    for (const file of files) form.append('file', new Blob([file.content]), file.name);
    return fetch(`${base}/v1/imports`, { method: 'POST', body: form, headers: role ? { authorization: `Bearer ${f.keys[role]}` } : {} });
  }

  async function waitFor(role: Role, id: string): Promise<{ batch: { status: string; rowsAccepted: number; rowsRejected: number }; linking: boolean }> {
    for (let i = 0; i < 600; i++) {
      const res = await f.request(role, { method: 'GET', url: `/v1/imports/${id}` });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      if ((body.batch.status === 'completed' || body.batch.status === 'failed') && !body.linking) return body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('import did not finish');
  }

  it('takes a police export from the police key, runs it as a job and links it; the same file again is a no-op', async () => {
    const content = await fs.readFile(fileOf('police'));
    const res = await upload('police', 'police', [{ name: path.basename(fileOf('police')), content }]);
    expect(res.status).toBe(202);
    const created = (await res.json()) as { noOp: boolean; batch: { id: string; source: string } };
    expect(created.noOp).toBe(false);
    expect(created.batch.source).toBe('police');
    const done = await waitFor('police', created.batch.id);
    expect(done.batch.status).toBe('completed');
    expect(done.batch.rowsAccepted).toBeGreaterThan(50);
    // Linked after the import: residents exist.
    for (let i = 0; i < 100; i++) {
      const stats = (await f.request('police', { method: 'GET', url: '/v1/stats/overlap' })).json();
      if (stats.residents > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await f.request('police', { method: 'GET', url: '/v1/stats/overlap' })).json().residents).toBeGreaterThan(50);

    const again = await upload('police', 'police', [{ name: path.basename(fileOf('police')), content }]);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { noOp: boolean }).noOp).toBe(true);

    const list = (await f.request('police', { method: 'GET', url: '/v1/imports' })).json();
    expect(list.items.map((b: { id: string }) => b.id)).toContain(created.batch.id);
  });

  it('refuses another department’s source (403), no key (401), an unknown source and a missing one (400)', async () => {
    const content = await fs.readFile(fileOf('minimum-allowance'));
    expect((await upload('police', 'minimum-allowance', [{ name: 'roll.xls', content }])).status).toBe(403);
    expect((await upload('auditor', 'police', [{ name: 'x.csv', content }])).status).toBe(403);
    expect((await upload(null, 'police', [{ name: 'x.csv', content }])).status).toBe(401);
    const unknown = await upload('admin', 'tax-office', [{ name: 'x.csv', content }]);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('RH_ERR_UNKNOWN_SOURCE');
    expect((await upload('admin', null, [{ name: 'x.csv', content }])).status).toBe(400);
  });

  it('answers 413 for a file over the upload limit and stores nothing', async () => {
    const before = (await f.request('admin', { method: 'GET', url: '/v1/imports' })).json().items.length;
    const res = await upload('admin', 'floating-population', [{ name: 'big.csv', content: Buffer.alloc(3 * 1024 * 1024, 0x41) }]);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RH_ERR_PAYLOAD_TOO_LARGE');
    expect((await f.request('admin', { method: 'GET', url: '/v1/imports' })).json().items.length).toBe(before);
  });

  it('reports rejected rows to the importing department, masked, and not to another department', async () => {
    const header = (await fs.readFile(fileOf('floating-population'), 'utf8')).split(/\r?\n/).slice(0, 1);
    // Two rows that cannot describe a person (no name, no ID number) but carry a phone number.
    const cells = header[0]!.split(',').map(() => '');
    const phoneAt = header[0]!.split(',').findIndex((h) => /电话|手机/.test(h));
    expect(phoneAt).toBeGreaterThanOrEqual(0);
    const rows = [1, 2].map(() => cells.map((c, i) => (i === phoneAt ? '13812345678' : c)).join(','));
    const good = (await fs.readFile(fileOf('floating-population'), 'utf8')).split(/\r?\n/).slice(1, 4);
    const content = Buffer.from([header[0], ...good, ...rows].join('\r\n') + '\r\n', 'utf8');
    const res = await upload('family-planning', 'floating-population', [{ name: 'floating-rejects.csv', content }]);
    expect(res.status).toBe(202);
    const { batch } = (await res.json()) as { batch: { id: string } };
    const done = await waitFor('family-planning', batch.id);
    expect(done.batch.rowsRejected).toBe(2);

    const rejects = await f.request('family-planning', { method: 'GET', url: `/v1/imports/${batch.id}/rejects` });
    expect(rejects.statusCode).toBe(200);
    const body = rejects.json();
    expect(body.items).toHaveLength(2);
    expect(body.items[0].reasons.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain('13812345678');
    expect(JSON.stringify(body)).not.toMatch(ID_NUMBER);
    const csv = await f.request('family-planning', { method: 'GET', url: `/v1/imports/${batch.id}/rejects?format=csv` });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('floating-rejects.csv');
    expect(csv.body).not.toContain('13812345678');

    for (const role of ['police', 'civil-affairs'] as const) {
      expect((await f.request(role, { method: 'GET', url: `/v1/imports/${batch.id}` })).statusCode, role).toBe(403);
      expect((await f.request(role, { method: 'GET', url: `/v1/imports/${batch.id}/rejects` })).statusCode, role).toBe(403);
    }
    expect((await f.request('auditor', { method: 'GET', url: `/v1/imports/${batch.id}/rejects` })).statusCode).toBe(200);
    expect((await f.request('admin', { method: 'GET', url: '/v1/imports/999999' })).statusCode).toBe(404);
  });
});
