import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '../../adapters/types.js';
import { generateDistrict, type DistrictManifest } from '../../fixtures/generator/index.js';
import type { AppContext } from '../context.js';
import { importFiles } from '../ingest/import-files.js';
import { storesUnderTest } from '../testing/stores.js';
import { testContext } from '../testing/context.js';
import { danglingReferences } from '../testing/references.js';
import { evaluateStoredLinks } from './evaluate-links.js';
import { linkRepository } from './link.repository.js';
import { linkNow } from './link-now.js';
import { runLink } from './link.service.js';

// A seed no other test uses.
const SEED = 52_361;
const PEOPLE = 700;
const SOURCES: SourceName[] = ['police', 'family-planning', 'floating-population', 'minimum-allowance'];

let dir: string;
let manifest: DistrictManifest;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-link-district-'));
  manifest = await generateDistrict({ people: PEOPLE, seed: SEED, outDir: dir, format: 'csv' });
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function filesOf(source: SourceName): string[] {
  return manifest.files.filter((f) => f.source === source).map((f) => path.join(dir, f.file));
}

/** record (source|file|row) → resident id, merged residents followed. */
async function residentOfRecord(ctx: AppContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const page of linkRepository.linksForExport(ctx.db)) {
    for (const r of page) out.set(`${r.source}|${r.file_name}|${r.row_number}`, r.resident_id ?? `unlinked:${r.row_number}`);
  }
  return out;
}

/** The clustering as a set of record sets, independent of resident ids. */
function partition(links: Map<string, string>): Set<string> {
  const groups = new Map<string, string[]>();
  for (const [record, resident] of links) {
    const list = groups.get(resident) ?? [];
    list.push(record);
    groups.set(resident, list);
  }
  return new Set([...groups.values()].map((g) => g.sort().join(' + ')));
}

describe.each(storesUnderTest())('linking on $name', (store) => {
  it('links a new batch incrementally exactly as a full run under the same model would, and keeps resident ids', async () => {
    const ctx = await testContext(store);
    try {
      const allowance = filesOf('minimum-allowance');
      expect(allowance.length).toBeGreaterThan(1);
      for (const source of SOURCES) {
        const files = source === 'minimum-allowance' ? allowance.slice(0, -1) : filesOf(source);
        await importFiles(ctx, source, files);
      }
      const first = await linkNow(ctx);
      expect(first.mode).toBe('full');
      expect(first.reason).toBe('first_run');

      await importFiles(ctx, 'minimum-allowance', allowance.slice(-1), { partial: true });
      const counts = await linkRepository.counts(ctx.db);
      const incremental = await linkNow(ctx);
      expect(incremental.mode).toBe('incremental');
      expect(incremental.recordsPending).toBeGreaterThan(0);
      // Compared with its neighbourhood, not with the population.
      expect(incremental.recordsCompared).toBeLessThan(counts.total / 4);
      const afterIncremental = await residentOfRecord(ctx);
      expect([...afterIncremental.values()].some((r) => r.startsWith('unlinked'))).toBe(false);

      expect((await linkNow(ctx)).noOp).toBe(true);

      // The name counts an incremental run kept are what counting the population gives.
      const counted = await sql<{ kind: string; value: string; count: number }>`
        select 'name' as kind, name_match as value, count(*)::int as count from source_record where name_match is not null group by 2
        union all select 'pinyin', name_pinyin, count(*)::int from source_record where name_pinyin is not null group by 2
        union all select 'total', '', count(*)::int from source_record order by 1, 2`.execute(ctx.db);
      const kept = await sql<{ kind: string; value: string; count: number }>`select kind, value, count from name_frequency order by 1, 2`.execute(ctx.db);
      expect(kept.rows).toEqual(counted.rows);

      const full = await linkNow(ctx, { full: true, keepModel: true });
      expect(full.mode).toBe('full');
      expect(full.modelId).toBe(incremental.modelId);
      const afterFull = await residentOfRecord(ctx);
      expect(partition(afterFull)).toEqual(partition(afterIncremental));
      // Same residents, same ids: a full run does not renumber anyone.
      expect(afterFull).toEqual(afterIncremental);
      expect(full.residentsCreated).toBe(0);
      expect(await danglingReferences(ctx.db)).toEqual({ linksWithoutRecord: 0, linksWithoutResident: 0, versionsWithoutResident: 0 });

      const evaluation = await evaluateStoredLinks(ctx.db, path.join(dir, 'truth.csv'));
      expect(evaluation.records).toBe(manifest.counts.totalRows);
      expect(evaluation.precision).toBeGreaterThanOrEqual(0.999);
      expect(evaluation.recall).toBeGreaterThanOrEqual(0.99);
      // No twins, no parent and child of one name, no two 王芳 in one resident.
      expect(evaluation.overMergedClusters).toBe(0);
    } finally {
      await ctx.dispose();
    }
  }, 300_000);

  it('leaves the blocking keys and the run record as they were when a full run fails at its very end', async () => {
    const ctx = await testContext(store);
    try {
      for (const source of ['police', 'family-planning'] as const) await importFiles(ctx, source, filesOf(source));
      await linkNow(ctx);
      // A key no run would write: a run that replaced the keys would drop it.
      await sql`insert into link_key (key, source_record_id) values (1, 0)`.execute(ctx.db);
      const state = async () => ({
        marker: (await sql<{ n: number }>`select count(*)::int as n from link_key where key = 1 and source_record_id = 0`.execute(ctx.db)).rows[0]!.n,
        keys: (await sql<{ n: number }>`select count(*)::int as n from link_key`.execute(ctx.db)).rows[0]!.n,
        runs: (await sql<{ n: number }>`select count(*)::int as n from link_run`.execute(ctx.db)).rows[0]!.n,
      });
      const before = await state();
      expect(before.marker).toBe(1);
      const stop = (p: { stage: string }) => {
        if (p.stage === 'done') throw new Error('stopped at the end');
      };
      await expect(runLink(ctx.store, { full: true, onProgress: stop })).rejects.toThrow('stopped at the end');
      expect(await state()).toEqual(before);
      // Nothing left holding the lock or the table.
      await runLink(ctx.store, { full: true });
      const after = await state();
      expect(after.marker).toBe(0);
      expect(after.keys).toBe(before.keys - 1);
      expect(after.runs).toBe(before.runs + 1);
    } finally {
      await ctx.dispose();
    }
  }, 300_000);

  it('ends with the same residents whatever order the four sources are imported in', async () => {
    const orders: SourceName[][] = [SOURCES, [...SOURCES].reverse()];
    const partitions: Set<string>[] = [];
    for (const order of orders) {
      const ctx = await testContext(store);
      try {
        for (const source of order) {
          await importFiles(ctx, source, filesOf(source));
          const run = await linkNow(ctx);
          expect(run.noOp).toBe(false);
        }
        partitions.push(partition(await residentOfRecord(ctx)));
      } finally {
        await ctx.dispose();
      }
    }
    expect(partitions[0]!.size).toBeGreaterThan(PEOPLE * 0.95);
    expect(partitions[1]).toEqual(partitions[0]);
  }, 300_000);

  it('keeps a resident id across a newer export, makes a new golden version, and says when a record is gone', async () => {
    const ctx = await testContext(store);
    try {
      for (const source of SOURCES) await importFiles(ctx, source, filesOf(source));
      await linkNow(ctx);
      // A newer floating-population export: one person's phone changed, another no longer listed.
      const [file] = filesOf('floating-population');
      const lines = (await fs.readFile(file!, 'utf8')).split(/\r?\n/);
      const header = lines.findIndex((l) => l.includes('姓名'));
      const columns = lines[header]!.replace(/^\ufeff/, '').split(',');
      const phoneAt = columns.findIndex((c) => c.includes('电话') || c.includes('手机'));
      expect(phoneAt).toBeGreaterThanOrEqual(0);
      const changedRow = header + 2; // the first data row (1-based, as Excel counts)
      const droppedRow = header + 3;
      const before = await residentOfRecord(ctx);
      const base = path.basename(file!);
      const changedResident = before.get(`floating-population|${base}|${changedRow}`)!;
      const droppedResident = before.get(`floating-population|${base}|${droppedRow}`)!;
      expect(changedResident).toBeDefined();

      const cells = lines[changedRow - 1]!.split(',');
      cells[phoneAt] = '13912345678';
      const newer = [...lines];
      newer[changedRow - 1] = cells.join(',');
      newer.splice(droppedRow - 1, 1);
      const newerFile = path.join(dir, 'floating-population-newer.csv');
      await fs.writeFile(newerFile, newer.join('\r\n'));
      const imported = await importFiles(ctx, 'floating-population', [newerFile]);
      expect(imported.batch!.records.updated).toBe(1);
      expect(imported.batch!.records.missing).toBe(1);

      const run = await linkNow(ctx);
      expect(run.mode).toBe('incremental');
      expect(run.recordsPending).toBe(2);
      const total = await sql<{ count: number }>`select count from name_frequency where kind = 'total'`.execute(ctx.db);
      expect(total.rows[0]!.count).toBe(manifest.counts.totalRows);
      const after = await residentOfRecord(ctx);
      expect(after.get(`floating-population|floating-population-newer.csv|${changedRow}`)).toBe(changedResident);

      const versions = await sql<{ version: number; changes: unknown }>`
        select version, changes from resident_version where resident_id = ${changedResident}::bigint order by version`.execute(ctx.db);
      expect(versions.rows.length).toBeGreaterThanOrEqual(2);
      const resident = await sql<{ version: number }>`select version from resident where id = ${changedResident}::bigint`.execute(ctx.db);
      expect(resident.rows[0]!.version).toBe(versions.rows.length);
      expect(versions.rows[0]!.changes).toBeNull();
      expect(versions.rows.at(-1)!.changes).not.toEqual([]);

      // The resident whose only floating record is gone no longer counts the platform among its sources.
      const dropped = await sql<{ sources: string | null }>`select sources from resident where id = ${droppedResident}::bigint`.execute(ctx.db);
      expect(dropped.rows[0]!.sources ?? '').not.toContain('floating-population');
    } finally {
      await ctx.dispose();
    }
  }, 300_000);
});
