import type { AppContext } from '../context.js';
import { actorOf, Authenticator, type Caller } from '../access/keys.service.js';
import type { Action } from '../access/roles.js';
import { AuditWriter, type AuditEvent } from '../audit/audit.service.js';

/** What route plugins share: the application context and the audit writer. */
export interface ApiServices {
  ctx: AppContext;
  audit: AuditWriter;
  auth: Authenticator;
  /** Every /v1 route with the right it needs (filled as routes register). */
  routes: { method: string; url: string; action: Action }[];
}

export function createApiServices(ctx: AppContext): ApiServices {
  return { ctx, audit: new AuditWriter(ctx.db), auth: new Authenticator(ctx.db, ctx.config.keyCacheMs), routes: [] };
}

/** Audits a read of personal data (or any action) by the caller; resolves once stored. */
export function auditCaller(services: ApiServices, caller: Caller, event: Omit<AuditEvent, 'actor'>): Promise<void> {
  return services.audit.write({ ...event, actor: actorOf(caller) });
}
