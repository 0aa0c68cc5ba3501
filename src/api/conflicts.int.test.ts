import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '../../adapters/types.js';
import { ROLES, can } from '../access/roles.js';
import { fromJsonColumn } from '../db/json-column.js';
import type { GoldenRecord } from '../golden/types.js';
import { importFiles } from '../ingest/import-files.js';
import { linkNow } from '../linkage/link-now.js';
import { computeCheckChar } from '../normalize/id-number.js';
import { storesUnderTest } from '../testing/stores.js';
import { apiFixture, type ApiFixture } from './test-support.js';

interface Issue {
  id: string;
  residentId: string;
  category: string;
  kind: string;
  severity: string;
  status: string;
  field: string | null;
  details: { values?: { value: unknown; sourceRecordIds: string[]; sources: string[] }[] } & Record<string, unknown>;
  resolution: (Record<string, unknown> & { via: string }) | null;
}

// One synthetic person in two registries under the same mistyped number (its check character
// is wrong, so neither record's birth date comes from it): the police say 1966-04-12, family
// planning 1966-04-13 — one day apart, which the linker still links.
const first17 = '41010519660412981';
const right = computeCheckChar(first17);
const MISTYPED = first17 + (right === '1' ? '2' : '1');
const ADDRESS = '河南省郑州市金水区北大街道西湖社区纬五路21号院2号楼1单元301';

describe.each(storesUnderTest())('conflicts and alerts on $name', (store) => {
  let f: ApiFixture;
  let conflict: Issue;
  let fpRecordId: string;
  let policeRecordId: string;

  async function importExtra(source: SourceName, file: string, lines: string[]): Promise<void> {
    const full = path.join(f.districtDir, file);
    await fs.writeFile(full, lines.join('\r\n'));
    await importFiles(f.ctx, source, [full], { partial: true });
  }
  const fpLines = (birthDate: string) => ['个案编号,姓名,性别,身份证号,出生日期,婚姻状况,户籍地址', `JS980001,欧阳慧敏,女,${MISTYPED},${birthDate},已婚,${ADDRESS}`];
  const get = (url: string, role: Parameters<ApiFixture['request']>[0] = 'auditor') => f.request(role, { method: 'GET', url });
  const resolve = (id: string, payload: unknown, role: Parameters<ApiFixture['request']>[0] = 'auditor') =>
    f.request(role, { method: 'POST', url: `/v1/conflicts/${id}/resolve`, payload: payload as Record<string, unknown> });
  async function list(query: string): Promise<Issue[]> {
    const out: Issue[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/conflicts?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: Issue[]; next: string | null };
      out.push(...page.items);
      cursor = page.next;
    } while (cursor !== null);
    return out;
  }
  async function goldenOf(residentId: string): Promise<{ version: number; golden: GoldenRecord }> {
    const rows = await sql<{ version: number; golden: unknown }>`
      select r.version, v.golden from resident r join resident_version v on v.resident_id = r.id and v.version = r.version where r.id = ${residentId}::bigint`.execute(f.ctx.db);
    return { version: rows.rows[0]!.version, golden: fromJsonColumn<GoldenRecord>(rows.rows[0]!.golden) };
  }

  beforeAll(async () => {
    f = await apiFixture(store);
    await importExtra('police', 'x-police.csv', [
      '户号,与户主关系,姓名,性别,民族,出生日期,公民身份号码,住址,人员状态,变动日期',
      `H980001,户主,欧阳慧敏,女,汉族,1966-04-12,${MISTYPED},${ADDRESS},正常,`,
    ]);
    await importExtra('family-planning', 'x-fp.csv', fpLines('1966-04-13'));
    await linkNow(f.ctx);
    const records = await sql<{ id: string; source: string }>`select id::text as id, source from source_record where natural_key in ('case:JS980001') or (source = 'police' and file_name = 'x-police.csv')`.execute(f.ctx.db);
    fpRecordId = records.rows.find((r) => r.source === 'family-planning')!.id;
    policeRecordId = records.rows.find((r) => r.source === 'police')!.id;
  }, 180_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('lists open conflicts and alerts with filters, a page at a time, and shows one', async () => {
    const open = await list('limit=100');
    expect(open.length).toBeGreaterThan(3);
    expect(open.every((i) => i.status === 'open')).toBe(true);
    const alerts = await list('category=alert&limit=1');
    expect(alerts.map((i) => i.id)).toEqual(open.filter((i) => i.category === 'alert').map((i) => i.id));
    expect(new Set(alerts.map((i) => i.kind))).toEqual(new Set(['deceased_receiving_allowance', 'shared_id_number']));

    const births = await list('kind=birth_date_conflict');
    expect(births).toHaveLength(1);
    conflict = births[0]!;
    expect(conflict).toMatchObject({ category: 'conflict', field: 'birthDate', severity: 'high', resolution: null });
    expect(conflict.details.values!.map((v) => [v.value, v.sourceRecordIds])).toEqual([
      ['1966-04-12', [policeRecordId]],
      ['1966-04-13', [fpRecordId]],
    ]);
    expect((await list(`resident_id=${conflict.residentId}`)).map((i) => i.id)).toEqual([conflict.id]);
    expect(await list('severity=low&category=alert')).toEqual([]);

    const one = await get(`/v1/conflicts/${conflict.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(conflict);
    expect((await get('/v1/conflicts/999999999')).statusCode).toBe(404);
    for (const query of ['status=closed', 'limit=101', 'cursor=abc', 'kind=anything', 'resident_id=x', 'colour=red']) {
      expect((await get(`/v1/conflicts?${query}`)).statusCode, query).toBe(400);
    }
  });

  it('lets only the roles with the right read them, and only auditors resolve', async () => {
    for (const role of ROLES) {
      expect((await get('/v1/conflicts?limit=1', role)).statusCode, role).toBe(can(role, 'conflicts:read') ? 200 : 403);
      if (role !== 'auditor') expect((await resolve(conflict.id, { sourceRecordId: fpRecordId, reason: 'x' }, role)).statusCode, role).toBe(403);
    }
    expect((await get(`/v1/conflicts/${conflict.id}`)).json().status).toBe('open');
  });

  it('refuses a resolution that does not fit the conflict', async () => {
    const other = await sql<{ id: string }>`select id::text as id from source_record where id <> all(${[fpRecordId, policeRecordId]}::bigint[]) limit 1`.execute(f.ctx.db);
    for (const payload of [
      { sourceRecordId: fpRecordId },
      { sourceRecordId: fpRecordId, reason: 'checked', colour: 'red' },
      { sourceRecordId: fpRecordId, value: '1966-04-13', reason: 'both' },
      { reason: 'a conflict needs a value' },
      { value: '1966-02-30', reason: 'no such day' },
      { value: '13 April 1966', reason: 'not a date' },
      { sourceRecordId: other.rows[0]!.id, reason: 'not a record of this resident' },
    ]) {
      const res = await resolve(conflict.id, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('RH_ERR_VALIDATION');
    }
    expect((await resolve('999999999', { reason: 'unknown' })).statusCode).toBe(404);
  });

  it("resolves a birth-date conflict with a record's value, which holds across a re-import that changes it and every re-link", async () => {
    const before = await goldenOf(conflict.residentId);
    expect(before.golden.birthDate).toMatchObject({ value: '1966-04-12', rule: 'authority', sourceRecordId: policeRecordId });

    const res = await resolve(conflict.id, { sourceRecordId: fpRecordId, reason: 'the birth certificate says 13 April' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { issue: Issue; residentVersion: number };
    expect(body.residentVersion).toBe(before.version + 1);
    expect(body.issue).toMatchObject({ id: conflict.id, status: 'resolved' });
    expect(body.issue.resolution).toMatchObject({ via: 'record', field: 'birthDate', value: '1966-04-13', sourceRecordId: fpRecordId, version: before.version + 1 });
    const after = await goldenOf(conflict.residentId);
    expect(after.version).toBe(before.version + 1);
    expect(after.golden.birthDate).toMatchObject({ value: '1966-04-13', rule: 'auditor', source: 'family-planning', sourceRecordId: fpRecordId, reason: 'the birth certificate says 13 April' });

    // Once only.
    const again = await resolve(conflict.id, { sourceRecordId: policeRecordId, reason: 'changed my mind' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('RH_ERR_CONFLICT');

    // Audited with the change, without the value.
    const audit = await sql<{ details: unknown }>`select details from audit_log where action = 'conflicts:resolve' and target_id = ${conflict.id}`.execute(f.ctx.db);
    expect(audit.rows).toHaveLength(1);
    const details = fromJsonColumn<Record<string, unknown>>(audit.rows[0]!.details);
    expect(details).toMatchObject({ residentId: conflict.residentId, via: 'record', field: 'birthDate', sourceRecordId: fpRecordId });
    expect(JSON.stringify(details)).not.toContain('1966');

    // The family-planning export now says 1966-04-11: the auditor's value stays, and the
    // decision shows as stale — for the record, and as an alert to look at.
    await importExtra('family-planning', 'x-fp.csv', fpLines('1966-04-11'));
    await linkNow(f.ctx);
    const relinked = await goldenOf(conflict.residentId);
    expect(relinked.golden.birthDate).toMatchObject({ value: '1966-04-13', rule: 'auditor', sourceRecordId: fpRecordId });
    expect(relinked.golden.staleDecisions).toEqual([
      expect.objectContaining({ field: 'birthDate', decidedValue: '1966-04-13', currentValue: '1966-04-11', sourceRecordId: fpRecordId, change: 'value_changed' }),
    ]);
    const findings = await list(`resident_id=${conflict.residentId}&status=all`);
    const birthConflicts = findings.filter((i) => i.kind === 'birth_date_conflict');
    expect(birthConflicts.every((i) => i.status === 'resolved')).toBe(true);
    const settled = birthConflicts.find((i) => i.id !== conflict.id);
    expect(settled?.resolution).toMatchObject({ via: 'standing_decision', field: 'birthDate', sourceRecordId: fpRecordId });
    const stale = findings.filter((i) => i.kind === 'stale_decision');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({ category: 'alert', status: 'open', field: 'birthDate', details: expect.objectContaining({ currentValue: '1966-04-11' }) });

    // Acknowledged: the auditor's value is still right.
    const ack = await resolve(stale[0]!.id, { reason: 'the family-planning office mistyped it again' });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toMatchObject({ issue: { status: 'resolved', resolution: { via: 'acknowledged', field: 'birthDate' } }, residentVersion: null });

    // A full re-link changes none of it.
    await linkNow(f.ctx, { full: true, keepModel: true });
    const full = await goldenOf(conflict.residentId);
    expect(full.golden.birthDate).toMatchObject({ value: '1966-04-13', rule: 'auditor' });
    const finally_ = await list(`resident_id=${conflict.residentId}&status=all`);
    expect(finally_.filter((i) => i.status === 'open')).toEqual([]);
    expect(finally_.find((i) => i.id === stale[0]!.id)?.status).toBe('resolved');
    const decisions = await sql<{ n: string }>`select count(*)::text as n from field_decision where resident_id = ${conflict.residentId}::bigint and revoked_at is null`.execute(f.ctx.db);
    expect(decisions.rows[0]!.n).toBe('1');
  }, 120_000);

  it('takes an entered value, checked as the field requires', async () => {
    const variants = await list('kind=name_variant');
    expect(variants.length).toBeGreaterThan(0);
    const issue = variants[0]!;
    const chosen = issue.details.values![1]!.value as string;
    const res = await resolve(issue.id, { value: ` ${chosen} `, reason: 'as written on the household register' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().issue.resolution).toMatchObject({ via: 'value', field: 'name', value: chosen, sourceRecordId: null });
    expect((await goldenOf(issue.residentId)).golden.name).toMatchObject({ value: chosen, rule: 'auditor', sourceRecordId: null, source: null });
  });

  it('acknowledges an alert with a reason only; it stays resolved across a re-link', async () => {
    const [deceased] = await list('kind=deceased_receiving_allowance');
    const [shared] = await list('kind=shared_id_number');
    expect((await resolve(deceased!.id, { sourceRecordId: deceased!.residentId, reason: 'x' })).statusCode).toBe(400);
    for (const alert of [deceased!, shared!]) {
      const res = await resolve(alert.id, { reason: 'reported to the street office; payments stopped' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ issue: { status: 'resolved', field: null, resolution: { via: 'acknowledged', reason: 'reported to the street office; payments stopped' } }, residentVersion: null });
    }
    await linkNow(f.ctx, { full: true, keepModel: true });
    for (const alert of [deceased!, shared!]) {
      expect((await get(`/v1/conflicts/${alert.id}`)).json().status).toBe('resolved');
      const same = await list(`resident_id=${alert.residentId}&kind=${alert.kind}&status=all`);
      expect(same.map((i) => i.id)).toEqual([alert.id]);
    }
    expect((await list('kind=deceased_receiving_allowance')).map((i) => i.id)).not.toContain(deceased!.id);
    expect((await list('kind=deceased_receiving_allowance&status=resolved')).map((i) => i.id)).toContain(deceased!.id);
    expect((await resolve(deceased!.id, { reason: 'twice' })).statusCode).toBe(409);
  }, 120_000);
});
