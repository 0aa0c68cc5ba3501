import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { residentDetail, residentHistory, resolveResident, searchResidents } from '../../residents/residents.service.js';
import { commonErrors, IdParam, Limit } from '../schemas.js';
import { auditCaller, type ApiServices } from '../services.js';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const provenance = {
  sourceRecordId: nullable(Type.String()),
  source: nullable(Type.String()),
  rule: Type.String({ description: 'authority | recent | frequent | auditor' }),
  reason: Type.Optional(Type.String()),
  decidedAt: Type.Optional(Type.String()),
};

/** A golden field: its value, the source record it came from and the rule that chose it. */
const field = <T extends TSchema>(value: T) => nullable(Type.Object({ value, ...provenance }));

const Address = Type.Object({
  original: Type.String(),
  normalized: Type.String(),
  province: Type.Optional(Type.String()),
  city: Type.Optional(Type.String()),
  district: Type.Optional(Type.String()),
  street: Type.Optional(Type.String()),
  community: Type.Optional(Type.String()),
  road: Type.Optional(Type.String()),
  estate: Type.Optional(Type.String()),
  building: Type.Optional(Type.String()),
  unit: Type.Optional(Type.String()),
  floor: Type.Optional(Type.String()),
  room: Type.Optional(Type.String()),
  rest: Type.Optional(Type.String()),
});

/** The golden record as a role sees it: fields the role may not see are absent; masked ones are masked. */
export const GoldenSchema = Type.Object(
  {
    name: Type.Optional(field(Type.String())),
    formerNames: Type.Optional(Type.Array(Type.Object({ value: Type.String(), sourceRecordIds: Type.Array(Type.String()), sources: Type.Array(Type.String()) }))),
    idNumber: Type.Optional(field(Type.String())),
    birthDate: Type.Optional(field(Type.String())),
    sex: Type.Optional(field(Type.String({ description: 'GB/T 2261.1 code' }))),
    ethnicity: Type.Optional(field(Type.String({ description: 'GB/T 3304 code' }))),
    maritalStatus: Type.Optional(field(Type.String({ description: 'GB/T 2261.2 code' }))),
    phone: Type.Optional(field(Type.String())),
    registeredAddress: Type.Optional(field(Address)),
    currentAddress: Type.Optional(field(Address)),
    status: Type.Optional(nullable(Type.Object({ value: Type.String(), date: nullable(Type.String()), ...provenance }))),
    allowance: Type.Optional(
      nullable(Type.Object({ category: field(Type.String()), monthlyAmount: field(Type.Number()), approvedOn: field(Type.String()) })),
    ),
    sources: Type.Optional(Type.Array(Type.String())),
    staleDecisions: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String(),
          decidedValue: Type.Optional(Type.Unknown()),
          sourceRecordId: Type.String(),
          currentValue: Type.Optional(Type.Unknown()),
          change: Type.String(),
          decidedAt: Type.String(),
        }),
      ),
    ),
  },
  { description: 'The golden record; each field keeps its provenance (source, sourceRecordId, rule)' },
);

export const ResidentSummarySchema = Type.Object(
  {
    name: nullable(Type.String()),
    idNumber: Type.Optional(nullable(Type.String({ description: 'masked (410105********123X) unless the role may see ID numbers in full' }))),
    birthDate: nullable(Type.String()),
    sex: nullable(Type.String()),
    status: nullable(Type.String()),
    sources: Type.Array(Type.String()),
    community: nullable(Type.String({ description: 'the 社区/村 of the current address' })),
  },
  { description: 'A resident as a list shows it, redacted for the caller' },
);

const SearchQuery = Type.Object(
  {
    id_number: Type.Optional(Type.String({ maxLength: 40, description: '15 or 18 digits, full-width digits, lower-case x and spaces accepted' })),
    name: Type.Optional(Type.String({ maxLength: 60, description: 'characters (simplified or traditional) or pinyin, with or without spaces and tones; homophones and former names (曾用名) are found too' })),
    birth_date: Type.Optional(Type.String({ maxLength: 20, description: 'e.g. 1990-03-07' })),
    community: Type.Optional(Type.String({ maxLength: 60, description: 'the community of the current address, with or without 社区/居委会' })),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'free text: an ID number, a name (characters or pinyin), a birth date, or an address with its community' })),
    limit: Limit,
    offset: Type.Integer({ minimum: 0, maximum: 10_000, default: 0, description: 'results to skip: the `next` of the previous page' }),
  },
  { additionalProperties: false },
);

const SearchResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      score: Type.Number({ description: 'closeness of the names to the query (1 for an exact hit)' }),
      reasons: Type.Array(Type.String(), { description: 'why the resident is here, best first: id_number, name_exact, name_variant, former_name, homophone, pinyin, birth_date, community, address' }),
      resident: ResidentSummarySchema,
    }),
  ),
  next: nullable(Type.String({ description: 'the offset of the next page' })),
  total: Type.Integer({ description: 'residents found' }),
});

const Moved = Type.Object(
  { id: Type.String(), mergedInto: Type.String(), location: Type.String() },
  { description: 'The resident was merged into another: follow Location' },
);

const LinkedRecord = Type.Object({
  id: Type.String(),
  source: Type.String(),
  file: Type.String(),
  row: Type.Integer({ description: 'the row number as Excel shows it' }),
  present: Type.Boolean({ description: "false once the source's latest export no longer lists it" }),
  version: Type.Integer(),
  link: Type.Object({ probability: Type.Number(), method: Type.String() }),
  data: Type.Record(Type.String(), Type.Unknown(), { description: "the record's normalised values, redacted for the caller" }),
});

const Issue = Type.Object({
  id: Type.String(),
  category: Type.String({ description: 'conflict | alert' }),
  kind: Type.String(),
  severity: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
});

const Detail = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  golden: GoldenSchema,
  records: Type.Array(LinkedRecord),
  issues: Type.Array(Issue, { description: 'open conflicts and alerts' }),
});

const History = Type.Object({
  id: Type.String(),
  versions: Type.Array(
    Type.Object({
      version: Type.Integer(),
      createdAt: Type.String(),
      runId: nullable(Type.String()),
      changes: Type.Array(Type.Object({ field: Type.String(), kind: Type.String({ description: 'added | removed | value | provenance' }), from: Type.Optional(Type.Unknown()), to: Type.Optional(Type.Unknown()) })),
      members: Type.Array(Type.String(), { description: 'the source records of the resident in this version' }),
      golden: GoldenSchema,
    }),
  ),
});

const Params = Type.Object({ id: IdParam });

/**
 * A 308 is cacheable by default, and browsers do keep it; but a merge can be undone, after which
 * the old id answers again: the redirect must not outlive the request.
 */
const UNDOABLE_REDIRECT = 'no-store';

export const residentsRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1, { services }) => {
  const db = services.ctx.db;

  v1.get(
    '/residents',
    {
      config: { action: 'residents:search' },
      schema: {
        tags: ['residents'],
        summary: 'Search residents by ID number, name, birth date, community or free text; ranked, paged by offset',
        querystring: SearchQuery,
        response: { 200: SearchResponse, ...commonErrors },
      },
    },
    async (request) => {
      const caller = request.caller;
      const result = await searchResidents(db, caller.role, request.query);
      await auditCaller(services, caller, {
        action: 'residents:search',
        target: { type: 'residents', id: null },
        outcome: 'success',
        details: { criteria: result.kinds, q: result.qKind, results: result.items.length, total: result.total },
      });
      return { items: result.items, next: result.next, total: result.total };
    },
  );

  v1.get(
    '/residents/:id',
    {
      config: { action: 'residents:read' },
      schema: {
        tags: ['residents'],
        summary: 'The golden record with its provenance, the linked source records (file and row), open conflicts and alerts',
        params: Params,
        response: { 200: Detail, 308: Moved, 404: Type.Ref('ErrorResponse'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const caller = request.caller;
      const resolved = await resolveResident(db, request.params.id);
      if (resolved.kind === 'merged') {
        const location = `/v1/residents/${resolved.survivor}`;
        return reply.status(308).header('location', location).header('cache-control', UNDOABLE_REDIRECT).send({ id: resolved.id, mergedInto: resolved.survivor, location });
      }
      const detail = await residentDetail(db, caller.role, resolved.id, resolved.version);
      await auditCaller(services, caller, {
        action: 'residents:read',
        target: { type: 'resident', id: resolved.id },
        outcome: 'success',
        details: { records: detail.records.length, issues: detail.issues.length },
      });
      return detail;
    },
  );

  v1.get(
    '/residents/:id/history',
    {
      config: { action: 'residents:read' },
      schema: {
        tags: ['residents'],
        summary: 'Every version of the golden record: what changed (values redacted for the caller), from which run, with which records',
        params: Params,
        response: { 200: History, 308: Moved, 404: Type.Ref('ErrorResponse'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const caller = request.caller;
      const resolved = await resolveResident(db, request.params.id);
      if (resolved.kind === 'merged') {
        const location = `/v1/residents/${resolved.survivor}/history`;
        return reply.status(308).header('location', location).header('cache-control', UNDOABLE_REDIRECT).send({ id: resolved.id, mergedInto: resolved.survivor, location });
      }
      const history = await residentHistory(db, caller.role, resolved.id);
      await auditCaller(services, caller, {
        action: 'residents:read',
        target: { type: 'resident_history', id: resolved.id },
        outcome: 'success',
        details: { versions: history.versions.length },
      });
      return history;
    },
  );
};
