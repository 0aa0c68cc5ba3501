import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '../../adapters/types.js';
import { ROLES, can } from '../access/roles.js';
import { verifyAudit } from '../audit/audit.service.js';
import { importFiles } from '../ingest/import-files.js';
import { runLink } from '../linkage/link.service.js';
import { danglingReferences } from '../testing/references.js';
import { storesUnderTest } from '../testing/stores.js';
import { apiFixture, type ApiFixture } from './test-support.js';

/** Everything a merge, split or undo may touch, as SQL sees it (resident versions and update times aside). */
async function fullState(f: ApiFixture) {
  const residents = await sql<{ id: string; row: unknown }>`select id::text as id, to_jsonb(r) - 'version' - 'updated_at' as row from resident r order by id`.execute(f.ctx.db);
  // As text: json columns exactly as stored.
  const links = await sql<{ row: string }>`select row_to_json(l)::text as row from resident_link l order by source_record_id`.execute(f.ctx.db);
  const golden = await sql<{ id: string; golden: unknown }>`
    select r.id::text as id, v.golden::jsonb as golden from resident r join resident_version v on v.resident_id = r.id and v.version = r.version order by r.id`.execute(f.ctx.db);
  const issues = await sql<{ id: string }>`select id::text as id from resident_issue where status = 'open' order by id`.execute(f.ctx.db);
  const decisions = await sql<{ id: string }>`select id::text as id from pair_decision where revoked_at is null order by id`.execute(f.ctx.db);
  const review = await sql<{ id: string; status: string }>`select id::text as id, status from review_item order by id`.execute(f.ctx.db);
  return { residents: residents.rows, links: links.rows, golden: golden.rows, openIssues: issues.rows, activeDecisions: decisions.rows, review: review.rows };
}

type State = Awaited<ReturnType<typeof fullState>>;

/** The state restricted to residents that existed in `before` (a split's new resident cannot be un-created). */
function existingIn(state: State, before: State): State {
  const ids = new Set(before.residents.map((r) => r.id));
  return { ...state, residents: state.residents.filter((r) => ids.has(r.id)), golden: state.golden.filter((g) => ids.has(g.id)) };
}

async function residentOf(f: ApiFixture, recordId: string): Promise<string> {
  const r = await sql<{ id: string }>`
    select coalesce(r.merged_into, l.resident_id)::text as id from resident_link l join resident r on r.id = l.resident_id
    where l.source_record_id = ${recordId}::bigint`.execute(f.ctx.db);
  return r.rows[0]!.id;
}

async function membersOf(f: ApiFixture, residentId: string): Promise<string[]> {
  const r = await sql<{ id: string }>`select source_record_id::text as id from resident_link where resident_id = ${residentId}::bigint order by source_record_id`.execute(f.ctx.db);
  return r.rows.map((x) => x.id);
}

/** Live residents with exactly `size` records, none touched by an auditor yet, in id order. */
async function residentsOfSize(f: ApiFixture, size: number, where = sql`true`): Promise<{ id: string; records: string[]; sources: string[] }[]> {
  const r = await sql<{ id: string; records: string[]; sources: string[] }>`
    select l.resident_id::text as id, array_agg(l.source_record_id::text order by l.source_record_id) as records, array_agg(s.source order by l.source_record_id) as sources
    from resident_link l join source_record s on s.id = l.source_record_id join resident r on r.id = l.resident_id
    where r.merged_into is null and ${where}
      and not exists (select 1 from pair_decision d where d.record_a = l.source_record_id or d.record_b = l.source_record_id)
    group by l.resident_id having count(*) = ${size} and bool_and(l.method <> 'auditor') order by l.resident_id`.execute(f.ctx.db);
  return r.rows;
}

describe.each(storesUnderTest())('auditors’ decisions over the API on $name', (store) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await apiFixture(store, { people: 150, env: { rateLimitMax: 10_000 } });
  }, 180_000);
  afterAll(async () => {
    await f?.dispose();
  });

  const post = (url: string, payload: unknown, role: Parameters<ApiFixture['request']>[0] = 'auditor') => f.request(role, { method: 'POST', url, payload: payload as Record<string, unknown> });

  it('lists its routes, with their schemas, in the OpenAPI document', async () => {
    const doc = (await f.request(null, { method: 'GET', url: '/docs/json' })).json();
    for (const [route, method] of [
      ['/v1/review', 'get'],
      ['/v1/review/{id}', 'get'],
      ['/v1/review/{id}/decision', 'post'],
      ['/v1/residents/{id}/merge', 'post'],
      ['/v1/residents/{id}/split', 'post'],
      ['/v1/actions/{id}/undo', 'post'],
      ['/v1/actions', 'get'],
    ] as const) {
      const operation = doc.paths[route]?.[method];
      expect(operation, route).toBeDefined();
      expect(operation.responses['200'], route).toBeDefined();
      if (method === 'post') expect(operation.requestBody.content['application/json'].schema.additionalProperties, route).toBe(false);
    }
  });

  it('merge → undo restores every resident row, every link row and both golden records exactly', async () => {
    const [a, b] = await residentsOfSize(f, 2);
    expect(a && b).toBeTruthy();
    const before = await fullState(f);

    const merged = await post(`/v1/residents/${a!.id}/merge`, { otherResidentId: b!.id, reason: 'one person, checked on paper' });
    expect(merged.statusCode, merged.body).toBe(200);
    const { action, residentIds } = merged.json();
    expect(action).toMatchObject({ kind: 'merge', residentIds: [a!.id, b!.id], undoneAt: null, actor: { role: 'auditor' } });
    expect(residentIds).toEqual([a!.id, b!.id]);
    expect(await membersOf(f, a!.id)).toEqual([...a!.records, ...b!.records].sort((x, y) => Number(x) - Number(y)));
    const other = await sql<{ merged_into: string | null }>`select merged_into::text as merged_into from resident where id = ${b!.id}::bigint`.execute(f.ctx.db);
    expect(other.rows[0]!.merged_into).toBe(a!.id);
    // Every record pinned to the others: n − 1 match decisions of this action.
    const pinned = await sql<{ n: number }>`select count(*)::int as n from pair_decision where action_id = ${action.id}::bigint and decision = 'match' and revoked_at is null`.execute(f.ctx.db);
    expect(pinned.rows[0]!.n).toBe(3);
    const events = await sql<{ kind: string; resident_id: string }>`
      select kind, resident_id::text as resident_id from resident_event where action_id = ${action.id}::bigint or (resident_id = ${a!.id}::bigint and kind = 'updated') order by id`.execute(f.ctx.db);
    expect(events.rows).toContainEqual({ kind: 'merged', resident_id: b!.id });
    expect(events.rows).toContainEqual({ kind: 'updated', resident_id: a!.id });

    const listed = await f.request('auditor', { method: 'GET', url: `/v1/actions?resident_id=${b!.id}` });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((x: { id: string }) => x.id)).toEqual([action.id]);

    const undone = await post(`/v1/actions/${action.id}/undo`, { reason: 'merged by mistake' });
    expect(undone.statusCode, undone.body).toBe(200);
    expect(undone.json().action.undoneAt).not.toBeNull();
    expect(await fullState(f)).toEqual(before);
    const restored = await sql<{ n: number }>`select count(*)::int as n from resident_event where action_id = ${action.id}::bigint and kind = 'restored'`.execute(f.ctx.db);
    expect(restored.rows[0]!.n).toBe(2);

    const again = await post(`/v1/actions/${action.id}/undo`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toEqual({ code: 'RH_ERR_CONFLICT', message: expect.stringMatching(/undone already/) });
  });

  it('split → undo restores exactly; the new resident redirects to the one its records came back to', async () => {
    const [r] = await residentsOfSize(f, 3);
    const resident = r ?? (await residentsOfSize(f, 2))[0]!;
    const before = await fullState(f);
    const moved = [resident.records.at(-1)!];

    const split = await post(`/v1/residents/${resident.id}/split`, { recordIds: moved, reason: 'two people' });
    expect(split.statusCode, split.body).toBe(200);
    const { action } = split.json();
    const newId = action.newResidentId as string;
    expect(action.residentIds).toEqual([resident.id, newId]);
    expect(await membersOf(f, newId)).toEqual(moved);
    expect(await membersOf(f, resident.id)).toEqual(resident.records.slice(0, -1));
    const kinds = await sql<{ kind: string; resident_id: string; related: string | null }>`
      select kind, resident_id::text as resident_id, related_resident_id::text as related from resident_event where resident_id in (${resident.id}::bigint, ${newId}::bigint) order by id`.execute(f.ctx.db);
    expect(kinds.rows).toContainEqual({ kind: 'created', resident_id: newId, related: null });
    expect(kinds.rows).toContainEqual({ kind: 'split', resident_id: resident.id, related: newId });
    expect(kinds.rows).toContainEqual({ kind: 'split', resident_id: newId, related: resident.id });
    // The moved record is alone: a single; the golden record of the new resident exists.
    const link = await sql<{ method: string }>`select method from resident_link where source_record_id = ${moved[0]}::bigint`.execute(f.ctx.db);
    expect(link.rows[0]!.method).toBe('single');

    const undone = await post(`/v1/actions/${action.id}/undo`, {});
    expect(undone.statusCode, undone.body).toBe(200);
    const after = await fullState(f);
    expect(existingIn(after, before)).toEqual(before);
    const gone = await sql<{ merged_into: string | null }>`select merged_into::text as merged_into from resident where id = ${newId}::bigint`.execute(f.ctx.db);
    expect(gone.rows[0]!.merged_into).toBe(resident.id);
  });

  it('refuses what cannot be done (409, 404, 400), and audits the refusal', async () => {
    const [a, b] = await residentsOfSize(f, 2);
    expect((await post(`/v1/residents/${a!.id}/merge`, { otherResidentId: a!.id, reason: 'x' })).statusCode).toBe(409);
    expect((await post(`/v1/residents/${a!.id}/merge`, { otherResidentId: '999999999', reason: 'x' })).statusCode).toBe(404);
    expect((await post(`/v1/residents/${a!.id}/split`, { recordIds: a!.records, reason: 'x' })).statusCode).toBe(409);
    expect((await post(`/v1/residents/${a!.id}/split`, { recordIds: [b!.records[0]], reason: 'x' })).statusCode).toBe(409);
    expect((await post(`/v1/residents/${a!.id}/split`, { recordIds: [], reason: 'x' })).statusCode).toBe(400);
    expect((await post(`/v1/residents/${a!.id}/merge`, { otherResidentId: b!.id, reason: 'x', version: 3 })).statusCode).toBe(400);
    expect((await post('/v1/actions/999999999/undo', {})).statusCode).toBe(404);

    // Into a merged-away resident: refused.
    const merged = await post(`/v1/residents/${a!.id}/merge`, { otherResidentId: b!.id, reason: 'x' });
    expect(merged.statusCode).toBe(200);
    const [c] = await residentsOfSize(f, 1);
    const intoMergedAway = await post(`/v1/residents/${b!.id}/merge`, { otherResidentId: c!.id, reason: 'x' });
    expect(intoMergedAway.statusCode).toBe(409);
    expect(intoMergedAway.json().error.message).toMatch(new RegExp(`merged into resident ${a!.id}`));
    // A later action on the survivor blocks the undo of the merge until it is undone itself.
    const later = await post(`/v1/residents/${a!.id}/merge`, { otherResidentId: c!.id, reason: 'x' });
    expect(later.statusCode).toBe(200);
    const blocked = await post(`/v1/actions/${merged.json().action.id}/undo`, {});
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().error.message).toMatch(new RegExp(`undo action ${later.json().action.id} first`));
    expect((await post(`/v1/actions/${later.json().action.id}/undo`, {})).statusCode).toBe(200);
    expect((await post(`/v1/actions/${merged.json().action.id}/undo`, {})).statusCode).toBe(200);

    const refusals = await sql<{ n: number }>`select count(*)::int as n from audit_log where outcome = 'error' and action in ('residents:merge', 'residents:split', 'actions:undo')`.execute(f.ctx.db);
    expect(refusals.rows[0]!.n).toBeGreaterThanOrEqual(6);
    const verified = await verifyAudit(f.ctx.db);
    expect(verified.ok).toBe(true);
  });

  it('only auditors may read the queue, decide, merge, split and undo (403 for the others)', async () => {
    const [a, b] = await residentsOfSize(f, 2);
    for (const role of ROLES) {
      const list = await f.request(role, { method: 'GET', url: '/v1/review' });
      expect(list.statusCode, role).toBe(can(role, 'review:read') ? 200 : 403);
      if (role === 'auditor') continue;
      expect((await post('/v1/review/1/decision', { decision: 'match' }, role)).statusCode, role).toBe(403);
      expect((await post(`/v1/residents/${a!.id}/merge`, { otherResidentId: b!.id, reason: 'x' }, role)).statusCode, role).toBe(403);
      expect((await post(`/v1/residents/${a!.id}/split`, { recordIds: [a!.records[0]], reason: 'x' }, role)).statusCode, role).toBe(403);
      expect((await post('/v1/actions/1/undo', {}, role)).statusCode, role).toBe(403);
      expect((await f.request(role, { method: 'GET', url: '/v1/actions' })).statusCode, role).toBe(403);
    }
    expect(await membersOf(f, a!.id)).toEqual(a!.records);
  });

  it('review items: both sides with their data, file, row and resident; match merges; deciding twice → 409; non_match survives a full re-link', async () => {
    const list = await f.request('auditor', { method: 'GET', url: '/v1/review?limit=100' });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; status: string; weight: number; fieldWeights: Record<string, number>; a: { recordId: string; residentId: string; fileName: string; rowNumber: number; data: Record<string, unknown> }; b: { recordId: string; residentId: string } }[];
    expect(items.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < items.length; i++) expect(items[i - 1]!.weight).toBeGreaterThanOrEqual(items[i]!.weight);
    const stored = await sql<{ data: unknown; file_name: string; row_number: number }>`select data, file_name, row_number from source_record where id = ${items[0]!.a.recordId}::bigint`.execute(f.ctx.db);
    // The auditor sees records in full.
    expect(items[0]!.a.data).toEqual(typeof stored.rows[0]!.data === 'string' ? JSON.parse(stored.rows[0]!.data) : stored.rows[0]!.data);
    expect(items[0]!.a).toMatchObject({ fileName: stored.rows[0]!.file_name, rowNumber: stored.rows[0]!.row_number });
    expect(Object.keys(items[0]!.fieldWeights).length).toBeGreaterThan(3);
    // Paging: one at a time gives the same items.
    const first = (await f.request('auditor', { method: 'GET', url: '/v1/review?limit=1' })).json();
    const second = (await f.request('auditor', { method: 'GET', url: `/v1/review?limit=1&cursor=${first.next}` })).json();
    expect([first.items[0].id, second.items[0].id]).toEqual([items[0]!.id, items[1]!.id]);
    expect((await f.request('auditor', { method: 'GET', url: '/v1/review?cursor=nonsense' })).statusCode).toBe(400);
    // Reads are audited with ids only.
    const read = await sql<{ details: unknown }>`select details from audit_log where action = 'review:read' and target_type = 'review_item' order by seq limit 1`.execute(f.ctx.db);
    const details = (typeof read.rows[0]!.details === 'string' ? JSON.parse(read.rows[0]!.details) : read.rows[0]!.details) as { ids: string[] };
    expect(details.ids).toEqual(items.map((i) => i.id));

    const apart = items.filter((i) => i.a.residentId !== i.b.residentId);
    const [toMatch, toSeparate] = apart;
    expect(toSeparate).toBeDefined();

    const matched = await post(`/v1/review/${toMatch!.id}/decision`, { decision: 'match', reason: 'same person' });
    expect(matched.statusCode, matched.body).toBe(200);
    expect(matched.json().item.status).toBe('match');
    expect(matched.json().actionId).not.toBeNull();
    expect(matched.json().item.a.residentId).toBe(matched.json().item.b.residentId);
    expect(await residentOf(f, toMatch!.a.recordId)).toBe(await residentOf(f, toMatch!.b.recordId));
    const twice = await post(`/v1/review/${toMatch!.id}/decision`, { decision: 'non_match' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('RH_ERR_CONFLICT');
    expect((await post(`/v1/review/${toMatch!.id}/decision`, { decision: 'maybe' })).statusCode).toBe(400);
    expect((await post('/v1/review/999999999/decision', { decision: 'match' })).statusCode).toBe(404);

    const separated = await post(`/v1/review/${toSeparate!.id}/decision`, { decision: 'non_match' });
    expect(separated.statusCode, separated.body).toBe(200);
    expect(separated.json()).toMatchObject({ actionId: null, item: { status: 'non_match', decision: { decision: 'non_match', decidedBy: { role: 'auditor' } } } });

    const audited = await sql<{ outcome: string }>`select outcome from audit_log where action = 'review:decide' and target_id = ${toMatch!.id} order by seq`.execute(f.ctx.db);
    // The refused second decision is audited; a body the schema refuses never reaches the service.
    expect(audited.rows.map((r) => r.outcome)).toEqual(['success', 'error']);

    const run = await runLink(f.ctx.store, { full: true, keepModel: true });
    expect(run.mode).toBe('full');
    expect(await residentOf(f, toSeparate!.a.recordId)).not.toBe(await residentOf(f, toSeparate!.b.recordId));
    expect(await residentOf(f, toMatch!.a.recordId)).toBe(await residentOf(f, toMatch!.b.recordId));
    const kept = (await f.request('auditor', { method: 'GET', url: `/v1/review/${toSeparate!.id}` })).json();
    expect(kept.status).toBe('non_match');
    const reopened = await sql<{ n: number }>`
      select count(*)::int as n from review_item i join pair_decision d on d.record_a = i.record_a and d.record_b = i.record_b and d.revoked_at is null
      where i.status = 'open'`.execute(f.ctx.db);
    expect(reopened.rows[0]!.n).toBe(0);
  }, 120_000);

  it('non_match on a pair inside one resident splits the record out, undoably (the item opens again)', async () => {
    const [r] = await residentsOfSize(f, 2);
    const [x, y] = r!.records;
    const inserted = await sql<{ id: string }>`
      insert into review_item (record_a, record_b, weight, probability, field_weights, levels, reason, status, run_id)
      values (${x}::bigint, ${y}::bigint, 9, 0.9, '{"name": 3}', '{"name": "exact"}', 'between_thresholds', 'open', 1) returning id::text as id`.execute(f.ctx.db);
    const itemId = inserted.rows[0]!.id;
    const before = await fullState(f);
    const decided = await post(`/v1/review/${itemId}/decision`, { decision: 'non_match', reason: 'twins' });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json().actionId).not.toBeNull();
    expect(await residentOf(f, x!)).not.toBe(await residentOf(f, y!));
    const undone = await post(`/v1/actions/${decided.json().actionId}/undo`, {});
    expect(undone.statusCode, undone.body).toBe(200);
    expect(existingIn(await fullState(f), before)).toEqual(before);
    expect((await f.request('auditor', { method: 'GET', url: `/v1/review/${itemId}` })).json().status).toBe('open');
  });

  it('a non-match stays apart across a full re-link and an incremental one after a re-import; a merge survives a full re-link', async () => {
    // Two records the model linked: one of them re-importable (a UTF-8 export with a phone column).
    const candidates = await residentsOfSize(f, 2, sql`s.source in ('floating-population', 'family-planning')`);
    const pair = candidates.find((c) => c.sources.some((s) => s === 'floating-population' || s === 'family-planning'))!;
    const movedIndex = pair.sources.findIndex((s) => s === 'floating-population' || s === 'family-planning');
    const moved = pair.records[movedIndex]!;
    const stay = pair.records[1 - movedIndex]!;
    const split = await post(`/v1/residents/${pair.id}/split`, { recordIds: [moved], reason: 'not the same person' });
    expect(split.statusCode, split.body).toBe(200);

    // And two residents the model keeps apart, merged.
    const [p, q] = (await residentsOfSize(f, 1)).slice(-2);
    const merged = await post(`/v1/residents/${p!.id}/merge`, { otherResidentId: q!.id, reason: 'one person' });
    expect(merged.statusCode, merged.body).toBe(200);

    const full = await runLink(f.ctx.store, { full: true, keepModel: true });
    expect(full.engine?.refusedByReason.auditor_non_match ?? 0).toBeGreaterThan(0);
    expect(await residentOf(f, moved)).not.toBe(await residentOf(f, stay));
    expect(await residentOf(f, q!.records[0]!)).toBe(p!.id);
    const methods = await sql<{ method: string; probability: number }>`select method, probability from resident_link where resident_id = ${p!.id}::bigint`.execute(f.ctx.db);
    expect(methods.rows).toEqual([
      { method: 'auditor', probability: 1 },
      { method: 'auditor', probability: 1 },
    ]);

    // A newer export of the moved record's source, that record changed.
    const row = await sql<{ source: SourceName; file_name: string; row_number: number }>`select source, file_name, row_number from source_record where id = ${moved}::bigint`.execute(f.ctx.db);
    const { source, file_name: fileName, row_number: rowNumber } = row.rows[0]!;
    const lines = (await fs.readFile(path.join(f.districtDir, fileName), 'utf8')).split(/\r?\n/);
    const header = lines.findIndex((l) => l.includes('姓名'));
    const phoneAt = lines[header]!.replace(/^\ufeff/, '').split(',').findIndex((c) => c.includes('电话') || c.includes('手机'));
    const cells = lines[rowNumber - 1]!.split(',');
    cells[phoneAt] = '13912345678';
    lines[rowNumber - 1] = cells.join(',');
    const newer = path.join(f.districtDir, `newer-${fileName}`);
    await fs.writeFile(newer, lines.join('\r\n'));
    const imported = await importFiles(f.ctx, source, [newer]);
    expect(imported.batch!.records.updated).toBe(1);
    const incremental = await runLink(f.ctx.store);
    expect(incremental.mode).toBe('incremental');
    expect(incremental.recordsPending).toBe(1);
    expect(await residentOf(f, moved)).not.toBe(await residentOf(f, stay));
    expect(await residentOf(f, q!.records[0]!)).toBe(p!.id);
  }, 180_000);

  it('leaves no link or golden version pointing at a record or resident that does not exist', async () => {
    // Last: after every merge, split, undo, decision and re-link above.
    expect(await danglingReferences(f.ctx.db)).toEqual({ linksWithoutRecord: 0, linksWithoutResident: 0, versionsWithoutResident: 0 });
  });
});
