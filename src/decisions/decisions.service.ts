/**
 * Auditors' decisions on residents: merge two, split one, decide a review item, undo an action.
 * Each runs in one transaction under the linker's lock (so it never interleaves with a link
 * run), keeps golden records, findings and the changes feed in step, records the pair decisions
 * every later link run honours, and is audited in the same transaction.
 */
import type { Kysely } from 'kysely';
import { actorOf, type Caller } from '../access/keys.service.js';
import { auditInTransaction } from '../audit/audit.service.js';
import { eventsRepository } from '../changes/events.repository.js';
import type { BulkWriter } from '../db/bulk.js';
import type { DatabaseHandle } from '../db/database.js';
import type { AuditActorColumn, Database } from '../db/schema.js';
import { AppError, ErrorCodes } from '../errors.js';
import { refreshGolden } from '../golden/golden.service.js';
import { linkRepository } from '../linkage/link.repository.js';
import { compareIds } from '../linkage/reconcile.js';
import { decisionsRepository as repo, type ActionSnapshot, type NewPairDecision, type StoredAction } from './decisions.repository.js';
import { explainLinksAfter, orderedPair, planMerge, planSplit, undoBlocker, type ActiveDecision, type Pair, type PairDecisionKind, type ResidentMark } from './plan.js';
import { reviewRepository, type ReviewStatus } from './review.repository.js';

export type ActionKind = 'merge' | 'split' | 'review_match';

/** What an action changed: the action (null when a decision needed none) and the residents it touched. */
export interface DecisionOutcome {
  action: StoredAction | null;
  residentIds: string[];
}

interface Tx {
  trx: Kysely<Database>;
  writer: BulkWriter;
  actor: AuditActorColumn;
}

/** A review decision that led to a merge or split: the item goes back to `previousStatus` on undo. */
interface FromReview {
  itemId: string;
  pair: Pair;
  previousStatus: ReviewStatus;
}

function conflict(message: string): AppError {
  return new AppError(ErrorCodes.CONFLICT, message);
}

function notFound(message: string): AppError {
  return new AppError(ErrorCodes.NOT_FOUND, message);
}

async function inTransaction<T>(store: DatabaseHandle, caller: Caller, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return store.transactionWithClient(async (trx, copyClient) => {
    await repo.lockLinks(trx);
    return fn({ trx, writer: { db: trx, copyClient }, actor: actorOf(caller) });
  });
}

function blockingMessage(d: ActiveDecision, what: string): string {
  return `${what}: an auditor decided that records ${d.recordA} and ${d.recordB} are two different persons (pair decision ${d.id}); undo the action that decided it first`;
}

async function marks(tx: Tx, ids: readonly string[]): Promise<Record<string, ResidentMark>> {
  const now = await repo.residents(tx.trx, ids);
  const out: Record<string, ResidentMark> = {};
  for (const id of ids) {
    const r = now.get(id);
    if (r) out[id] = { version: r.version, mergedInto: r.mergedInto, goldenHash: r.goldenHash };
  }
  return out;
}

/** Rewrites the explanation columns of these residents' links after their records moved. */
async function explainAfter(tx: Tx, residentIds: readonly string[], matches: readonly Pair[]): Promise<void> {
  const links = await repo.linkExplanations(tx.trx, residentIds);
  await repo.writeExplanations(tx.trx, explainLinksAfter(links, matches));
}

function decisionRows(pairs: readonly Pair[], decision: PairDecisionKind, origin: NewPairDecision['origin'], tx: Tx, actionId: string | null, reason: string | null, review?: FromReview): NewPairDecision[] {
  return pairs.map((pair) => {
    const reviewed = review !== undefined && pair[0] === review.pair[0] && pair[1] === review.pair[1];
    return { pair, decision, origin: reviewed ? 'review' : origin, actionId, reviewItemId: reviewed ? review.itemId : null, reason, actor: tx.actor };
  });
}

// ------------------------------------------------------------------------------------- merge

async function mergeIn(tx: Tx, input: { survivorId: string; otherId: string; reason: string | null; kind: ActionKind; review?: FromReview }): Promise<StoredAction> {
  const { survivorId: s, otherId: o } = input;
  if (s === o) throw conflict(`resident ${s} cannot be merged into itself`);
  const residents = await repo.residents(tx.trx, [s, o]);
  for (const id of [s, o]) if (!residents.has(id)) throw notFound(`no resident ${id}`);
  const survivor = residents.get(s)!;
  const other = residents.get(o)!;
  if (survivor.mergedInto !== null) throw conflict(`resident ${s} was merged into resident ${survivor.mergedInto}: merge into ${survivor.mergedInto} instead`);
  if (other.mergedInto !== null) throw conflict(`resident ${o} was merged into resident ${other.mergedInto} already`);
  const members = await repo.members(tx.trx, [s, o]);
  const survivorRecords = members.get(s)!;
  const otherRecords = members.get(o)!;
  if (!survivorRecords.length || !otherRecords.length) throw conflict(`resident ${survivorRecords.length ? o : s} holds no source record`);
  const all = [...survivorRecords, ...otherRecords].sort(compareIds);

  const active = await repo.activeDecisions(tx.trx, all);
  const plan = planMerge({ records: all, active, required: input.review?.pair });
  if (plan.blocking.length) throw conflict(blockingMessage(plan.blocking[0]!, `residents ${s} and ${o} cannot be merged`));

  // What the action replaces, before anything changes.
  const openReview = (await reviewRepository.openAmong(tx.trx, all)).filter((item) => item.id !== input.review?.itemId);
  const snapshot: ActionSnapshot = {
    residents: await repo.residentRows(tx.trx, [s, o], [o]),
    links: await repo.linkRows(tx.trx, [s, o]),
    openIssues: await repo.openIssues(tx.trx, [s, o]),
    versions: { [s]: survivor.version, [o]: other.version },
    reviewItems: [...openReview, ...(input.review ? [{ id: input.review.itemId, status: input.review.previousStatus }] : [])],
    decisions: { created: [], revoked: [] },
    after: {},
  };

  const actionId = await repo.insertAction(tx.trx, { kind: input.kind, residentIds: [s, o], reason: input.reason, actor: tx.actor });
  snapshot.decisions.created = await repo.insertDecisions(tx.trx, decisionRows(plan.add, 'match', 'merge', tx, actionId, input.reason, input.review));

  await repo.moveLinks(tx.trx, otherRecords, s);
  const matches = [...active.filter((d) => d.decision === 'match').map((d) => orderedPair(d.recordA, d.recordB)), ...plan.add];
  await explainAfter(tx, [s], matches);
  // As a link run merges: the other redirects to the survivor (and so does whatever redirected to it), its findings are obsolete.
  await linkRepository.mergeResidents(tx.trx, [{ from: o, into: s }]);
  // The pairs between the two are answered.
  await reviewRepository.setStatuses(tx.trx, [...openReview.map((i) => ({ id: i.id, status: 'obsolete' })), ...(input.review ? [{ id: input.review.itemId, status: 'match' }] : [])]);

  await refreshGolden(tx.writer, null, new Map([[s, all]]), { allResidents: false, events: { actionId } });
  await eventsRepository.append(tx.writer, [{ residentId: o, kind: 'merged', relatedResidentId: s, actionId }]);

  snapshot.after = await marks(tx, [s, o]);
  await repo.saveAction(tx.trx, actionId, [s, o], snapshot);
  return (await repo.action(tx.trx, actionId))!;
}

// ------------------------------------------------------------------------------------- split

async function splitIn(tx: Tx, input: { residentId: string; recordIds: readonly string[]; reason: string | null; review?: FromReview }): Promise<StoredAction> {
  const r = input.residentId;
  const resident = (await repo.residents(tx.trx, [r])).get(r);
  if (!resident) throw notFound(`no resident ${r}`);
  if (resident.mergedInto !== null) throw conflict(`resident ${r} was merged into resident ${resident.mergedInto}: split ${resident.mergedInto} instead`);
  const members = (await repo.members(tx.trx, [r])).get(r)!;
  const inside = new Set(members);
  const moved = [...new Set(input.recordIds)].sort(compareIds);
  const outside = moved.filter((id) => !inside.has(id));
  if (outside.length) throw conflict(`record${outside.length > 1 ? 's' : ''} ${outside.join(', ')} ${outside.length > 1 ? 'do' : 'does'} not belong to resident ${r}`);
  if (moved.length === 0) throw new AppError(ErrorCodes.VALIDATION, 'choose at least one record to move out');
  if (moved.length === members.length) throw conflict(`a split must leave at least one record with resident ${r}: all ${members.length} were chosen`);
  const movedSet = new Set(moved);
  const remaining = members.filter((id) => !movedSet.has(id));

  const active = await repo.activeDecisions(tx.trx, members);
  const plan = planSplit({ moved, remaining, active });
  if (plan.blocking.length) throw conflict(blockingMessage(plan.blocking[0]!, `records ${moved.join(', ')} cannot be moved into one resident`));

  const snapshot: ActionSnapshot = {
    residents: await repo.residentRows(tx.trx, [r]),
    links: await repo.linkRows(tx.trx, [r]),
    openIssues: await repo.openIssues(tx.trx, [r]),
    versions: { [r]: resident.version },
    reviewItems: input.review ? [{ id: input.review.itemId, status: input.review.previousStatus }] : [],
    decisions: { created: [], revoked: plan.revoke },
    after: {},
  };
  const actionId = await repo.insertAction(tx.trx, { kind: 'split', residentIds: [r], reason: input.reason, actor: tx.actor });
  const newId = await repo.createResident(tx.trx);
  snapshot.newResidentId = newId;

  await repo.revokeDecisions(tx.trx, plan.revoke);
  snapshot.decisions.created = await repo.insertDecisions(tx.trx, [
    ...decisionRows(plan.nonMatch, 'non_match', 'split', tx, actionId, input.reason, input.review),
    ...decisionRows(plan.match, 'match', 'split', tx, actionId, input.reason),
  ]);

  await repo.moveLinks(tx.trx, moved, newId);
  const revoked = new Set(plan.revoke);
  const matches = [...active.filter((d) => d.decision === 'match' && !revoked.has(d.id)).map((d) => orderedPair(d.recordA, d.recordB)), ...plan.match];
  await explainAfter(tx, [r, newId], matches);
  if (input.review) await reviewRepository.setStatuses(tx.trx, [{ id: input.review.itemId, status: 'non_match' }]);

  await refreshGolden(
    tx.writer,
    null,
    new Map([
      [r, remaining],
      [newId, moved],
    ]),
    { allResidents: false, events: { actionId } },
  );
  await eventsRepository.append(tx.writer, [
    { residentId: r, kind: 'split', relatedResidentId: newId, actionId },
    { residentId: newId, kind: 'split', relatedResidentId: r, actionId },
  ]);

  snapshot.after = await marks(tx, [r, newId]);
  await repo.saveAction(tx.trx, actionId, [r, newId], snapshot);
  return (await repo.action(tx.trx, actionId))!;
}

// ------------------------------------------------------------------------------------- public

function auditEvent(tx: Tx, action: string, target: { type: string; id: string }, details: Record<string, unknown>) {
  return { actor: tx.actor, action, target, outcome: 'success' as const, details };
}

/** `residentId` survives; `otherId`'s records move to it and `otherId` redirects to it. */
export async function mergeResidents(store: DatabaseHandle, caller: Caller, input: { residentId: string; otherResidentId: string; reason: string }): Promise<DecisionOutcome> {
  return inTransaction(store, caller, async (tx) => {
    const action = await mergeIn(tx, { survivorId: input.residentId, otherId: input.otherResidentId, reason: input.reason, kind: 'merge' });
    await auditInTransaction(tx.trx, [
      auditEvent(tx, 'residents:merge', { type: 'resident', id: input.residentId }, { actionId: action.id, mergedResidentId: input.otherResidentId, decisions: action.snapshot.decisions.created.length }),
    ]);
    return { action, residentIds: action.residentIds };
  });
}

/** The chosen records of `residentId` move to a new resident. */
export async function splitResident(store: DatabaseHandle, caller: Caller, input: { residentId: string; recordIds: readonly string[]; reason: string }): Promise<DecisionOutcome> {
  return inTransaction(store, caller, async (tx) => {
    const action = await splitIn(tx, { residentId: input.residentId, recordIds: input.recordIds, reason: input.reason });
    await auditInTransaction(tx.trx, [
      auditEvent(tx, 'residents:split', { type: 'resident', id: input.residentId }, { actionId: action.id, newResidentId: action.snapshot.newResidentId, recordIds: [...input.recordIds] }),
    ]);
    return { action, residentIds: action.residentIds };
  });
}

/** The right an undo of an action of this kind needs: the one the action itself needed. */
export function undoRightOf(kind: string): 'residents:merge' | 'residents:split' | 'review:decide' {
  return kind === 'split' ? 'residents:split' : kind === 'review_match' ? 'review:decide' : 'residents:merge';
}

export async function findAction(db: Kysely<Database>, id: string): Promise<StoredAction> {
  const action = await repo.action(db, id);
  if (!action) throw notFound(`no action ${id}`);
  return action;
}

export function listActions(db: Kysely<Database>, query: { residentId?: string; beforeId?: string; limit: number }): Promise<StoredAction[]> {
  return repo.listActions(db, query);
}

/**
 * Restores what the action changed: residents (redirects; a new version whose golden record is
 * the one before), every link row as it was, the pair decisions (its own revoked, those it
 * revoked standing again), review items' statuses, findings. Refused when undone already or
 * when the residents changed since.
 */
export async function undoAction(store: DatabaseHandle, caller: Caller, input: { actionId: string; reason?: string }): Promise<DecisionOutcome> {
  return inTransaction(store, caller, async (tx) => {
    const action = await repo.action(tx.trx, input.actionId);
    if (!action) throw notFound(`no action ${input.actionId}`);
    const snapshot = action.snapshot;
    const now = await repo.residents(tx.trx, Object.keys(snapshot.after));
    const later = await repo.laterActions(tx.trx, action.id, action.residentIds);
    const blocker = undoBlocker({ actionId: action.id, undoneAt: action.undoneAt, after: snapshot.after, now, later });
    if (blocker) throw conflict(blocker);

    await repo.revokeDecisions(tx.trx, snapshot.decisions.created);
    await repo.reinstateDecisions(tx.trx, snapshot.decisions.revoked);
    await repo.restoreLinks(tx.trx, snapshot.links);
    await repo.setMergedInto(
      tx.trx,
      snapshot.residents.map((row) => ({ id: String(row.id), mergedInto: row.merged_into === null || row.merged_into === undefined ? null : String(row.merged_into) })),
    );
    // The resident a split created holds nothing now: it redirects to the one its records came back to.
    const restored = snapshot.residents.filter((row) => row.merged_into === null).map((row) => String(row.id));
    if (snapshot.newResidentId) await linkRepository.mergeResidents(tx.trx, [{ from: snapshot.newResidentId, into: restored[0]! }]);
    await reviewRepository.setStatuses(tx.trx, snapshot.reviewItems);

    const members = new Map<string, string[]>(restored.map((id) => [id, []]));
    for (const link of snapshot.links) members.get(String(link.resident_id))?.push(String(link.source_record_id));
    // The versions that bring the golden records back are the feed's 'restored' events; a
    // resident whose golden record did not change (the one a merge redirected) gets one too.
    const versionsBefore = new Map((await repo.residentRows(tx.trx, restored)).map((row) => [String(row.id), Number(row.version)]));
    await refreshGolden(tx.writer, null, members, { allResidents: false, events: { actionId: action.id, laterKind: 'restored' } });
    await repo.reopenIssues(tx.trx, snapshot.openIssues);

    // The golden records come back exactly, or the undo does not happen.
    const before = new Map(snapshot.residents.map((row) => [String(row.id), row.golden_hash ?? null]));
    const after = await repo.residentRows(tx.trx, restored);
    for (const row of after) {
      if ((row.golden_hash ?? null) !== before.get(String(row.id))) {
        throw conflict(`the source records of resident ${String(row.id)} have changed since action ${action.id} (re-imported and not linked yet): undoing would not restore its golden record`);
      }
    }

    const unchanged = after.filter((row) => versionsBefore.get(String(row.id)) === Number(row.version));
    await eventsRepository.append(tx.writer, [
      ...unchanged.map((row) => ({ residentId: String(row.id), kind: 'restored' as const, version: Number(row.version), actionId: action.id })),
      ...(snapshot.newResidentId ? [{ residentId: snapshot.newResidentId, kind: 'merged' as const, relatedResidentId: restored[0]!, actionId: action.id }] : []),
    ]);
    await repo.markUndone(tx.trx, action.id, tx.actor);
    await auditInTransaction(tx.trx, [
      auditEvent(tx, `${undoRightOf(action.kind)}:undo`, { type: 'auditor_action', id: action.id }, { kind: action.kind, residentIds: action.residentIds }),
    ]);
    return { action: (await repo.action(tx.trx, action.id))!, residentIds: action.residentIds };
  });
}

/**
 * An auditor's answer to a review item. match: the pair's residents become one (an undoable
 * merge) when they are two; non_match: when the two records are in one resident, the item's
 * second record is split out of it (an undoable split). Either way the pair decision stands
 * for every later link run.
 */
export async function decideReview(
  store: DatabaseHandle,
  caller: Caller,
  input: { itemId: string; decision: PairDecisionKind; reason?: string },
): Promise<DecisionOutcome & { itemId: string }> {
  return inTransaction(store, caller, async (tx) => {
    const item = await reviewRepository.lockItem(tx.trx, input.itemId);
    if (!item) throw notFound(`no review item ${input.itemId}`);
    if (item.status === 'match' || item.status === 'non_match') throw conflict(`review item ${item.id} was decided already (${item.status})`);
    const pair = orderedPair(item.recordA, item.recordB);
    const review: FromReview = { itemId: item.id, pair, previousStatus: item.status };
    const reason = input.reason ?? null;

    const known = (await repo.activeDecisions(tx.trx, pair)).find((d) => d.recordA === pair[0] && d.recordB === pair[1]);
    if (known && known.decision !== input.decision) {
      throw conflict(`records ${pair[0]} and ${pair[1]} were decided ${known.decision} already (pair decision ${known.id}); undo the action that decided it first`);
    }
    const residentOf = await repo.residentOfRecords(tx.trx, pair);
    const [ra, rb] = [residentOf.get(pair[0]), residentOf.get(pair[1])];
    let action: StoredAction | null = null;
    let residentIds = [...new Set([ra, rb].filter((r) => r !== undefined))];

    if (input.decision === 'match' && ra !== undefined && rb !== undefined && ra !== rb) {
      // The resident holding more records survives (ties: the older), as a link run decides.
      const members = await repo.members(tx.trx, [ra, rb]);
      const [survivorId, otherId] = members.get(ra)!.length > members.get(rb)!.length || (members.get(ra)!.length === members.get(rb)!.length && compareIds(ra, rb) < 0) ? [ra, rb] : [rb, ra];
      action = await mergeIn(tx, { survivorId, otherId, reason, kind: 'review_match', review });
      residentIds = action.residentIds;
    } else if (input.decision === 'non_match' && ra !== undefined && ra === rb) {
      action = await splitIn(tx, { residentId: ra, recordIds: [pair[1]], reason, review });
      residentIds = action.residentIds;
    } else {
      if (!known) await repo.insertDecisions(tx.trx, decisionRows([pair], input.decision, 'review', tx, null, reason, review));
      await reviewRepository.setStatuses(tx.trx, [{ id: item.id, status: input.decision }]);
    }

    await auditInTransaction(tx.trx, [
      auditEvent(tx, 'review:decide', { type: 'review_item', id: item.id }, { decision: input.decision, recordIds: [...pair], residentIds, actionId: action?.id ?? null }),
    ]);
    return { itemId: item.id, action, residentIds };
  });
}
