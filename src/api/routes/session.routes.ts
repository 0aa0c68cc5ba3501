import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { permissionsOf } from '../../access/roles.js';
import { commonErrors } from '../schemas.js';
import type { ApiServices } from '../services.js';

/** The caller's own key: what a client (the UI) shows and which pages it offers. */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1) => {
  v1.get(
    '/me',
    {
      config: { action: 'session:read' },
      schema: {
        tags: ['session'],
        summary: 'The calling key: its name, role and rights',
        response: {
          200: Type.Object({ keyId: Type.Union([Type.String(), Type.Null()]), name: Type.String(), role: Type.String(), permissions: Type.Array(Type.String()) }),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const { keyId, name, role } = request.caller;
      return { keyId, name, role, permissions: permissionsOf(role) };
    },
  );
};
