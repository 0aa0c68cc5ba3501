/**
 * The review queue as a role sees it: each item with the per-field weights that put it there,
 * and both source records redacted for the role when the response is built.
 */
import type { SourceName } from '../../adapters/types.js';
import { redactRecord } from '../access/field-policy.js';
import type { Role } from '../access/roles.js';
import type { Executor } from '../db/schema.js';
import { AppError, ErrorCodes } from '../errors.js';
import type { StoredAction } from './decisions.repository.js';
import { reviewRepository, type ReviewStatus, type StoredReviewItem, type StoredReviewSide } from './review.repository.js';

/** A side as a role may see it: the same shape, its data redacted. */
export type ReviewSideView = StoredReviewSide;

/** A stored item as a role may see it: the sides redacted, the decider named without the key. */
export interface ReviewItemView extends Omit<StoredReviewItem, 'a' | 'b' | 'decision'> {
  a: ReviewSideView;
  b: ReviewSideView;
  decision: { id: string; decision: 'match' | 'non_match'; reason: string | null; decidedAt: string; decidedBy: { name: string; role: string }; revokedAt: string | null } | null;
}

function sideView(role: Role, side: StoredReviewSide): ReviewSideView {
  return { ...side, data: redactRecord(role, side.data, side.source as SourceName) };
}

/** An item as `role` may see it. Pure. */
export function reviewItemView(role: Role, item: StoredReviewItem): ReviewItemView {
  const { decision, a, b, ...rest } = item;
  return {
    ...rest,
    a: sideView(role, a),
    b: sideView(role, b),
    decision: decision === null ? null : { id: decision.id, decision: decision.decision, reason: decision.reason, decidedAt: decision.decidedAt, decidedBy: { name: decision.by.name, role: decision.by.role }, revokedAt: decision.revokedAt },
  };
}

/** The page cursor: the last item's weight and id, opaque to clients. */
export function encodeCursor(weight: number, id: string): string {
  return Buffer.from(JSON.stringify([weight, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { weight: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && Number.isFinite(value[0]) && typeof value[1] === 'string' && /^[1-9]\d{0,17}$/.test(value[1])) {
      return { weight: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new AppError(ErrorCodes.VALIDATION, 'cursor: not a cursor this API gave (take `next` from the previous page)');
}

export async function listReviewItems(db: Executor, role: Role, query: { status: ReviewStatus; limit: number; cursor?: string }): Promise<{ items: ReviewItemView[]; next: string | null }> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rows = await reviewRepository.list(db, { status: query.status, limit: query.limit + 1, after });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { items: page.map((item) => reviewItemView(role, item)), next: rows.length > query.limit && last ? encodeCursor(last.weight, last.id) : null };
}

export async function getReviewItem(db: Executor, role: Role, id: string): Promise<ReviewItemView> {
  const item = await reviewRepository.get(db, id);
  if (!item) throw new AppError(ErrorCodes.NOT_FOUND, `no review item ${id}`);
  return reviewItemView(role, item);
}

export interface ActionView {
  id: string;
  kind: string;
  residentIds: string[];
  /** The resident a split created. */
  newResidentId: string | null;
  reason: string | null;
  actor: { name: string; role: string };
  createdAt: string;
  undoneAt: string | null;
  undoneBy: { name: string; role: string } | null;
}

/** An action without its snapshot (which holds residents' personal data). Pure. */
export function actionView(action: StoredAction): ActionView {
  return {
    id: action.id,
    kind: action.kind,
    residentIds: action.residentIds,
    newResidentId: action.snapshot.newResidentId ?? null,
    reason: action.reason,
    actor: { name: action.actor.name, role: action.actor.role },
    createdAt: action.createdAt,
    undoneAt: action.undoneAt,
    undoneBy: action.undoneBy === null ? null : { name: action.undoneBy.name, role: action.undoneBy.role },
  };
}
