import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { isAppError } from '../errors.js';

/**
 * The application as a Fastify plugin (as in fastify's demo app): `server.ts` only builds
 * and listens; tests inject requests into `buildApp`.
 */
export const appPlugin: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.setErrorHandler((err, _request, reply) => {
    if (isAppError(err)) return reply.status(400).send(err.toJSON());
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply.status(status).send({
      error: { code: status >= 500 ? 'RH_ERR_INTERNAL' : 'RH_ERR_BAD_REQUEST', message: status >= 500 ? 'internal error' : (err as Error).message },
    });
  });

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const checks: Record<string, 'ok' | 'failed'> = {};
    try {
      await sql`select 1`.execute(ctx.db);
      checks.database = 'ok';
    } catch {
      checks.database = 'failed';
    }
    if (ctx.config.redisUrl) checks.redis = (await ctx.jobs.ping()) ? 'ok' : 'failed';
    const ready = Object.values(checks).every((c) => c === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
};

export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(appPlugin, { ctx });
  return app;
}
