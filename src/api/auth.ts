import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerApiKey } from '../access/api-key.js';
import type { Caller } from '../access/keys.service.js';
import { assertCan, rolesAllowed, type Action } from '../access/roles.js';
import { AppError, ErrorCodes } from '../errors.js';
import { auditCaller, type ApiServices } from './services.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated key's holder (every /v1 route). */
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** The right a route needs (src/access/roles.ts). */
    action?: Action;
  }
}

/**
 * Authentication and authorisation for the /v1 scope: a Bearer API key on every request
 * (401 otherwise), then the route's `config.action` for the key's role (403 otherwise; the
 * refusal is audited). Runs before validation, so an anonymous caller learns nothing of the
 * schema.
 */
export function registerAuth(v1: FastifyInstance, services: ApiServices): void {
  v1.decorateRequest('caller', null as unknown as Caller);
  // Every /v1 route names its right; the OpenAPI document says which roles have it.
  v1.addHook('onRoute', (route) => {
    if (route.method === 'HEAD') return;
    const action = route.config?.action;
    if (action === undefined) throw new Error(`route ${String(route.method)} ${route.url} declares no config.action`);
    services.routes.push({ method: String(route.method), url: route.url, action });
    const roles = rolesAllowed(action).join(', ');
    const schema = { ...(route.schema ?? {}) } as Record<string, unknown>;
    schema.description = [schema.description, `Requires \`${action}\` (roles: ${roles}).`].filter(Boolean).join('\n\n');
    route.schema = schema;
  });
  v1.addHook('onRequest', async (request: FastifyRequest) => {
    const key = bearerApiKey(request.headers.authorization);
    const caller = await services.auth.authenticate(key);
    if (!caller) throw new AppError(ErrorCodes.UNAUTHORIZED, 'unknown or revoked API key');
    request.caller = caller;
    const action = request.routeOptions.config.action;
    if (action === undefined) return;
    try {
      assertCan(caller.role, action);
    } catch (err) {
      await auditCaller(services, caller, {
        action,
        target: { type: 'route', id: `${request.method} ${request.routeOptions.url ?? request.url}` },
        outcome: 'denied',
        details: {},
      });
      throw err;
    }
  });
}
