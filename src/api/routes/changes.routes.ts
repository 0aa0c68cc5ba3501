import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { readChanges } from '../../changes/feed.service.js';
import { CURSOR_PATTERN, FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT } from '../../changes/feed.js';
import { commonErrors } from '../schemas.js';
import { auditCaller, type ApiServices } from '../services.js';

const Cursor = Type.String({ pattern: CURSOR_PATTERN, description: 'the cursor of the last event seen (0: from the beginning)' });

const FeedEvent = Type.Object({
  cursor: Type.String({ description: 'pass as `since` to read the events after this one' }),
  residentId: Type.String(),
  kind: Type.Union(['created', 'updated', 'merged', 'split', 'restored'].map((k) => Type.Literal(k)), {
    description: 'created / updated: a new version of the golden record; merged: merged into relatedResidentId; split: records moved to (or came from) relatedResidentId',
  }),
  version: Type.Union([Type.Integer(), Type.Null()]),
  relatedResidentId: Type.Union([Type.String(), Type.Null()]),
  changedFields: Type.Array(Type.String(), { description: 'the golden fields the version changed (names only; those the role may not see left out)' }),
  at: Type.String({ description: 'ISO instant' }),
  golden: Type.Optional(
    Type.Union([Type.Object({}, { additionalProperties: true, description: 'the golden record as of this version, redacted for the role' }), Type.Null()]),
  ),
});

const FeedPage = Type.Object({
  events: Type.Array(FeedEvent),
  next: Type.Union([Cursor, Type.Null()], { description: 'the cursor to ask from next time (null: the feed is empty)' }),
  hasMore: Type.Boolean({ description: 'the page was full: ask again at once' }),
});

export const changesRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1, { services }) => {
  v1.get(
    '/changes',
    {
      config: { action: 'changes:read' },
      schema: {
        tags: ['changes'],
        summary: 'Resident events (created, updated, merged, split) in order, after a cursor',
        description:
          'Keep a department system in step: store `next`, and ask with `since=<next>` later. With `include=golden` every event carries the golden record as of its version, redacted for the role (such reads are audited).',
        querystring: Type.Object(
          {
            since: Type.Optional(Cursor),
            limit: Type.Integer({ minimum: 1, maximum: FEED_MAX_LIMIT, default: FEED_DEFAULT_LIMIT }),
            include: Type.Optional(Type.Literal('golden')),
          },
          { additionalProperties: false },
        ),
        response: { 200: FeedPage, ...commonErrors },
      },
    },
    async (request) => {
      const { since, limit, include } = request.query;
      const includeGolden = include === 'golden';
      const page = await readChanges(services.ctx.db, request.caller.role, { since, limit, includeGolden });
      if (includeGolden) {
        await auditCaller(services, request.caller, {
          action: 'changes:read',
          target: { type: 'resident_event', id: null },
          outcome: 'success',
          details: { since: since ?? null, next: page.next, events: page.events.length, residentIds: [...new Set(page.events.map((e) => e.residentId))] },
        });
      }
      return page;
    },
  );
};
