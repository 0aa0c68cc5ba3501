import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { getIssue, listIssues, resolveIssue } from '../../issues/issues.service.js';
import { commonErrors, IdParam, Limit, Page } from '../schemas.js';
import { auditCaller, type ApiServices } from '../services.js';

const KINDS = [
  'name_conflict',
  'name_variant',
  'birth_date_conflict',
  'sex_conflict',
  'id_number_conflict',
  'deceased_receiving_allowance',
  'moved_out_receiving_allowance',
  'shared_id_number',
  'stale_decision',
] as const;

const Issue = Type.Object({
  id: Type.String(),
  residentId: Type.String(),
  category: Type.Union([Type.Literal('conflict'), Type.Literal('alert')]),
  kind: Type.String({ description: KINDS.join(' | ') }),
  severity: Type.String({ description: 'high | medium | low' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('obsolete')]),
  field: Type.Union([Type.String(), Type.Null()], { description: 'the golden field it is about (conflicts, stale decisions)' }),
  details: Type.Object({}, { additionalProperties: true, description: 'the finding: values with the records holding each, or the alert; redacted for the role' }),
  resolution: Type.Union([
    Type.Object(
      {
        via: Type.String({ description: 'record | value | acknowledged | standing_decision' }),
        field: Type.Union([Type.String(), Type.Null()]),
        value: Type.Optional(Type.Unknown()),
        sourceRecordId: Type.Union([Type.String(), Type.Null()]),
        reason: Type.Union([Type.String(), Type.Null()]),
        decidedAt: Type.Union([Type.String(), Type.Null()]),
        decisionId: Type.Optional(Type.String()),
        version: Type.Optional(Type.Integer()),
        actor: Type.Optional(Type.Object({ keyId: Type.Union([Type.String(), Type.Null()]), name: Type.String(), role: Type.String() })),
      },
      { additionalProperties: true },
    ),
    Type.Null(),
  ]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Cursor = Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'the `next` of the previous page' });

export const conflictsRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1, { services }) => {
  const db = services.ctx.db;

  v1.get(
    '/conflicts',
    {
      config: { action: 'conflicts:read' },
      schema: {
        tags: ['conflicts'],
        summary: 'Conflicting facts and alerts, filtered, in id order',
        querystring: Type.Object(
          {
            category: Type.Optional(Type.Union([Type.Literal('conflict'), Type.Literal('alert')])),
            kind: Type.Optional(Type.Union(KINDS.map((k) => Type.Literal(k)))),
            severity: Type.Optional(Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')])),
            status: Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('obsolete'), Type.Literal('all')], { default: 'open' }),
            resident_id: Type.Optional(IdParam),
            limit: Limit,
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Issue), ...commonErrors },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listIssues(db, request.caller.role, {
        category: q.category,
        kind: q.kind,
        severity: q.severity,
        status: q.status,
        residentId: q.resident_id,
        afterId: q.cursor,
        limit: q.limit,
      });
      await auditCaller(services, request.caller, {
        action: 'conflicts:read',
        target: { type: 'resident_issue', id: null },
        outcome: 'success',
        details: { count: page.items.length, ids: page.items.map((i) => i.id), residentId: q.resident_id ?? null, status: q.status },
      });
      return page;
    },
  );

  v1.get(
    '/conflicts/:id',
    {
      config: { action: 'conflicts:read' },
      schema: {
        tags: ['conflicts'],
        summary: 'One conflict or alert',
        params: Type.Object({ id: IdParam }),
        response: { 200: Issue, ...commonErrors, 404: Type.Ref('ErrorResponse') },
      },
    },
    async (request) => {
      const issue = await getIssue(db, request.caller.role, request.params.id);
      await auditCaller(services, request.caller, {
        action: 'conflicts:read',
        target: { type: 'resident_issue', id: issue.id },
        outcome: 'success',
        details: { residentId: issue.residentId, kind: issue.kind },
      });
      return issue;
    },
  );

  v1.post(
    '/conflicts/:id/resolve',
    {
      config: { action: 'conflicts:resolve' },
      schema: {
        tags: ['conflicts'],
        summary: 'Resolve: pick a record’s value, enter one, or acknowledge an alert — with a reason',
        description:
          'A conflict takes `{ sourceRecordId, reason }` (the value that record of the resident holds) or `{ value, reason }` (checked as the field requires: YYYY-MM-DD for birthDate, a valid GB 11643 number for idNumber, a GB/T 2261.1 code for sex). An alert takes `{ reason }` only; a stale_decision alert either. The decision outranks every survivorship rule and holds across later imports and link runs. 409 when the finding is not open.',
        params: Type.Object({ id: IdParam }),
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
            sourceRecordId: Type.Optional(IdParam),
            value: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ issue: Issue, residentVersion: Type.Union([Type.Integer(), Type.Null()]) }),
          ...commonErrors,
          404: Type.Ref('ErrorResponse'),
          409: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (request) => resolveIssue(db, request.caller, request.params.id, request.body),
  );
};
