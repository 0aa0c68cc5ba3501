import type { FastifyPluginAsync } from 'fastify';
import type { ApiServices } from '../services.js';
import { statsRoutes } from './stats.routes.js';

/** Every /v1 feature; each is a plugin of its own. */
export const apiRoutes: FastifyPluginAsync<{ services: ApiServices }> = async (v1, { services }) => {
  await v1.register(statsRoutes, { services });
};
