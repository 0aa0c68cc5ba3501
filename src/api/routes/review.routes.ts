import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Caller } from '../../access/keys.service.js';
import type { Action } from '../../access/roles.js';
import { decideReview } from '../../decisions/decisions.service.js';
import { getReviewItem, listReviewItems } from '../../decisions/review.service.js';
import { isAppError } from '../../errors.js';
import { commonErrors, IdParam, Limit, Page } from '../schemas.js';
import { auditCaller, type ApiServices } from '../services.js';

const ReviewStatus = Type.Union([Type.Literal('open'), Type.Literal('match'), Type.Literal('non_match'), Type.Literal('obsolete')]);

const Side = Type.Object({
  recordId: Type.String(),
  source: Type.String(),
  fileName: Type.String(),
  rowNumber: Type.Integer({ description: '1-based, as Excel shows it' }),
  data: Type.Record(Type.String(), Type.Unknown(), { description: "The record's normalised data, redacted for the caller's role (removed fields absent)" }),
  residentId: Type.Union([Type.String(), Type.Null()], { description: 'The resident the record belongs to now (merged ones followed); null when not linked yet' }),
});

export const ReviewItem = Type.Object({
  id: Type.String(),
  status: ReviewStatus,
  weight: Type.Number({ description: 'Total match weight (bits)' }),
  probability: Type.Number(),
  reason: Type.String({ description: 'between_thresholds, or the constraint that refused a merge the weight asked for' }),
  levels: Type.Record(Type.String(), Type.String(), { description: 'Comparison level per field' }),
  fieldWeights: Type.Record(Type.String(), Type.Number(), { description: 'Weight per field (bits)' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  a: Side,
  b: Side,
  decision: Type.Union([
    Type.Object({
      id: Type.String(),
      decision: Type.Union([Type.Literal('match'), Type.Literal('non_match')]),
      reason: Type.Union([Type.String(), Type.Null()]),
      decidedAt: Type.String(),
      decidedBy: Type.Object({ name: Type.String(), role: Type.String() }),
      revokedAt: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
});

const ItemParams = Type.Object({ id: IdParam });

/**
 * Runs a write and, when it is refused (not found, conflict), audits the refusal: the write's
 * own audit row rolled back with it.
 */
export async function auditRefusal<T>(services: ApiServices, caller: Caller, action: Action | string, target: { type: string; id: string }, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isAppError(err)) await auditCaller(services, caller, { action, target, outcome: 'error', details: { code: err.code } });
    throw err;
  }
}

/** The auditors' review queue: uncertain pairs with both sides, and the decision on each. */
export const reviewRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1, { services }) => {
  v1.get(
    '/review',
    {
      config: { action: 'review:read' },
      schema: {
        tags: ['review'],
        summary: 'Review items of one status (open by default), strongest first, with both source records and the per-field weights',
        querystring: Type.Object({
          status: Type.Optional(ReviewStatus),
          limit: Type.Optional(Limit),
          cursor: Type.Optional(Type.String({ description: '`next` of the previous page' })),
        }),
        response: { 200: Page(ReviewItem, 'A page of review items; `next` is the cursor of the next page'), ...commonErrors },
      },
    },
    async (request) => {
      const status = request.query.status ?? 'open';
      const page = await listReviewItems(services.ctx.db, request.caller.role, { status, limit: request.query.limit ?? 20, cursor: request.query.cursor });
      await auditCaller(services, request.caller, {
        action: 'review:read',
        target: { type: 'review_item', id: null },
        outcome: 'success',
        details: { status, ids: page.items.map((i) => i.id), recordIds: page.items.flatMap((i) => [i.a.recordId, i.b.recordId]) },
      });
      return page;
    },
  );

  v1.get(
    '/review/:id',
    {
      config: { action: 'review:read' },
      schema: { tags: ['review'], summary: 'One review item', params: ItemParams, response: { 200: ReviewItem, 404: Type.Ref('ErrorResponse'), ...commonErrors } },
    },
    async (request) => {
      const item = await getReviewItem(services.ctx.db, request.caller.role, request.params.id);
      await auditCaller(services, request.caller, {
        action: 'review:read',
        target: { type: 'review_item', id: item.id },
        outcome: 'success',
        details: { recordIds: [item.a.recordId, item.b.recordId] },
      });
      return item;
    },
  );

  v1.post(
    '/review/:id/decision',
    {
      config: { action: 'review:decide' },
      schema: {
        tags: ['review'],
        summary: 'Decide a review item: match (their residents are merged, undoably) or non_match (remembered: the pair is never linked again; split out when in one resident)',
        params: ItemParams,
        body: Type.Object(
          {
            decision: Type.Union([Type.Literal('match'), Type.Literal('non_match')]),
            reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            item: ReviewItem,
            residentIds: Type.Array(Type.String(), { description: 'The residents the decision touched' }),
            actionId: Type.Union([Type.String(), Type.Null()], { description: 'The merge or split it made (undo with POST /v1/actions/{id}/undo)' }),
          }),
          404: Type.Ref('ErrorResponse'),
          409: Type.Ref('ErrorResponse'),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const outcome = await auditRefusal(services, request.caller, 'review:decide', { type: 'review_item', id }, () =>
        decideReview(services.ctx.store, request.caller, { itemId: id, decision: request.body.decision, reason: request.body.reason }),
      );
      const item = await getReviewItem(services.ctx.db, request.caller.role, id);
      return { item, residentIds: outcome.residentIds, actionId: outcome.action?.id ?? null };
    },
  );
};
