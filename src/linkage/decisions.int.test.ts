import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_NAMES, type SourceName } from '../../adapters/types.js';
import { generateDistrict, type DistrictManifest } from '../../fixtures/generator/index.js';
import type { AppContext } from '../context.js';
import { importFiles } from '../ingest/import-files.js';
import { testContext } from '../testing/context.js';
import { storesUnderTest } from '../testing/stores.js';
import { runLink } from './link.service.js';

/** The linker honours auditors' pair decisions (pair_decision rows not revoked) on every run. */

// A seed no other test uses.
const SEED = 53_117;

let dir: string;
let manifest: DistrictManifest;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-decisions-district-'));
  manifest = await generateDistrict({ people: 160, seed: SEED, outDir: dir, format: 'csv' });
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function residentOf(ctx: AppContext, recordId: string): Promise<string> {
  const r = await sql<{ id: string }>`
    select coalesce(r.merged_into, l.resident_id)::text as id from resident_link l join resident r on r.id = l.resident_id
    where l.source_record_id = ${recordId}::bigint`.execute(ctx.db);
  return r.rows[0]!.id;
}

/** Residents of exactly `size` records, the records' ids and sources. */
async function residentsOfSize(ctx: AppContext, size: number): Promise<{ id: string; records: string[]; sources: string[] }[]> {
  const r = await sql<{ id: string; records: string[]; sources: string[] }>`
    select l.resident_id::text as id, array_agg(l.source_record_id::text order by l.source_record_id) as records, array_agg(s.source order by l.source_record_id) as sources
    from resident_link l join source_record s on s.id = l.source_record_id
    group by l.resident_id having count(*) = ${size} order by l.resident_id`.execute(ctx.db);
  return r.rows;
}

async function decide(ctx: AppContext, x: string, y: string, decision: 'match' | 'non_match'): Promise<string> {
  const [a, b] = Number(x) < Number(y) ? [x, y] : [y, x];
  const r = await sql<{ id: string }>`
    insert into pair_decision (record_a, record_b, decision, origin, actor)
    values (${a}::bigint, ${b}::bigint, ${decision}, 'review', '{"keyId": null, "name": "test", "role": "auditor"}') returning id::text as id`.execute(ctx.db);
  return r.rows[0]!.id;
}

describe.each(storesUnderTest())('the linker honours auditors’ decisions on $name', (store) => {
  let ctx: AppContext & { dispose(): Promise<void> };

  beforeAll(async () => {
    ctx = await testContext(store);
    for (const source of SOURCE_NAMES) {
      const files = manifest.files.filter((f) => f.source === source).map((f) => path.join(dir, f.file));
      if (files.length) await importFiles(ctx, source, files);
    }
    await runLink(ctx.store);
  }, 180_000);

  afterAll(async () => {
    await ctx?.dispose();
  });

  it('full runs: a non-match splits what the model linked, a match joins what it kept apart, a revoked decision no longer counts', async () => {
    const pairs = await residentsOfSize(ctx, 2);
    const [x, y] = pairs[0]!.records;
    const singles = await residentsOfSize(ctx, 1);
    const p = singles[0]!.records[0]!;
    const q = singles[singles.length - 1]!.records[0]!;
    expect(await residentOf(ctx, x!)).toBe(await residentOf(ctx, y!));
    expect(await residentOf(ctx, p)).not.toBe(await residentOf(ctx, q));

    const apart = await decide(ctx, x!, y!, 'non_match');
    const together = await decide(ctx, p, q, 'match');
    const run = await runLink(ctx.store, { full: true, keepModel: true });
    expect(run.engine).toMatchObject({ mustLinks: 1, cannotLinks: 1, mustLinksRefused: 0 });
    expect(run.engine!.refusedByReason.auditor_non_match).toBeGreaterThan(0);
    expect(await residentOf(ctx, x!)).not.toBe(await residentOf(ctx, y!));
    expect(await residentOf(ctx, p)).toBe(await residentOf(ctx, q));
    const link = await sql<{ method: string; probability: number; partner: string }>`
      select method, probability, partner_record_id::text as partner from resident_link where source_record_id = ${p}::bigint`.execute(ctx.db);
    expect(link.rows[0]).toEqual({ method: 'auditor', probability: 1, partner: q });
    // The pair told apart raises no review item.
    const review = await sql<{ n: number }>`
      select count(*)::int as n from review_item where status = 'open' and record_a = least(${x}::bigint, ${y}::bigint) and record_b = greatest(${x}::bigint, ${y}::bigint)`.execute(ctx.db);
    expect(review.rows[0]!.n).toBe(0);

    await sql`update pair_decision set revoked_at = now() where id in (${apart}::bigint, ${together}::bigint)`.execute(ctx.db);
    await runLink(ctx.store, { full: true, keepModel: true });
    expect(await residentOf(ctx, x!)).toBe(await residentOf(ctx, y!));
    expect(await residentOf(ctx, p)).not.toBe(await residentOf(ctx, q));
  }, 120_000);

  it('a decided pair’s review item is never opened again', async () => {
    const open = await sql<{ id: string; record_a: string; record_b: string }>`
      select id::text as id, record_a::text as record_a, record_b::text as record_b from review_item where status = 'open' order by weight desc limit 1`.execute(ctx.db);
    const item = open.rows[0]!;
    expect(item).toBeDefined();
    await decide(ctx, item.record_a, item.record_b, 'non_match');
    // Left obsolete (as a decided one may be), it would open again without the decision.
    await sql`update review_item set status = 'obsolete' where id = ${item.id}::bigint`.execute(ctx.db);
    await runLink(ctx.store, { full: true, keepModel: true });
    const after = await sql<{ status: string }>`select status from review_item where id = ${item.id}::bigint`.execute(ctx.db);
    expect(after.rows[0]!.status).toBe('obsolete');
  }, 120_000);

  it('an incremental run after a re-import honours the decisions among the records it loads', async () => {
    // Two records the model linked, one of them in a UTF-8 export with a phone column.
    const reimportable: SourceName[] = ['floating-population', 'family-planning'];
    const resident = (await residentsOfSize(ctx, 2)).find((r) => r.sources.some((s) => reimportable.includes(s as SourceName)) && !r.sources.every((s) => reimportable.includes(s as SourceName)))!;
    const at = resident.sources.findIndex((s) => reimportable.includes(s as SourceName));
    const changed = resident.records[at]!;
    const other = resident.records[1 - at]!;
    await decide(ctx, changed, other, 'non_match');

    const row = await sql<{ source: SourceName; file_name: string; row_number: number }>`select source, file_name, row_number from source_record where id = ${changed}::bigint`.execute(ctx.db);
    const { source, file_name: fileName, row_number: rowNumber } = row.rows[0]!;
    const lines = (await fs.readFile(path.join(dir, fileName), 'utf8')).split(/\r?\n/);
    const header = lines.findIndex((l) => l.includes('姓名'));
    const phoneAt = lines[header]!.replace(/^\ufeff/, '').split(',').findIndex((c) => c.includes('电话') || c.includes('手机'));
    const cells = lines[rowNumber - 1]!.split(',');
    cells[phoneAt] = '13912345678';
    lines[rowNumber - 1] = cells.join(',');
    const newer = path.join(dir, `newer-${fileName}`);
    await fs.writeFile(newer, lines.join('\r\n'));
    expect((await importFiles(ctx, source, [newer])).batch!.records.updated).toBe(1);

    const run = await runLink(ctx.store);
    expect(run.mode).toBe('incremental');
    expect(run.engine!.cannotLinks).toBeGreaterThanOrEqual(1);
    expect(await residentOf(ctx, changed)).not.toBe(await residentOf(ctx, other));
  }, 120_000);
});
