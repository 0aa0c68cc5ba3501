import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { assertCan } from '../../access/roles.js';
import { findAction, listActions, mergeResidents, splitResident, undoAction, undoRightOf } from '../../decisions/decisions.service.js';
import { actionView } from '../../decisions/review.service.js';
import { commonErrors, IdParam, Limit, Page } from '../schemas.js';
import { auditCaller, type ApiServices } from '../services.js';
import { auditRefusal } from './review.routes.js';

const Who = Type.Object({ name: Type.String(), role: Type.String() });

const AuditorAction = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'merge | split | review_match' }),
  residentIds: Type.Array(Type.String(), { description: 'merge: the survivor, then the resident merged into it; split: the resident split, then the new one' }),
  newResidentId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  actor: Who,
  createdAt: Type.String(),
  undoneAt: Type.Union([Type.String(), Type.Null()]),
  undoneBy: Type.Union([Who, Type.Null()]),
});

const ActionResponse = Type.Object({ action: AuditorAction, residentIds: Type.Array(Type.String()) });
const Reason = Type.String({ minLength: 1, maxLength: 2000 });
const Params = Type.Object({ id: IdParam });
const writeErrors = { 404: Type.Ref('ErrorResponse'), 409: Type.Ref('ErrorResponse'), ...commonErrors } as const;

/** Merge, split and undo: auditors' actions on residents, each undoable exactly. */
export const residentActionsRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1, { services }) => {
  v1.post(
    '/residents/:id/merge',
    {
      config: { action: 'residents:merge' },
      schema: {
        tags: ['decisions'],
        summary: "Merge another resident into this one: its records move here and its id redirects here; remembered by every later link run",
        params: Params,
        body: Type.Object({ otherResidentId: IdParam, reason: Reason }, { additionalProperties: false }),
        response: { 200: ActionResponse, ...writeErrors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const outcome = await auditRefusal(services, request.caller, 'residents:merge', { type: 'resident', id }, () =>
        mergeResidents(services.ctx.store, request.caller, { residentId: id, otherResidentId: request.body.otherResidentId, reason: request.body.reason }),
      );
      return { action: actionView(outcome.action!), residentIds: outcome.residentIds };
    },
  );

  v1.post(
    '/residents/:id/split',
    {
      config: { action: 'residents:split' },
      schema: {
        tags: ['decisions'],
        summary: 'Move the chosen source records of this resident to a new resident; remembered by every later link run',
        params: Params,
        body: Type.Object(
          { recordIds: Type.Array(IdParam, { minItems: 1, maxItems: 1000, description: 'Source record ids of this resident: at least one, not all' }), reason: Reason },
          { additionalProperties: false },
        ),
        response: { 200: ActionResponse, ...writeErrors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const outcome = await auditRefusal(services, request.caller, 'residents:split', { type: 'resident', id }, () =>
        splitResident(services.ctx.store, request.caller, { residentId: id, recordIds: request.body.recordIds, reason: request.body.reason }),
      );
      return { action: actionView(outcome.action!), residentIds: outcome.residentIds };
    },
  );

  v1.post(
    '/actions/:id/undo',
    {
      // An undo needs the right the action needed (checked below); every such right is the auditor's.
      config: { action: 'residents:merge' },
      schema: {
        tags: ['decisions'],
        summary: 'Undo a merge or split exactly: residents, every link, the pair decisions and review items as they were',
        params: Params,
        body: Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false }),
        response: { 200: ActionResponse, ...writeErrors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const outcome = await auditRefusal(services, request.caller, 'actions:undo', { type: 'auditor_action', id }, async () => {
        assertCan(request.caller.role, undoRightOf((await findAction(services.ctx.db, id)).kind));
        return undoAction(services.ctx.store, request.caller, { actionId: id, reason: request.body.reason });
      });
      return { action: actionView(outcome.action!), residentIds: outcome.residentIds };
    },
  );

  v1.get(
    '/actions',
    {
      config: { action: 'review:read' },
      schema: {
        tags: ['decisions'],
        summary: "Auditors' actions (merges, splits), newest first; with resident_id those on that resident",
        querystring: Type.Object({
          resident_id: Type.Optional(IdParam),
          limit: Type.Optional(Limit),
          cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: '`next` of the previous page' })),
        }),
        response: { 200: Page(AuditorAction), ...commonErrors },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const rows = await listActions(services.ctx.db, { residentId: request.query.resident_id, beforeId: request.query.cursor, limit: limit + 1 });
      const items = rows.slice(0, limit).map(actionView);
      await auditCaller(services, request.caller, {
        action: 'review:read',
        target: { type: 'auditor_action', id: null },
        outcome: 'success',
        details: { residentId: request.query.resident_id ?? null, ids: items.map((a) => a.id) },
      });
      return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
    },
  );
};
