import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { linksCsv } from '../../residents/links-export.js';
import { commonErrors } from '../schemas.js';
import { auditCaller, type ApiServices } from '../services.js';

export const linksRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1, { services }) => {
  v1.get(
    '/links/export',
    {
      config: { action: 'links:export' },
      schema: {
        tags: ['links'],
        summary: 'The links file, as `resident-hub export links` writes it (CSV, streamed)',
        response: {
          200: {
            description: 'CSV with header source,file,row,resident_id,match_probability,method: one line per accepted source record',
            content: { 'text/csv': { schema: Type.String() } },
          },
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      await auditCaller(services, request.caller, { action: 'links:export', target: { type: 'links', id: null }, outcome: 'success', details: { format: 'csv' } });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="links.csv"')
        .send(Readable.from(linksCsv(services.ctx.db)));
    },
  );
};
