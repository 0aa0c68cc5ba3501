import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { Redis } from 'ioredis';
import type { AppContext } from '../context.js';
import { AppError, ErrorCodes, isAppError, type ErrorCode } from '../errors.js';
import { registerAuth } from './auth.js';
import { httpStatusOf } from './http-errors.js';
import { ErrorResponse } from './schemas.js';
import { createApiServices, type ApiServices } from './services.js';
import { apiRoutes } from './routes/index.js';
import { uiPlugin } from './ui.js';

export type Api = FastifyInstance;

function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}

/**
 * The application as a Fastify plugin (as in fastify's demo app): `server.ts` only builds and
 * listens; tests inject requests into `buildApp`. Route schemas drive validation, the types of
 * the handlers and the OpenAPI document at /docs.
 */
export const appPlugin: FastifyPluginAsync<{ ctx: AppContext; services?: ApiServices }> = async (app, opts) => {
  const { ctx } = opts;
  const services = opts.services ?? createApiServices(ctx);
  app.addSchema(ErrorResponse);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isAppError(err)) return reply.status(httpStatusOf(err.code)).send(err.toJSON());
    if (err.validation) {
      const where = err.validationContext ?? 'request';
      return reply.status(400).send(errorBody(ErrorCodes.VALIDATION, `${where}: ${err.message}`));
    }
    const status = err.statusCode ?? 500;
    if (status === 413) return reply.status(413).send(errorBody(ErrorCodes.PAYLOAD_TOO_LARGE, err.message));
    if (status === 429) return reply.status(429).send(errorBody(ErrorCodes.RATE_LIMITED, err.message));
    if (status >= 500) {
      request.log.error(err);
      return reply.status(500).send(errorBody(ErrorCodes.INTERNAL, 'internal error'));
    }
    return reply.status(status).send(errorBody(status === 404 ? ErrorCodes.NOT_FOUND : ErrorCodes.VALIDATION, err.message));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody(ErrorCodes.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`)));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'resident-hub',
        version: '1',
        description:
          'One golden resident record per person from the police, family-planning, floating-population and minimum-allowance registries. Every /v1 call needs `Authorization: Bearer <key>`; each role sees only the fields its duties need.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (rhk_…) from `resident-hub keys create`' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/health', { schema: { hide: false, security: [], response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { security: [] } }, async (_request, reply) => {
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

  await app.register(
    async (v1) => {
      registerAuth(v1, services);
      // Per key, after authentication; shared through Redis when there is one, so that
      // several API instances count together.
      const redis = ctx.config.redisUrl ? new Redis(ctx.config.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
      if (redis) v1.addHook('onClose', async () => void (await redis.quit()));
      await v1.register(rateLimit, {
        hook: 'preHandler',
        max: ctx.config.rateLimitMax,
        timeWindow: ctx.config.rateLimitWindowMs,
        keyGenerator: (request) => `key:${request.caller?.keyId ?? request.ip}`,
        nameSpace: `${ctx.config.queuePrefix}:rate:`,
        ...(redis ? { redis } : {}),
        // Thrown as an AppError, so that the error handler gives it the one error shape.
        errorResponseBuilder: (_request, context) =>
          new AppError(ErrorCodes.RATE_LIMITED, `more than ${context.max} requests in ${context.ttl > 0 ? 'the current window' : 'a window'} for this key; retry in ${context.after}`),
      });
      await v1.register(apiRoutes, { services });
    },
    { prefix: '/v1' },
  );

  await app.register(uiPlugin);

  app.addHook('onClose', async () => {
    await services.audit.drain();
  });
};

export async function buildApp(ctx: AppContext, options: { logger?: boolean; services?: ApiServices } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Unknown properties are refused (additionalProperties: false), never silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(appPlugin, { ctx, services: options.services });
  return app;
}
