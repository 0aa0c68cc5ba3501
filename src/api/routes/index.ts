import type { FastifyPluginAsync } from 'fastify';
import type { ApiServices } from '../services.js';
import { auditRoutes } from './audit.routes.js';
import { changesRoutes } from './changes.routes.js';
import { conflictsRoutes } from './conflicts.routes.js';
import { importsRoutes } from './imports.routes.js';
import { linksRoutes } from './links.routes.js';
import { matchRoutes } from './match.routes.js';
import { residentsRoutes } from './residents.routes.js';
import { residentActionsRoutes } from './resident-actions.routes.js';
import { reviewRoutes } from './review.routes.js';
import { sessionRoutes } from './session.routes.js';
import { statsRoutes } from './stats.routes.js';

/** Every /v1 feature; each is a plugin of its own. */
export const apiRoutes: FastifyPluginAsync<{ services: ApiServices }> = async (v1, { services }) => {
  await v1.register(sessionRoutes, { services });
  await v1.register(statsRoutes, { services });
  await v1.register(conflictsRoutes, { services });
  await v1.register(changesRoutes, { services });
  await v1.register(auditRoutes, { services });
  await v1.register(importsRoutes, { services });
  await v1.register(residentsRoutes, { services });
  await v1.register(matchRoutes, { services });
  await v1.register(linksRoutes, { services });
  await v1.register(reviewRoutes, { services });
  await v1.register(residentActionsRoutes, { services });
};
