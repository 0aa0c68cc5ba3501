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
};
