import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { matchPerson } from '../../residents/residents.service.js';
import { commonErrors } from '../schemas.js';
import { auditCaller, type ApiServices } from '../services.js';
import { ResidentSummarySchema } from './residents.routes.js';

const text = (maxLength: number, description: string) => Type.Optional(Type.String({ minLength: 1, maxLength, description }));

const Probe = Type.Object(
  {
    name: text(60, '姓名'),
    formerName: text(60, '曾用名'),
    idNumber: text(40, 'in any form: 15 or 18 digits, full-width, lower-case x; a mistyped one still compares'),
    birthDate: text(20, 'e.g. 1990-03-07'),
    sex: text(10, '男/女, M/F or the GB/T 2261.1 code'),
    phone: text(40, 'mobile or landline'),
    address: text(200, 'where the person lives'),
    community: text(60, '社区/村'),
    householdNumber: text(40, '户号 of the 户口簿'),
  },
  { additionalProperties: false, minProperties: 1, description: "A person's details, any subset: nothing of it is stored" },
);

const FieldExplanation = Type.Object({ level: Type.String(), weight: Type.Number({ description: 'bits of evidence (negative: against)' }) });

const MatchResponse = Type.Object({
  model: Type.Object({ id: Type.String(), thresholds: Type.Object({ upper: Type.Number(), lower: Type.Number() }) }),
  compared: Type.Integer({ description: 'residents sharing a blocking key with the probe, all scored' }),
  candidates: Type.Array(
    Type.Object({
      residentId: Type.String(),
      probability: Type.Number(),
      weight: Type.Number({ description: 'total match weight in bits, the prior included' }),
      band: Type.String({ description: 'match: at or above the upper threshold (the linker would link); review: between the thresholds' }),
      record: Type.Object({ id: Type.String(), source: Type.String() }, { description: "the resident's record that scored best" }),
      fields: Type.Record(Type.String(), FieldExplanation, { description: 'per compared field: its agreement level and weight' }),
      nameFrequencyAdjustment: Type.Number({ description: "of the name's weight, the adjustment for how common the name is" }),
      resident: ResidentSummarySchema,
    }),
    { description: 'residents at or above the lower threshold, most probable first' },
  ),
});

export const matchRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1, { services }) => {
  v1.post(
    '/match',
    {
      config: { action: 'match' },
      schema: {
        tags: ['match'],
        summary: 'Do we already know this person? Candidate residents with probability and per-field explanation; stores nothing',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }) }, { additionalProperties: false }),
        body: Probe,
        response: { 200: MatchResponse, 409: Type.Ref('ErrorResponse'), ...commonErrors },
      },
    },
    async (request) => {
      const caller = request.caller;
      const result = await matchPerson(services.ctx.db, caller.role, request.body, request.query.limit);
      await auditCaller(services, caller, {
        action: 'match',
        target: { type: 'match', id: null },
        outcome: 'success',
        details: { fields: result.fields, compared: result.compared, candidates: result.candidates.length },
      });
      return { model: result.model, compared: result.compared, candidates: result.candidates };
    },
  );
};
