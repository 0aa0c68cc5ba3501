import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listAudit } from '../../audit/audit.service.js';
import { AppError, ErrorCodes } from '../../errors.js';
import { commonErrors } from '../schemas.js';
import { auditCaller, type ApiServices } from '../services.js';

const Entry = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.Object({ keyId: Type.Union([Type.String(), Type.Null()]), name: Type.String(), role: Type.String() }),
  action: Type.String(),
  target: Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  outcome: Type.String({ description: 'success | denied | error' }),
  details: Type.Object({}, { additionalProperties: true }),
  prevHash: Type.String(),
  hash: Type.String(),
});

/** An ISO instant in the form the trail stores ('…T…Z'), so that text comparison orders it. */
function instant(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new AppError(ErrorCodes.VALIDATION, `${name} must be an ISO instant such as 2026-11-26T08:00:00Z, got "${text}"`);
  return new Date(ms).toISOString();
}

export const auditRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1, { services }) => {
  v1.get(
    '/audit',
    {
      config: { action: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit trail: who did what, when, with which outcome (hash-chained)',
        querystring: Type.Object(
          {
            action: Type.Optional(Type.String({ maxLength: 100 })),
            actor_key_id: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,17}$' })),
            target_type: Type.Optional(Type.String({ maxLength: 100 })),
            target_id: Type.Optional(Type.String({ maxLength: 200 })),
            outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('error')])),
            from: Type.Optional(Type.String({ description: 'ISO instant, inclusive' })),
            to: Type.Optional(Type.String({ description: 'ISO instant, inclusive' })),
            after: Type.Optional(Type.Integer({ minimum: 0, description: 'the seq of the last entry seen (oldest first)' })),
            before: Type.Optional(Type.Integer({ minimum: 1, description: 'the seq of the last entry seen (newest first)' })),
            order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc', description: 'asc: oldest first (page with `after`); desc: newest first (page with `before`)' }),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Entry), next: Type.Union([Type.Integer(), Type.Null()]) }), ...commonErrors },
      },
    },
    async (request) => {
      const q = request.query;
      const query = {
        action: q.action,
        actorKeyId: q.actor_key_id,
        targetType: q.target_type,
        targetId: q.target_id,
        outcome: q.outcome,
        from: instant('from', q.from),
        to: instant('to', q.to),
        afterSeq: q.after,
        beforeSeq: q.before,
        order: q.order,
        limit: q.limit,
      };
      const entries = await listAudit(services.ctx.db, query);
      const items = entries.map((e) => ({ ...e, at: e.at instanceof Date ? e.at.toISOString() : e.at }));
      await auditCaller(services, request.caller, {
        action: 'audit:read',
        target: { type: 'audit_log', id: null },
        outcome: 'success',
        details: {
          count: items.length,
          filters: Object.fromEntries(Object.entries(query).filter(([key, value]) => value !== undefined && key !== 'limit' && !(key === 'order' && value === 'asc'))),
        },
      });
      return { items, next: items.length === q.limit ? items[items.length - 1]!.seq : null };
    },
  );
};
