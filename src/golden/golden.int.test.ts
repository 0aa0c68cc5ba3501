import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '../../adapters/types.js';
import { generateDistrict, type DistrictManifest } from '../../fixtures/generator/index.js';
import { importFiles } from '../ingest/import-files.js';
import { linkNow } from '../linkage/link-now.js';
import { linkRepository } from '../linkage/link.repository.js';
import { computeCheckChar } from '../normalize/id-number.js';
import { testContext } from '../testing/context.js';
import { storesUnderTest } from '../testing/stores.js';
import { refreshGolden } from './golden.service.js';
import type { GoldenRecord } from './types.js';

// A district for the model to learn on, and a few people written by hand beside it.
const SEED = 61_879;
let dir: string;
let manifest: DistrictManifest;

function idNumber(birth: string, sequence: string): string {
  const first17 = `410105${birth}${sequence}`;
  return first17 + computeCheckChar(first17);
}

const deceased = idNumber('19400315', '991');
const renamed = idNumber('19720611', '993');
const sharedHolder = idNumber('19850920', '995');
const movedOut = idNumber('19580704', '997');

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-golden-district-'));
  manifest = await generateDistrict({ people: 400, seed: SEED, outDir: dir, format: 'csv' });
  const police = [
    '户号,与户主关系,姓名,性别,民族,出生日期,公民身份号码,住址,人员状态,变动日期',
    `H990001,户主,欧阳建国,男,汉族,1940-03-15,${deceased},河南省郑州市金水区北大街道西湖社区纬五路9号,死亡,2025-03-01`,
    `H990002,户主,王小明,男,汉族,1972-06-11,${renamed},河南省郑州市金水区北大街道西湖社区纬五路11号,正常,`,
    `H990003,户主,钱七,男,汉族,1985-09-20,${sharedHolder},河南省郑州市金水区北大街道西湖社区纬五路13号,正常,`,
    `H990004,户主,孙淑英,女,汉族,1958-07-04,${movedOut},河南省郑州市金水区北大街道西湖社区纬五路15号,迁出,2024-08-01`,
  ];
  const familyPlanning = [
    '个案编号,姓名,性别,身份证号,出生日期,婚姻状况,联系电话',
    `JS990002,王大明,男,${renamed},1972-06-11,已婚,13800990002`,
    // Someone else registered under 钱七's number: another name, sex and birth date.
    `JS990003,赵丽华,女,${sharedHolder},1961-02-03,已婚,13800990003`,
  ];
  const allowance = [
    '家庭编号,户主姓名,成员姓名,与户主关系,成员身份证号码,性别,年龄,保障类别,月保障金额（元）,审批日期,所在社区,家庭住址',
    `F990001,欧阳建国,欧阳建国,本人,${deceased},男,86,城市低保,680,2023-05-10,西湖社区,纬五路9号`,
    `F990004,孙淑英,孙淑英,本人,${movedOut},女,68,城市低保,620,2022-01-12,西湖社区,纬五路15号`,
  ];
  await fs.writeFile(path.join(dir, 'extra-police.csv'), police.join('\r\n'));
  await fs.writeFile(path.join(dir, 'extra-family-planning.csv'), familyPlanning.join('\r\n'));
  await fs.writeFile(path.join(dir, 'extra-minimum-allowance.csv'), allowance.join('\r\n'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe.each(storesUnderTest())('golden records, conflicts and alerts on $name', (store) => {
  it('raises each kind of finding once, traces every field, and keeps findings across a re-link', async () => {
    const ctx = await testContext(store);
    try {
      for (const source of ['police', 'family-planning', 'floating-population', 'minimum-allowance'] as SourceName[]) {
        const files = manifest.files.filter((f) => f.source === source).map((f) => path.join(dir, f.file));
        const extra = path.join(dir, `extra-${source}.csv`);
        if (await fs.stat(extra).catch(() => null)) files.push(extra);
        await importFiles(ctx, source, files);
      }
      await linkNow(ctx);

      const residentWith = async (id: string) => {
        const rows = await sql<{ id: string; golden: GoldenRecord; version: number }>`
          select r.id, v.golden, r.version from resident r
          join resident_version v on v.resident_id = r.id and v.version = r.version
          join resident_link l on l.resident_id = r.id join source_record s on s.id = l.source_record_id
          where s.id_number = ${id} and s.source = 'police' and r.merged_into is null`.execute(ctx.db);
        return rows.rows[0]!;
      };
      const issuesOf = async (residentId: string) =>
        (
          await sql<{ category: string; kind: string; status: string; details: unknown }>`
            select category, kind, status, details from resident_issue where resident_id = ${residentId}::bigint order by kind`.execute(ctx.db)
        ).rows;

      // 死亡 in the police registry, still listed by the allowance export.
      const dead = await residentWith(deceased);
      expect(dead.golden.status?.value).toBe('deceased');
      expect(dead.golden.sources).toEqual(['police', 'minimum-allowance']);
      expect((await issuesOf(dead.id)).map((i) => [i.category, i.kind, i.status])).toContainEqual(['alert', 'deceased_receiving_allowance', 'open']);

      const moved = await residentWith(movedOut);
      expect(moved.golden.status?.value).toBe('moved_out');
      expect((await issuesOf(moved.id)).map((i) => [i.category, i.kind, i.status])).toContainEqual(['alert', 'moved_out_receiving_allowance', 'open']);

      // One ID number, two sources, two names that are not one spelling: a conflict; the police name wins.
      const renamedResident = await residentWith(renamed);
      expect(renamedResident.golden.name).toMatchObject({ value: '王小明', source: 'police', rule: 'authority' });
      expect(renamedResident.golden.maritalStatus?.source).toBe('family-planning');
      expect((await issuesOf(renamedResident.id)).map((i) => [i.category, i.kind])).toContainEqual(['conflict', 'name_conflict']);

      // One ID number held by two people who cannot be one: two residents, each alerted.
      const holders = await sql<{ resident_id: string }>`
        select distinct l.resident_id from resident_link l join source_record s on s.id = l.source_record_id where s.id_number = ${sharedHolder}`.execute(ctx.db);
      expect(holders.rows).toHaveLength(2);
      for (const h of holders.rows) {
        expect((await issuesOf(h.resident_id)).map((i) => [i.kind, i.status])).toContainEqual(['shared_id_number', 'open']);
      }

      // Every golden field names the source record it came from, and that record is the resident's.
      const fields = ['name', 'idNumber', 'birthDate', 'sex'] as const;
      const members = await sql<{ source_record_id: string }>`select source_record_id from resident_link where resident_id = ${dead.id}::bigint`.execute(ctx.db);
      for (const field of fields) {
        expect(members.rows.map((m) => m.source_record_id)).toContain(dead.golden[field]!.sourceRecordId);
      }

      // A full re-link finds the same things: nothing duplicated, nothing reopened, no new version.
      const before = await sql<{ n: string }>`select count(*) as n from resident_issue`.execute(ctx.db);
      const again = await linkNow(ctx, { full: true, keepModel: true });
      expect(again.golden!.newVersions).toBe(0);
      expect(again.golden!.conflictsOpened + again.golden!.alertsOpened).toBe(0);
      const after = await sql<{ n: string }>`select count(*) as n from resident_issue`.execute(ctx.db);
      expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
      expect((await residentWith(deceased)).version).toBe(dead.version);

      // Built on a worker thread, every golden record and finding comes out as it was built inline.
      const links = await sql<{ resident_id: string; source_record_id: string }>`
        select resident_id::text, source_record_id::text from resident_link order by source_record_id`.execute(ctx.db);
      const recordsOf = new Map<string, string[]>();
      for (const l of links.rows) recordsOf.set(l.resident_id, [...(recordsOf.get(l.resident_id) ?? []), l.source_record_id]);
      const onWorker = await ctx.store.transactionWithClient((trx, copyClient) =>
        refreshGolden({ db: trx, copyClient }, null, recordsOf, { allResidents: true, worker: true }),
      );
      expect(onWorker).toMatchObject({ residents: recordsOf.size, newVersions: 0, conflictsOpened: 0, alertsOpened: 0, issuesObsoleted: 0 });

      // A new resident whose records cannot be read still gets its row, without a version.
      const [reserved] = await ctx.store.transactionWithClient(async (trx, copyClient) => {
        const ids = await linkRepository.reserveResidentIds(trx, 1);
        await refreshGolden({ db: trx, copyClient }, null, new Map([[ids[0]!, ['999999999']]]), { allResidents: false, newResidents: new Set(ids) });
        return ids;
      });
      const bare = await sql<{ version: number; golden_hash: string | null }>`select version, golden_hash from resident where id = ${reserved}::bigint`.execute(ctx.db);
      expect(bare.rows).toEqual([{ version: 0, golden_hash: null }]);
    } finally {
      await ctx.dispose();
    }
  }, 300_000);
});
