/**
 * The linker against the database: reads source records, runs the engine, keeps resident ids
 * stable, writes links, blocking keys, review items, and has the golden records refreshed —
 * all in one transaction under one lock, so a crash loses nothing and duplicates nothing.
 *
 * Full run: every record, the model estimated again (first run, `link --full`, or when the
 * population has grown well past what the model was fitted on). Incremental run: only the
 * records not yet linked as they are now, compared with each other and with the residents
 * they share a blocking key with, under the stored model and the whole population's name
 * frequencies — never the whole population again.
 */
import type pg from 'pg';
import type { DatabaseHandle } from '../db/database.js';
import type { Executor } from '../db/schema.js';
import { collectGarbage } from '../memory.js';
import { stopwatch } from '../timing.js';
import { eventsRepository } from '../changes/events.repository.js';
import { refreshGolden, type GoldenRefreshSummary } from '../golden/golden.service.js';
import { blockingKeyHashes } from './blocking.js';
import { keyWriterSource, startKeyWriter, type KeyWriter } from './key-writer.js';
import type { ComparableRecord } from './compare.js';
import { linkPrepared, type LinkResult, type LinkStats, type PairDecisions, type PreparedInput } from './engine.js';
import { linkRepository as repo, type LinkableRecord, type LinkWrite, type ReviewWrite } from './link.repository.js';
import { nameFrequencies, type NameFrequencies } from './model.js';
import { prepareCache, prepareRecord, type PrepareCache } from './prepare.js';
import { compareIds, reconcileClusters } from './reconcile.js';

export type LinkMode = 'full' | 'incremental';

export interface LinkProgress {
  stage: 'reading' | 'linking' | 'writing' | 'golden' | 'done';
  done: number;
  total: number;
}

export interface LinkRunSummary {
  /** Nothing was waiting to be linked (no run recorded). */
  noOp: boolean;
  runId: string | null;
  mode: LinkMode | null;
  /** Why this mode: requested, first_run, model_refit, new_records. */
  reason: string;
  modelId: string | null;
  recordsPending: number;
  /** Records the engine saw (pending and the residents around them). */
  recordsCompared: number;
  residentsCreated: number;
  residentsMerged: number;
  residentsTouched: number;
  reviewOpened: number;
  reviewObsoleted: number;
  golden: GoldenRefreshSummary | null;
  engine: Omit<LinkStats, 'timings'> | null;
  timings: Record<string, number>;
}

export interface LinkRunOptions {
  full?: boolean;
  /** With full: relink everything under the current model instead of fitting a new one. */
  keepModel?: boolean;
  jobId?: string;
  onProgress?: (progress: LinkProgress) => void | Promise<void>;
}

/** A model fitted on fewer records than current / REFIT_GROWTH is fitted again. */
export const REFIT_GROWTH = 1.3;

interface Loaded {
  rows: LinkableRecord[];
  records: ComparableRecord[];
}

function keyOf(r: LinkableRecord): string {
  return `${r.source}\u0001${r.naturalKey}`;
}

async function load(pages: AsyncGenerator<LinkableRecord[]>, cache: PrepareCache, into: Loaded, onPage?: (count: number) => void): Promise<void> {
  for await (const page of pages) {
    for (const row of page) {
      into.rows.push(row);
      into.records.push(prepareRecord(row.source, row.data, undefined, cache));
      // The linker keeps the comparable view only; the data is read again for the golden record.
      row.data = {};
    }
    onPage?.(into.rows.length);
  }
}

export async function runLink(store: DatabaseHandle, options: LinkRunOptions = {}): Promise<LinkRunSummary> {
  const { timings, lap } = stopwatch();
  const progress = async (p: LinkProgress) => {
    await options.onProgress?.(p);
  };

  // A full run's blocking keys, written on a worker's own connection (PostgreSQL).
  let keyWriter = null as KeyWriter | null;
  try {
    return await store.transactionWithClient((trx, copyClient) => linkInTransaction(trx, copyClient));
  } finally {
    await keyWriter?.close();
  }

  async function linkInTransaction(trx: Executor, copyClient: pg.PoolClient | undefined): Promise<LinkRunSummary> {
    await repo.lock(trx);
    const writer = { db: trx, copyClient };
    const counts = await repo.counts(trx);
    const model = await repo.latestModel(trx);
    const sources = Object.keys(counts.bySource).sort();
    lap('counts');

    let mode: LinkMode;
    let reason: string;
    if (options.full) [mode, reason] = ['full', options.keepModel && model ? 'requested_same_model' : 'requested'];
    else if (counts.pending === 0) return noOpSummary();
    else if (!model) [mode, reason] = ['full', 'first_run'];
    else if (counts.total > model.records * REFIT_GROWTH || sources.some((s) => !model.sources.includes(s))) [mode, reason] = ['full', 'model_refit'];
    else [mode, reason] = ['incremental', 'new_records'];
    if (counts.total === 0) return noOpSummary();
    // Bundled while the records are read.
    const keyWriterFrom = mode === 'full' ? keyWriterSource(store) : Promise.resolve(null);

    const cache = prepareCache();
    const loaded: Loaded = { rows: [], records: [] };
    let pendingIds: string[];
    let frequencies: NameFrequencies;
    let frequencyChange: FrequencyChange | null = null;

    // Records whose content may have changed since they were linked: every queued one.
    let queued: ReadonlySet<string>;
    if (mode === 'full') {
      queued = await repo.queuedIds(trx);
      await load(repo.records(trx, 'all'), cache, loaded, (done) => void progress({ stage: 'reading', done, total: counts.total }));
      pendingIds = loaded.rows.map((r) => r.id);
      frequencies = nameFrequencies(loaded.records);
    } else {
      await load(repo.records(trx, 'pending'), cache, loaded, (done) => void progress({ stage: 'reading', done, total: counts.pending }));
      pendingIds = loaded.rows.map((r) => r.id);
      queued = new Set(pendingIds);
      lap('read.pending');
      if (pendingIds.length === 0) {
        // Queued, but linked as they are already (an export seen again unchanged).
        await repo.clearPending(trx);
        return noOpSummary();
      }
      // The residents the new records may belong to: those sharing a blocking key with them,
      // and those the changed records belonged to; every record of each.
      const hashes = new Set<number>();
      for (const record of loaded.records) for (const h of blockingKeyHashes(record)) hashes.add(h);
      const sharing = await repo.recordsSharingKeys(trx, [...hashes]);
      const residents = new Set<string>(await repo.residentsOf(trx, sharing));
      for (const r of loaded.rows) if (r.residentId !== null) residents.add(r.residentId);
      const context = new Set<string>(await repo.membersOf(trx, [...residents]));
      lap('read.neighbours');
      for (const id of pendingIds) context.delete(id);
      await load(repo.records(trx, { ids: [...context].sort(compareIds) }), cache, loaded);
      lap('read.context');
      const names = new Set<string>();
      const pinyins = new Set<string>();
      for (const r of loaded.records) {
        if (r.nameMatch !== null) names.add(r.nameMatch);
        if (r.formerNameMatch !== null) names.add(r.formerNameMatch);
        if (r.namePinyin !== null) pinyins.add(r.namePinyin);
      }
      // The counts as of the last run, with what the records linked now change.
      const stored = await repo.storedFrequencies(trx, [...names], [...pinyins]);
      frequencyChange = changeOfFrequencies(loaded.rows.slice(0, pendingIds.length), loaded.records.slice(0, pendingIds.length));
      frequencies = withChange(stored, frequencyChange);
    }
    lap('read');

    const runId = await repo.insertRun(trx, { jobId: options.jobId ?? `link-${Date.now()}`, mode, reason });
    await progress({ stage: 'linking', done: 0, total: loaded.rows.length });
    const input: PreparedInput[] = loaded.rows.map((row, i) => ({ key: keyOf(row), record: loaded.records[i] as ComparableRecord }));
    const reuseModel = mode === 'incremental' || (options.keepModel === true && model !== undefined);
    const decisions = await loadDecisions(trx, loaded.rows, mode);
    const keyWriterStart = await keyWriterFrom;
    lap('decisions');
    // A full run has every record's keys from the engine's own blocking pass.
    let fullKeyHashes: number[][] | undefined;
    const onKeyHashes = (hashes: number[][]) => {
      if (keyWriterStart) {
        keyWriter = startKeyWriter(keyWriterStart, loaded.rows.map((r) => r.id), hashes);
      } else fullKeyHashes = hashes;
    };
    const result: LinkResult = linkPrepared(input, { params: reuseModel ? model?.params : undefined, frequencies, explain: true, onKeyHashes: mode === 'full' ? onKeyHashes : undefined, decisions });
    lap('link');

    await progress({ stage: 'writing', done: 0, total: loaded.rows.length });
    const modelId = reuseModel ? (model?.id ?? null) : await repo.insertModel(trx, result.params, counts.total, sources);

    // Stable identity.
    const plan = reconcileClusters({ current: loaded.rows.map((r) => r.residentId), cluster: result.clusters, keys: input.map((x) => x.key) });
    // Their rows are inserted with their golden records.
    const newIds = await repo.reserveResidentIds(trx, plan.newClusters.length);
    const residentOfCluster = plan.residentOfCluster.slice();
    plan.newClusters.forEach((c, k) => {
      residentOfCluster[c] = newIds[k] as string;
    });
    await repo.mergeResidents(trx, plan.merges);
    await eventsRepository.append(writer, plan.merges.map((m) => ({ residentId: m.from, kind: 'merged' as const, relatedResidentId: m.into, runId })));

    const links: LinkWrite[] = loaded.rows.map((row, i) => {
      const link = result.links[i]!;
      const partner = link.partner === undefined ? null : (loaded.rows[link.partner]?.id ?? null);
      return {
        recordId: row.id,
        residentId: residentOfCluster[link.cluster] as string,
        recordVersion: row.version,
        recordPresent: row.present,
        probability: link.probability,
        method: link.method,
        partnerRecordId: partner,
        weight: link.weight ?? null,
        fieldWeights: link.fieldWeights ?? null,
        nameMatch: loaded.records[i]!.nameMatch,
        namePinyin: loaded.records[i]!.namePinyin,
      };
    });
    const subsetIds = loaded.rows.map((r) => r.id);
    await repo.deleteLinks(trx, mode === 'full' ? 'all' : subsetIds);
    await repo.insertLinks(writer, runId, links);
    if (mode === 'full') await repo.analyzeLinks(trx);
    lap('links');

    // Written beside the engine (see key-writer.ts): by now, loaded or nearly.
    if (keyWriter) await keyWriter.loaded;
    else {
      const keys = new Map<string, number[]>();
      loaded.rows.forEach((row, i) => {
        if (mode === 'incremental' && !queued.has(row.id)) return;
        keys.set(row.id, fullKeyHashes?.[i] ?? blockingKeyHashes(loaded.records[i] as ComparableRecord));
      });
      lap('keys.hash');
      await repo.replaceKeys(writer, mode === 'full' ? 'all' : pendingIds, keys);
    }
    // Under the link lock no import can have queued more since the list was read.
    await repo.clearPending(trx);
    lap('keys');
    if (frequencyChange === null) await repo.replaceFrequencies(writer, frequencies);
    else await repo.adjustFrequencies(trx, frequencyChange);
    lap('frequencies');

    const review: ReviewWrite[] = result.review.map((item) => {
      const a = loaded.rows[item.a]!.id;
      const b = loaded.rows[item.b]!.id;
      const [recordA, recordB] = compareIds(a, b) <= 0 ? [a, b] : [b, a];
      return { recordA, recordB, weight: item.weight, probability: item.probability, fieldWeights: item.fieldWeights, levels: { ...item.levels }, reason: item.reason };
    });
    const reviewWritten = await repo.writeReview(trx, runId, review, mode === 'full' ? 'all' : subsetIds);
    lap('review');

    // Every resident of the run with its records, in id order.
    const members = new Map<string, string[]>();
    for (const link of links) {
      const list = members.get(link.residentId);
      if (list) list.push(link.recordId);
      else members.set(link.residentId, [link.recordId]);
    }
    // A golden record depends only on its records: rebuild the residents that gained or lost a
    // record, or hold one that changed; the others would come out as they are.
    const changed = new Set<string>();
    loaded.rows.forEach((row, i) => {
      const now = links[i]!.residentId;
      if (row.residentId !== now || queued.has(row.id)) changed.add(now);
      if (row.residentId !== null && row.residentId !== now) changed.add(row.residentId);
    });
    const touched = [...members.keys()].filter((id) => changed.has(id)).sort(compareIds);
    // The golden stage reads its records again, a chunk at a time: let go of the loaded district
    // first (about a gigabyte on a large one), or every collection during that stage walks it.
    const compared = loaded.rows.length;
    const { timings: engineTimings, ...engine } = result.stats;
    loaded.rows.length = 0;
    loaded.records.length = 0;
    input.length = 0;
    links.length = 0;
    result.clusters.length = 0;
    result.links.length = 0;
    fullKeyHashes = undefined;
    for (const memo of Object.values(cache)) memo.clear();
    // V8 sizes its next collection by what survived the last one, taken with the district
    // still loaded: collect now, or the golden stage's garbage grows on top of that.
    if (compared >= 50_000) collectGarbage();
    const golden = await refreshGolden(writer, runId, new Map(touched.map((id) => [id, members.get(id)!])), {
      allResidents: mode === 'full',
      newResidents: new Set(newIds),
      onProgress: (done, total) => void progress({ stage: 'golden', done, total }),
    });
    lap('golden');
    for (const [step, seconds] of Object.entries(golden.timings)) timings[`golden.${step}`] = seconds;
    if (mode === 'full') await repo.analyzeResidents(trx);
    lap('analyze');

    for (const [stage, seconds] of Object.entries(engineTimings)) timings[`engine.${stage}`] = seconds;
    const summary: LinkRunSummary = {
      noOp: false,
      runId,
      mode,
      reason,
      modelId,
      recordsPending: pendingIds.length,
      recordsCompared: compared,
      residentsCreated: newIds.length,
      residentsMerged: plan.merges.length,
      residentsTouched: touched.length,
      reviewOpened: reviewWritten.opened,
      reviewObsoleted: reviewWritten.obsoleted,
      golden,
      engine,
      timings,
    };
    await repo.finishRun(trx, runId, { modelId, pending: pendingIds.length, compared, stats: summary });
    await progress({ stage: 'done', done: compared, total: compared });
    // The keys commit first: see key-writer.ts.
    await keyWriter?.commit();
    return summary;
  }

  function noOpSummary(): LinkRunSummary {
    return {
      noOp: true,
      runId: null,
      mode: null,
      reason: 'nothing_pending',
      modelId: null,
      recordsPending: 0,
      recordsCompared: 0,
      residentsCreated: 0,
      residentsMerged: 0,
      residentsTouched: 0,
      reviewOpened: 0,
      reviewObsoleted: 0,
      golden: null,
      engine: null,
      timings,
    };
  }
}

/** The auditors' decisions among the loaded records, as the engine's input indices. */
async function loadDecisions(trx: Executor, rows: readonly LinkableRecord[], mode: LinkMode): Promise<PairDecisions> {
  const index = new Map<string, number>();
  rows.forEach((r, i) => index.set(r.id, i));
  const mustLink: [number, number][] = [];
  const cannotLink: [number, number][] = [];
  for (const d of await repo.activeDecisions(trx, mode === 'full' ? 'all' : rows.map((r) => r.id))) {
    const a = index.get(d.recordA);
    const b = index.get(d.recordB);
    if (a !== undefined && b !== undefined) (d.decision === 'match' ? mustLink : cannotLink).push([a, b]);
  }
  return { mustLink, cannotLink };
}

/** What linking these records changes in the name counts: each takes back the name it was counted under (if it was linked before) and counts the one it bears now. */
export interface FrequencyChange {
  records: number;
  byName: Map<string, number>;
  byPinyin: Map<string, number>;
}

function changeOfFrequencies(rows: readonly LinkableRecord[], records: readonly ComparableRecord[]): FrequencyChange {
  const change: FrequencyChange = { records: 0, byName: new Map(), byPinyin: new Map() };
  const add = (map: Map<string, number>, value: string | null, delta: number) => {
    if (value !== null) map.set(value, (map.get(value) ?? 0) + delta);
  };
  rows.forEach((row, i) => {
    if (row.residentId === null) change.records++;
    else {
      add(change.byName, row.linkedName, -1);
      add(change.byPinyin, row.linkedPinyin, -1);
    }
    add(change.byName, records[i]!.nameMatch, 1);
    add(change.byPinyin, records[i]!.namePinyin, 1);
  });
  return change;
}

function withChange(stored: NameFrequencies, change: FrequencyChange): NameFrequencies {
  const byName = new Map(stored.byName);
  const byPinyin = new Map(stored.byPinyin);
  for (const [value, delta] of change.byName) byName.set(value, (byName.get(value) ?? 0) + delta);
  for (const [value, delta] of change.byPinyin) byPinyin.set(value, (byPinyin.get(value) ?? 0) + delta);
  return { records: stored.records + change.records, byName, byPinyin };
}
