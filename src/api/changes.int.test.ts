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

interface Event {
  cursor: string;
  residentId: string;
  kind: string;
  version: number | null;
  relatedResidentId: string | null;
  changedFields: string[];
  at: string;
  golden?: Record<string, { value?: unknown } | unknown> | null;
}

// Synthetic people written beside the generated district: each has a police record with a
// valid number and a family-planning record without one, which the linker keeps apart until a
// floating-population record holding both the number and the phone joins them.
const id = (first17: string) => first17 + computeCheckChar(first17);
const PEOPLE = [
  { name: '李秀英', idNumber: id('41010519700512982'), phone: '13800980002', fpAddress: '河南省郑州市金水区丰产路街道黄河社区黄河路20号院5号楼3单元602' },
  { name: '王芳', idNumber: id('41010519660412982'), phone: '13800980001', fpAddress: '' },
];
const policeAddress = (i: number) => `河南省郑州市金水区北大街道西湖社区纬五路2${i}号院2号楼1单元301`;
const birth = (n: string) => `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`;

describe.each(storesUnderTest())('changes feed on $name', (store) => {
  let f: ApiFixture;
  let events: Event[] = [];

  async function importExtra(source: SourceName, file: string, lines: string[]): Promise<void> {
    const full = path.join(f.districtDir, file);
    await fs.writeFile(full, lines.join('\r\n'));
    // Partial: these files add to the source's records, they are not a whole new export.
    await importFiles(f.ctx, source, [full], { partial: true });
  }
  const fpLines = (maritalOf: (i: number) => string) => [
    '个案编号,姓名,性别,身份证号,出生日期,婚姻状况,联系电话,户籍地址,现居住地',
    ...PEOPLE.map((p, i) => `JS98000${i},${p.name},女,,${birth(p.idNumber)},${maritalOf(i)},${p.phone},${p.fpAddress},${p.fpAddress}`),
  ];
  const read = async (role: Parameters<ApiFixture['request']>[0], query: string) => f.request(role, { method: 'GET', url: `/v1/changes${query}` });
  async function readAll(role: Parameters<ApiFixture['request']>[0], since?: string, limit = 50): Promise<{ events: Event[]; next: string | null }> {
    const out: Event[] = [];
    let cursor = since;
    for (;;) {
      const res = await read(role, `?limit=${limit}${cursor === undefined ? '' : `&since=${cursor}`}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { events: Event[]; next: string | null; hasMore: boolean };
      out.push(...page.events);
      cursor = page.next ?? cursor;
      if (!page.hasMore) return { events: out, next: page.next };
    }
  }

  beforeAll(async () => {
    f = await apiFixture(store, { people: 120 });
  }, 180_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('lists a created event for every resident of the first link, with increasing cursors, paged by since', async () => {
    const all = await readAll('police', undefined, 37);
    events = all.events;
    const residents = await sql<{ id: string }>`select id::text as id from resident where version > 0 and merged_into is null order by id`.execute(f.ctx.db);
    expect(events.length).toBe(residents.rows.length);
    expect(events.every((e) => e.kind === 'created' && e.version === 1 && e.relatedResidentId === null)).toBe(true);
    expect(new Set(events.map((e) => e.residentId))).toEqual(new Set(residents.rows.map((r) => r.id)));
    for (let i = 1; i < events.length; i++) expect(BigInt(events[i]!.cursor) > BigInt(events[i - 1]!.cursor)).toBe(true);
    // A first version changes every field it has; the police do not see allowance fields change.
    expect(events.every((e) => e.changedFields.includes('sources') && e.changedFields.includes('name'))).toBe(true);
    expect(events.some((e) => e.changedFields.some((field) => field.startsWith('allowance')))).toBe(false);
    expect(all.next).toBe(events[events.length - 1]!.cursor);

    // Paging from a cursor in the middle gives exactly the rest.
    const middle = events[10]!.cursor;
    expect((await readAll('police', middle, 1000)).events.map((e) => e.cursor)).toEqual(events.slice(11).map((e) => e.cursor));
    const atEnd = (await read('police', `?since=${all.next}`)).json();
    expect(atEnd).toEqual({ events: [], next: all.next, hasMore: false });
  });

  it('shows new residents as created, and a merge by a link run as merged into the survivor, then its update', async () => {
    const since = events[events.length - 1]!.cursor;
    await importExtra('police', 'x-police.csv', [
      '户号,与户主关系,姓名,性别,民族,出生日期,公民身份号码,住址,人员状态,变动日期',
      ...PEOPLE.map((p, i) => `H98000${i},户主,${p.name},女,汉族,${birth(p.idNumber)},${p.idNumber},${policeAddress(i)},正常,`),
    ]);
    await importExtra('family-planning', 'x-fp.csv', fpLines(() => '已婚'));
    await linkNow(f.ctx);
    const created = (await readAll('auditor', since)).events;
    expect(created.map((e) => e.kind)).toEqual(['created', 'created', 'created', 'created']);

    // An auditor's decision on either resident of a pair about to be merged (written here as the
    // resolve endpoint writes it) holds in the survivor.
    const residents = await sql<{ source: string; resident_id: string }>`
      select s.source, l.resident_id::text as resident_id from source_record s join resident_link l on l.source_record_id = s.id
      where s.name = ${PEOPLE[0]!.name} and s.file_name in ('x-police.csv', 'x-fp.csv')`.execute(f.ctx.db);
    const policeResident = residents.rows.find((r) => r.source === 'police')!.resident_id;
    const fpResident = residents.rows.find((r) => r.source === 'family-planning')!.resident_id;
    expect(policeResident).not.toBe(fpResident);
    const actor = JSON.stringify({ keyId: null, name: 'test', role: 'auditor' });
    await sql`insert into field_decision (resident_id, field, value, reason, actor) values
      (${policeResident}::bigint, 'ethnicity', '"02"', 'household register', ${actor}::json),
      (${fpResident}::bigint, 'name', ${JSON.stringify(PEOPLE[0]!.name)}::json, 'household register', ${actor}::json)`.execute(f.ctx.db);

    const afterCreated = created[created.length - 1]!.cursor;
    await importExtra('floating-population', 'x-fl.csv', [
      '姓名,身份证号码,性别,出生日期,手机号码,现居住地址,登记编号',
      ...PEOPLE.map((p, i) => `${p.name},${p.idNumber},女,,${p.phone},${policeAddress(i)},LD98000${i}`),
    ]);
    const run = await linkNow(f.ctx);
    const later = (await readAll('auditor', afterCreated)).events;
    const merged = later.filter((e) => e.kind === 'merged');
    expect(merged).toHaveLength(run.residentsMerged);
    expect(merged.length).toBeGreaterThan(0);
    for (const m of merged) {
      const survivor = await sql<{ merged_into: string }>`select merged_into::text as merged_into from resident where id = ${m.residentId}::bigint`.execute(f.ctx.db);
      expect(m.relatedResidentId).toBe(survivor.rows[0]!.merged_into);
      expect(m).toMatchObject({ version: null, changedFields: [] });
      // The survivor's new version comes after the merge, with the fields the merge brought.
      const update = later.find((e) => e.residentId === m.relatedResidentId && e.kind === 'updated');
      expect(update).toBeDefined();
      expect(BigInt(update!.cursor) > BigInt(m.cursor)).toBe(true);
      expect(update!.changedFields).toContain('sources');
    }
    const survivor = merged.find((m) => m.residentId === policeResident || m.residentId === fpResident)!.relatedResidentId!;
    const golden = await sql<{ golden: unknown }>`
      select v.golden from resident r join resident_version v on v.resident_id = r.id and v.version = r.version where r.id = ${survivor}::bigint`.execute(f.ctx.db);
    const record = fromJsonColumn<GoldenRecord>(golden.rows[0]!.golden);
    expect(record.ethnicity).toMatchObject({ value: '02', rule: 'auditor' });
    expect(record.name).toMatchObject({ value: PEOPLE[0]!.name, rule: 'auditor' });
    events = [...created, ...later];
  });

  it('answers a re-import that changes a record with an updated event naming the changed fields; with the golden record redacted and audited', async () => {
    const since = events[events.length - 1]!.cursor;
    // 已婚 → 丧偶 (widowed): family planning is the authority for marital status.
    await importExtra('family-planning', 'x-fp.csv', fpLines((i) => (i === 0 ? '丧偶' : '已婚')));
    await linkNow(f.ctx);
    const resident = await sql<{ resident_id: string; version: number }>`
      select l.resident_id::text as resident_id, r.version from resident_link l join source_record s on s.id = l.source_record_id
      join resident r on r.id = l.resident_id where s.source = 'family-planning' and s.natural_key = 'case:JS980000'`.execute(f.ctx.db);
    const { resident_id: residentId, version } = resident.rows[0]!;

    const res = await read('family-planning', `?since=${since}&include=golden`);
    expect(res.statusCode).toBe(200);
    const page = res.json() as { events: Event[]; next: string };
    const updated = page.events.filter((e) => e.residentId === residentId);
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ kind: 'updated', version });
    expect(updated[0]!.changedFields).toEqual(['maritalStatus']);
    expect((updated[0]!.golden as { maritalStatus: { value: string } }).maritalStatus.value).toBe('30');
    // As this department may see it: the phone and ID number masked.
    const golden = updated[0]!.golden as { phone: { value: string }; idNumber: { value: string } };
    expect(golden.phone.value).toBe(`${PEOPLE[0]!.phone.slice(0, 3)}****${PEOPLE[0]!.phone.slice(7)}`);
    expect(golden.idNumber.value).toBe(`${PEOPLE[0]!.idNumber.slice(0, 6)}********${PEOPLE[0]!.idNumber.slice(14)}`);
    expect(JSON.stringify(page)).not.toMatch(/\d{17}[\dXx]|1[3-9]\d{9}/);

    const audit = await sql<{ details: unknown; actor: unknown }>`select details, actor from audit_log where action = 'changes:read' order by seq desc limit 1`.execute(f.ctx.db);
    const details = typeof audit.rows[0]!.details === 'string' ? JSON.parse(audit.rows[0]!.details) : audit.rows[0]!.details;
    expect(details).toMatchObject({ since, events: page.events.length, residentIds: expect.arrayContaining([residentId]) });
    expect(JSON.stringify(details)).not.toMatch(/13800980002|\d{17}/);
  });

  it('is for the departments that keep a system in step, and refuses a malformed cursor or limit', async () => {
    for (const role of ROLES) {
      expect((await read(role, '?limit=1')).statusCode, role).toBe(can(role, 'changes:read') ? 200 : 403);
    }
    for (const query of ['?since=abc', '?since=-1', '?since=01', '?since=1.5', '?limit=0', '?limit=1001', '?include=everything', '?colour=red']) {
      const res = await read('police', query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('RH_ERR_VALIDATION');
    }
    expect((await read(null, '')).statusCode).toBe(401);
  });
});
