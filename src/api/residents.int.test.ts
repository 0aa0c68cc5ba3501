import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPopulation, toLegacy15, type Person } from '../../fixtures/generator/index.js';
import { toTraditional } from '../../fixtures/generator/names.js';
import { FIELD_POLICY } from '../access/field-policy.js';
import { ROLES, can, type Role } from '../access/roles.js';
import { verifyAudit } from '../audit/audit.service.js';
import { fromJsonColumn } from '../db/json-column.js';
import type { GoldenRecord } from '../golden/types.js';
import { computeCheckChar, normalizeName } from '../normalize/index.js';
import { residentsByPerson, setMergedInto } from '../residents/test-helpers.js';
import { storesUnderTest } from '../testing/stores.js';
import { apiFixture, type ApiFixture } from './test-support.js';

const PEOPLE = 300;
const SEED = 51_337;
const UNMASKED_ID = /\d{17}[\dXx]/;
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/;
const MASKED_ID = /^\d{6}\*{8}\d{3}[\dX]$/;
const BANK_KEYS = ['bank', 'bankAccount', '开户银行', '银行账号'];

interface Item {
  id: string;
  score: number;
  reasons: string[];
  resident: { name: string | null; idNumber?: string | null; birthDate: string | null; community: string | null; sources: string[] };
}

/** The same name with one character replaced by another read the same (a homophone), if any. */
function homophoneOf(name: string): string | undefined {
  const target = normalizeName(name)!;
  const chars = [...name];
  for (let i = chars.length - 1; i >= 1; i--) {
    for (let c = 0x4e00; c <= 0x9fa5; c++) {
      const ch = String.fromCharCode(c);
      if (ch === chars[i]) continue;
      const candidate = [...chars.slice(0, i), ch, ...chars.slice(i + 1)].join('');
      const n = normalizeName(candidate);
      if (n !== null && n.pinyin === target.pinyin && n.matchForm !== target.matchForm) return candidate;
    }
  }
  return undefined;
}

const toFullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysOf(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysOf(v, out);
    }
  }
  return out;
}

describe.each(storesUnderTest())('resident lookup, match, links export and quality on $name', (store) => {
  let f: ApiFixture;
  let persons: Person[];
  let residentsOf: Map<string, Set<string>>;
  /** A person whose records all became one resident that holds nobody else. */
  let target: Person;
  let targetResident: string;
  let golden: { name: string; idNumber: string; birthDate: string };

  const get = (role: Role, url: string) => f.request(role, { method: 'GET', url });
  const search = async (role: Role, query: Record<string, string | number>) => {
    const res = await get(role, `/v1/residents?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    return res.json() as { items: Item[]; next: string | null; total: number };
  };
  const found = (items: Item[], id: string) => items.find((i) => i.id === id);

  beforeAll(async () => {
    f = await apiFixture(store, { people: PEOPLE, seed: SEED });
    persons = buildPopulation({ people: PEOPLE, seed: SEED, exportDate: f.manifest.exportDate }).persons;
    residentsOf = await residentsByPerson(f.ctx.db, f.districtDir);
    const holders = new Map<string, number>();
    for (const set of residentsOf.values()) for (const r of set) holders.set(r, (holders.get(r) ?? 0) + 1);
    const sole = (p: Person) => {
      const set = residentsOf.get(p.pid);
      if (set?.size !== 1) return undefined;
      const r = [...set][0]!;
      return holders.get(r) === 1 ? r : undefined;
    };
    target = persons.find((p) => p.hard.length === 0 && [...p.name].length === 3 && toLegacy15(p.id) !== undefined && sole(p) !== undefined)!;
    expect(target).toBeDefined();
    targetResident = sole(target)!;
    const row = (await sql<{ name: string; id_number: string; birth_date: string }>`
      select name, id_number, birth_date::text as birth_date from resident where id = ${targetResident}::bigint`.execute(f.ctx.db)).rows[0]!;
    golden = { name: row.name, idNumber: row.id_number, birthDate: row.birth_date };
    expect(golden.idNumber).toBe(target.id);
  }, 240_000);

  afterAll(async () => {
    await f?.dispose();
  });

  describe('GET /v1/residents', () => {
    it('finds a resident by ID number in any form: 18 digits, 15 digits, full-width, spaced', async () => {
      const legacy = toLegacy15(golden.idNumber)!;
      for (const form of [golden.idNumber, legacy, toFullWidth(golden.idNumber), `${golden.idNumber.slice(0, 6)} ${golden.idNumber.slice(6, 14)} ${golden.idNumber.slice(14)}`]) {
        for (const query of [{ id_number: form }, { q: form }] as Record<string, string>[]) {
          const { items, total } = await search('police', query);
          expect(items[0]?.id, JSON.stringify(query)).toBe(targetResident);
          expect(items[0]?.reasons).toContain('id_number');
          expect(total).toBe(items.length);
        }
      }
    });

    it('reads a lower-case x as the check character X', async () => {
      const withX = (await sql<{ id: string; id_number: string }>`
        select id::text as id, id_number from resident where id_number like '%X' and merged_into is null and version > 0 order by id limit 1`.execute(f.ctx.db)).rows[0];
      expect(withX).toBeDefined();
      const { items } = await search('police', { id_number: withX!.id_number.toLowerCase() });
      expect(items.map((i) => i.id)).toContain(withX!.id);
    });

    it('finds a name as typed, in traditional characters, in pinyin and by homophone', async () => {
      const exact = await search('police', { name: golden.name, limit: 100 });
      expect(found(exact.items, targetResident)?.reasons).toContain('name_exact');
      expect(exact.items[0]?.reasons).toContain('name_exact');

      const pinyin = normalizeName(golden.name)!.pinyin;
      for (const typed of [pinyin, pinyin.replaceAll(' ', ''), pinyin.toUpperCase()]) {
        const { items } = await search('police', { name: typed, limit: 100 });
        expect(found(items, targetResident)?.reasons, typed).toContain('pinyin');
      }

      const homophone = homophoneOf(golden.name)!;
      expect(homophone).toBeDefined();
      const byHomophone = await search('police', { q: homophone, limit: 100 });
      expect(found(byHomophone.items, targetResident)?.reasons).toContain('homophone');

      // Traditional writing: of the target's name, else of another resident's.
      const names = (await sql<{ id: string; name: string }>`
        select id::text as id, name from resident where merged_into is null and version > 0 and name is not null order by id`.execute(f.ctx.db)).rows;
      const convertible = names.find((r) => r.id === targetResident && toTraditional(r.name)) ?? names.find((r) => toTraditional(r.name) !== undefined)!;
      const traditional = toTraditional(convertible.name)!;
      const { items } = await search('police', { name: traditional, limit: 100 });
      const hit = found(items, convertible.id);
      expect(hit, traditional).toBeDefined();
      expect(hit!.reasons.some((r) => r === 'name_variant' || r === 'name_exact')).toBe(true);
    });

    it('finds a resident by a former name (曾用名)', async () => {
      const row = (await sql<{ resident_id: string; former: string }>`
        select coalesce(r.merged_into, r.id)::text as resident_id, s.data ->> 'formerName' as former
        from source_record s join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id
        where s.source = 'police' and s.former_name_match is not null and s.birth_date is not null
          and not exists (select 1 from source_record o where o.name_match = s.former_name_match)
        order by s.id limit 1`.execute(f.ctx.db)).rows[0];
      expect(row, 'the district has a former name').toBeDefined();
      const { items } = await search('community', { name: row!.former, limit: 100 });
      expect(found(items, row!.resident_id)?.reasons).toContain('former_name');
    });

    it('finds by birth date, and by community alone or with a name; pages by offset', async () => {
      const byBirth = await search('police', { q: golden.birthDate, limit: 100 });
      expect(found(byBirth.items, targetResident)?.reasons).toContain('birth_date');
      for (const item of byBirth.items) expect(item.resident.birthDate).toBe(golden.birthDate);

      const detail = (await get('auditor', `/v1/residents/${targetResident}`)).json();
      const community: string = detail.golden.currentAddress.value.community;
      expect(community).toMatch(/社区|村/);
      const both = await search('police', { name: golden.name, community: community.replace(/社区$/, '') });
      expect(found(both.items, targetResident)?.reasons).toEqual(expect.arrayContaining(['name_exact', 'community']));

      const first = await search('police', { community, limit: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.next).toBe('2');
      const second = await search('police', { community, limit: 2, offset: 2 });
      expect(second.total).toBe(first.total);
      expect(second.items.map((i) => i.id)).not.toEqual(expect.arrayContaining(first.items.map((i) => i.id)));
      const all = await search('police', { community, limit: 100 });
      expect(all.total).toBeGreaterThan(2);
      for (const item of all.items) expect(item.resident.community).toBe(community);

      // Free text: an address puts the residents of that flat first, then of its unit, building, compound.
      const address: string = detail.golden.currentAddress.value.original;
      const flatmates = (await sql<{ id: string }>`
        select r.id::text as id from resident r join resident_version v on v.resident_id = r.id and v.version = r.version
        where r.merged_into is null and (v.golden -> 'currentAddress' -> 'value' ->> 'normalized') = ${detail.golden.currentAddress.value.normalized}`.execute(f.ctx.db)).rows.map((r) => r.id);
      expect(flatmates).toContain(targetResident);
      const byAddress = await search('police', { q: address, limit: flatmates.length });
      expect(byAddress.items.map((i) => i.id).sort()).toEqual([...flatmates].sort());
      expect(found(byAddress.items, targetResident)?.reasons).toEqual(expect.arrayContaining(['community', 'address']));
    });

    it('refuses a search without criteria, a page over 100, unknown parameters and unreadable values (400)', async () => {
      for (const url of ['/v1/residents', '/v1/residents?name=%20', '/v1/residents?name=x&limit=1000', '/v1/residents?name=x&limit=0', '/v1/residents?foo=1&name=x', '/v1/residents?id_number=4.10105E%2B17', '/v1/residents?birth_date=1990-13-45']) {
        const res = await get('police', url);
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error.code, url).toBe('RH_ERR_VALIDATION');
      }
    });

    it('masks ID numbers per role in results, and refuses admin (403)', async () => {
      for (const role of ROLES) {
        const res = await get(role, `/v1/residents?id_number=${golden.idNumber}`);
        if (!can(role, 'residents:search')) {
          expect(res.statusCode, role).toBe(403);
          continue;
        }
        const item = (res.json() as { items: Item[] }).items[0]!;
        if (FIELD_POLICY[role].idNumber === 'full') expect(item.resident.idNumber, role).toBe(golden.idNumber);
        else {
          expect(item.resident.idNumber, role).toMatch(MASKED_ID);
          expect(res.body, role).not.toMatch(UNMASKED_ID);
        }
      }
      expect(can('admin', 'residents:search')).toBe(false);
    });
  });

  describe('GET /v1/residents/{id} and /history', () => {
    it('gives the golden record with provenance, the linked records with file and row, and open issues', async () => {
      const res = await get('auditor', `/v1/residents/${targetResident}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.id).toBe(targetResident);
      expect(body.golden.name).toMatchObject({ value: golden.name, source: expect.any(String), sourceRecordId: expect.any(String), rule: expect.any(String) });
      expect(body.golden.idNumber.value).toBe(golden.idNumber);
      const recordIds = new Set(body.records.map((r: { id: string }) => r.id));
      for (const key of ['name', 'idNumber', 'birthDate', 'sex']) expect(recordIds.has(body.golden[key].sourceRecordId), key).toBe(true);
      const files = new Set(f.manifest.files.map((x) => x.file));
      for (const r of body.records) {
        expect(files.has(r.file)).toBe(true);
        expect(r.row).toBeGreaterThan(1);
        expect(r).toMatchObject({ present: expect.any(Boolean), version: expect.any(Number), link: { probability: expect.any(Number), method: expect.any(String) } });
      }
      const stored = await sql<{ n: string }>`select count(*) as n from resident_link where resident_id = ${targetResident}::bigint`.execute(f.ctx.db);
      expect(body.records).toHaveLength(Number(stored.rows[0]!.n));
      expect(Array.isArray(body.issues)).toBe(true);

      // A resident with open issues shows them.
      const withIssue = (await sql<{ id: string; n: string }>`
        select resident_id::text as id, count(*) as n from resident_issue i join resident r on r.id = i.resident_id
        where i.status = 'open' and r.merged_into is null group by resident_id order by resident_id limit 1`.execute(f.ctx.db)).rows[0];
      if (withIssue) {
        const issues = (await get('auditor', `/v1/residents/${withIssue.id}`)).json().issues;
        expect(issues).toHaveLength(Number(withIssue.n));
        expect(issues[0]).toMatchObject({ category: expect.any(String), kind: expect.any(String), details: expect.any(Object) });
      }
    });

    it('applies the field policy to every role: bank fields only for civil affairs and auditors, ID numbers and phones masked', async () => {
      const banked = (await sql<{ id: string }>`
        select coalesce(r.merged_into, r.id)::text as id
        from source_record s join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id
        where s.source = 'minimum-allowance' and s.data ->> 'bankAccount' is not null order by s.id limit 1`.execute(f.ctx.db)).rows[0];
      expect(banked).toBeDefined();
      for (const role of ROLES) {
        for (const url of [`/v1/residents/${banked!.id}`, `/v1/residents/${banked!.id}/history`]) {
          const res = await get(role, url);
          if (!can(role, 'residents:read')) {
            expect(res.statusCode, role).toBe(403);
            continue;
          }
          expect(res.statusCode, `${role} ${url}`).toBe(200);
          const keys = keysOf(res.json());
          const seesBank = FIELD_POLICY[role].bank === 'full';
          if (url.endsWith(banked!.id)) expect(keys.has('bankAccount'), `${role} ${url}`).toBe(seesBank);
          else expect(BANK_KEYS.some((k) => keys.has(k)), `${role} ${url}`).toBe(false);
          if (!seesBank) expect(BANK_KEYS.filter((k) => keys.has(k)), `${role} ${url}`).toEqual([]);
          if (FIELD_POLICY[role].idNumber !== 'full' && !seesBank) expect(res.body, `${role} ${url}`).not.toMatch(UNMASKED_ID);
          if (FIELD_POLICY[role].phone !== 'full') expect(res.body, `${role} ${url}`).not.toMatch(MOBILE);
        }
      }
      const fp = (await get('family-planning', `/v1/residents/${targetResident}`)).json();
      expect(fp.golden.idNumber.value).toMatch(MASKED_ID);
      expect(fp.golden.idNumber.value.slice(-4)).toBe(golden.idNumber.slice(-4));
    });

    it('lists every version with its changes (values redacted) and members', async () => {
      const body = (await get('family-planning', `/v1/residents/${targetResident}/history`)).json();
      expect(body.id).toBe(targetResident);
      expect(body.versions[0]).toMatchObject({ version: 1, members: expect.any(Array), golden: expect.any(Object) });
      // The first version has no changes (src/golden: null for the first); later ones say what changed.
      expect(body.versions[0].changes).toEqual([]);
      for (const v of body.versions.slice(1)) for (const c of v.changes) expect(c).toMatchObject({ field: expect.any(String), kind: expect.any(String) });
      expect(body.versions[0].golden.idNumber.value).toMatch(MASKED_ID);
      const stored = await sql<{ n: string }>`select count(*) as n from resident_version where resident_id = ${targetResident}::bigint`.execute(f.ctx.db);
      expect(body.versions).toHaveLength(Number(stored.rows[0]!.n));
      expect(res404(await get('police', '/v1/residents/999999999/history'))).toBe(true);
    });

    it('redirects a merged-away resident to its survivor (308, chains followed), and answers 404 for an unknown one', async () => {
      const others = (await sql<{ id: string }>`
        select id::text as id from resident where merged_into is null and version > 0 and id <> ${targetResident}::bigint order by id limit 2`.execute(f.ctx.db)).rows.map((r) => r.id);
      const [b, c] = others as [string, string];
      await setMergedInto(f.ctx.db, b, targetResident);
      await setMergedInto(f.ctx.db, c, b);
      try {
        for (const [id, suffix] of [
          [b, ''],
          [c, ''],
          [c, '/history'],
        ] as const) {
          const res = await get('police', `/v1/residents/${id}${suffix}`);
          expect(res.statusCode).toBe(308);
          expect(res.headers.location).toBe(`/v1/residents/${targetResident}${suffix}`);
          // A merge can be undone: browsers must not keep the redirect.
          expect(res.headers['cache-control']).toBe('no-store');
          expect(res.json()).toEqual({ id, mergedInto: targetResident, location: `/v1/residents/${targetResident}${suffix}` });
        }
        // Search no longer lists the merged-away resident.
        const merged = (await sql<{ id_number: string }>`select id_number from resident where id = ${b}::bigint`.execute(f.ctx.db)).rows[0]!;
        if (merged.id_number) expect((await search('police', { id_number: merged.id_number })).items.map((i) => i.id)).not.toContain(b);
      } finally {
        await setMergedInto(f.ctx.db, c, null);
        await setMergedInto(f.ctx.db, b, null);
      }
      expect(res404(await get('police', '/v1/residents/999999999'))).toBe(true);
    });
  });

  describe('POST /v1/match', () => {
    const sexOf = (p: Person) => (p.sex === 1 ? '男' : '女');

    it("finds the person's resident first, with a typo'd name or a 15-digit ID number, and explains the score", async () => {
      const chars = [...target.name];
      const typo = chars[0]! + chars[1]! + (chars[2] === '甲' ? '乙' : '甲');
      const counts = async () =>
        (await sql<{ n: string }>`select (select count(*) from source_record) + (select count(*) from resident) * 1000 + (select count(*) from resident_link) * 1000000 as n`.execute(f.ctx.db)).rows[0]!.n;
      const before = await counts();
      for (const probe of [
        { name: typo, idNumber: target.id, birthDate: target.birth, sex: sexOf(target) },
        { name: target.name, idNumber: toLegacy15(target.id)!, sex: sexOf(target) },
      ]) {
        const res = await f.request('family-planning', { method: 'POST', url: '/v1/match', payload: probe });
        expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
        const body = res.json();
        const best = body.candidates[0];
        expect(best.residentId).toBe(targetResident);
        // Exact ID, birth date and sex against one character of the name: high, and for the
        // model perhaps still an auditor's question; an exact name links outright.
        expect(best.probability).toBeGreaterThan(0.95);
        if (probe.name === typo) expect(['match', 'review']).toContain(best.band);
        else expect(best.band).toBe('match');
        expect(best.fields.idNumber).toEqual({ level: 'exact', weight: expect.any(Number) });
        expect(best.fields.idNumber.weight).toBeGreaterThan(0);
        expect(best.fields.name.level).toBe(probe.name === typo ? 'one_char' : 'exact');
        expect(best.resident.idNumber).toMatch(MASKED_ID);
        expect(res.body).not.toMatch(UNMASKED_ID);
        for (let i = 1; i < body.candidates.length; i++) expect(body.candidates[i].weight).toBeLessThanOrEqual(body.candidates[i - 1].weight);
        for (const c of body.candidates) expect(c.weight).toBeGreaterThanOrEqual(body.model.thresholds.lower);
      }
      expect(await counts()).toBe(before);
    });

    it('finds nobody above the lower threshold for a made-up person', async () => {
      const first17 = '11010119310719987';
      const res = await f.request('police', { method: 'POST', url: '/v1/match', payload: { name: '司马无忌', idNumber: first17 + computeCheckChar(first17), birthDate: '1931-07-19', sex: '男' } });
      expect(res.statusCode).toBe(200);
      expect(res.json().candidates).toEqual([]);
    });

    it('refuses an empty probe, unknown properties and unreadable values (400), and admin (403)', async () => {
      for (const payload of [{}, { name: '张伟', nickname: 'x' }, { birthDate: 'yesterday' }, { name: '' }]) {
        const res = await f.request('police', { method: 'POST', url: '/v1/match', payload });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().error.code).toBe('RH_ERR_VALIDATION');
      }
      expect((await f.request('admin', { method: 'POST', url: '/v1/match', payload: { name: '张伟' } })).statusCode).toBe(403);
    });

    it('answers 409 RH_ERR_NOT_LINKED before anything is linked', async () => {
      const empty = await apiFixture(store, { people: 5, load: false });
      try {
        const res = await empty.request('police', { method: 'POST', url: '/v1/match', payload: { name: '张伟' } });
        expect(res.statusCode).toBe(409);
        expect(res.json().error.code).toBe('RH_ERR_NOT_LINKED');
      } finally {
        await empty.dispose();
      }
    });
  });

  describe('GET /v1/links/export', () => {
    it('streams the CLI links CSV: one line per accepted record, with its resident', async () => {
      expect((await get('police', '/v1/links/export')).statusCode).toBe(403);
      for (const role of ['admin', 'auditor'] as const) {
        const res = await get(role, '/v1/links/export');
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
        const lines = res.body.trimEnd().split('\r\n');
        expect(lines[0]).toBe('source,file,row,resident_id,match_probability,method');
        const stored = (await sql<{ file_name: string; row_number: number; resident_id: string }>`
          select s.file_name, s.row_number, coalesce(r.merged_into, r.id)::text as resident_id
          from source_record s join resident_link l on l.source_record_id = s.id join resident r on r.id = l.resident_id`.execute(f.ctx.db)).rows;
        const total = await sql<{ n: string }>`select count(*) as n from source_record`.execute(f.ctx.db);
        expect(lines).toHaveLength(Number(total.rows[0]!.n) + 1);
        const byRow = new Map(lines.slice(1).map((l) => l.split(',')).map((c) => [`${c[1]}|${c[2]}`, c]));
        for (const s of stored) {
          const line = byRow.get(`${s.file_name}|${s.row_number}`);
          expect(line?.[3]).toBe(s.resident_id);
          expect(Number(line?.[4])).toBeGreaterThan(0);
        }
      }
    });
  });

  describe('GET /v1/stats/quality', () => {
    it('counts per source missing and invalid ID numbers and fields disagreeing with the golden record', async () => {
      const res = await get('community', '/v1/stats/quality');
      expect(res.statusCode).toBe(200);
      const body = res.json() as { perSource: { source: string; records: number; missingIdNumber: number; invalidIdNumber: number; disagreeing: { name: number; birthDate: number; sex: number; idNumber: number } }[] };
      expect(body.perSource.map((s) => s.source)).toEqual(['police', 'family-planning', 'floating-population', 'minimum-allowance']);

      // The same figures counted here, record by record, from the stored data and golden records.
      const rows = (await sql<{ source: string; data: unknown; golden: unknown }>`
        select s.source, s.data, v.golden
        from source_record s
        left join resident_link l on l.source_record_id = s.id
        left join resident lr on lr.id = l.resident_id
        left join resident r on r.id = coalesce(lr.merged_into, lr.id) and r.merged_into is null and r.version > 0
        left join resident_version v on v.resident_id = r.id and v.version = r.version
        where s.present`.execute(f.ctx.db)).rows;
      const expected = new Map<string, { records: number; missingIdNumber: number; invalidIdNumber: number; disagreeing: { name: number; birthDate: number; sex: number; idNumber: number } }>();
      for (const row of rows) {
        const e = expected.get(row.source) ?? { records: 0, missingIdNumber: 0, invalidIdNumber: 0, disagreeing: { name: 0, birthDate: 0, sex: 0, idNumber: 0 } };
        expected.set(row.source, e);
        const d = fromJsonColumn<Record<string, string | undefined>>(row.data);
        e.records++;
        if (d.idNumberStatus === undefined) e.missingIdNumber++;
        if (['bad_check', 'bad_date', 'lost_digits', 'malformed'].includes(d.idNumberStatus ?? '')) e.invalidIdNumber++;
        if (row.golden === null) continue;
        const g = fromJsonColumn<GoldenRecord>(row.golden);
        const differs = (mine: string | undefined, theirs: string | undefined | null) => mine !== undefined && theirs !== undefined && theirs !== null && mine !== theirs;
        if (differs(d.nameMatch, g.name ? normalizeName(g.name.value)!.matchForm : null)) e.disagreeing.name++;
        if (differs(d.birthDate ?? d.idNumberBirthDate, g.birthDate?.value)) e.disagreeing.birthDate++;
        const sex = d.sex ?? d.idNumberSex;
        if (differs(sex === '1' || sex === '2' ? sex : undefined, g.sex?.value === '1' || g.sex?.value === '2' ? g.sex.value : null)) e.disagreeing.sex++;
        if (differs(d.idNumberStatus === 'lost_digits' ? undefined : d.idNumber, g.idNumber?.value)) e.disagreeing.idNumber++;
      }
      for (const s of body.perSource) {
        const e = expected.get(s.source) ?? { records: 0, missingIdNumber: 0, invalidIdNumber: 0, disagreeing: { name: 0, birthDate: 0, sex: 0, idNumber: 0 } };
        expect(s, s.source).toEqual({ source: s.source, ...e });
      }
      const sum = (pick: (s: (typeof body.perSource)[number]) => number) => body.perSource.reduce((n, s) => n + pick(s), 0);
      // The generator damages some ID numbers and lets sources disagree: the figures are not all zero.
      expect(sum((s) => s.invalidIdNumber)).toBeGreaterThan(0);
      expect(sum((s) => s.disagreeing.name + s.disagreeing.birthDate + s.disagreeing.sex + s.disagreeing.idNumber)).toBeGreaterThan(0);
    });
  });

  describe('audit', () => {
    it('audits every read with who and what, counts only: no names, ID numbers or other values', async () => {
      const rows = (await sql<{ action: string; actor: unknown; target_type: string; details: unknown }>`
        select action, actor, target_type, details from audit_log
        where action in ('residents:search', 'residents:read', 'match', 'links:export') and outcome = 'success' order by seq`.execute(f.ctx.db)).rows;
      const actions = new Set(rows.map((r) => r.action));
      for (const a of ['residents:search', 'residents:read', 'match', 'links:export']) expect(actions.has(a), a).toBe(true);
      for (const row of rows) {
        const details = JSON.stringify(fromJsonColumn(row.details));
        expect(details).not.toMatch(/\d{6,}/);
        expect(details).not.toContain(golden.name);
        expect(details).not.toMatch(/\p{Script=Han}/u);
        expect(fromJsonColumn<{ role: string }>(row.actor).role).toMatch(/./);
      }
      const search = rows.find((r) => r.action === 'residents:search')!;
      expect(fromJsonColumn(search.details)).toMatchObject({ criteria: expect.any(Array), results: expect.any(Number), total: expect.any(Number) });
      expect((await verifyAudit(f.ctx.db)).ok).toBe(true);
    });
  });
});

function res404(res: { statusCode: number; json(): { error: { code: string } } }): boolean {
  return res.statusCode === 404 && res.json().error.code === 'RH_ERR_NOT_FOUND';
}
