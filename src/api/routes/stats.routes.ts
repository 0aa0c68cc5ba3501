import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { statsRepository } from '../../golden/stats.repository.js';
import { commonErrors } from '../schemas.js';
import type { ApiServices } from '../services.js';

const Overlap = Type.Object({
  residents: Type.Integer(),
  mergedAway: Type.Integer(),
  perSource: Type.Array(Type.Object({ source: Type.String(), records: Type.Integer(), present: Type.Integer(), linked: Type.Integer(), residents: Type.Integer() })),
  combinations: Type.Array(Type.Object({ sources: Type.Array(Type.String()), residents: Type.Integer() })),
  review: Type.Object({ open: Type.Integer(), decided: Type.Integer() }),
  conflicts: Type.Record(Type.String(), Type.Integer()),
  alerts: Type.Record(Type.String(), Type.Integer()),
  lastRun: Type.Union([Type.Object({ id: Type.String(), mode: Type.String(), finishedAt: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
});

const Quality = Type.Object({
  perSource: Type.Array(
    Type.Object({
      source: Type.String(),
      records: Type.Integer({ description: "present records (listed by the source's latest export)" }),
      missingIdNumber: Type.Integer(),
      invalidIdNumber: Type.Integer({ description: 'wrong check character, impossible date, wrong shape, or digits lost to Excel' }),
      disagreeing: Type.Object(
        { name: Type.Integer(), birthDate: Type.Integer(), sex: Type.Integer(), idNumber: Type.Integer() },
        { description: "linked records whose own value differs from their resident's golden value" },
      ),
    }),
  ),
});

/** Aggregate figures only: no personal data, so reads are not audited. */
export const statsRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1, { services }) => {
  v1.get(
    '/stats/overlap',
    {
      config: { action: 'stats:read' },
      schema: {
        tags: ['stats'],
        summary: 'Residents in each combination of the four systems (the information-island map)',
        response: { 200: Overlap, ...commonErrors },
      },
    },
    async () => statsRepository.overlap(services.ctx.db),
  );

  v1.get(
    '/stats/quality',
    {
      config: { action: 'stats:read' },
      schema: {
        tags: ['stats'],
        summary: 'Per source: missing and invalid ID numbers, and fields disagreeing with the golden record (counts only)',
        response: { 200: Quality, ...commonErrors },
      },
    },
    async () => statsRepository.quality(services.ctx.db),
  );
};
