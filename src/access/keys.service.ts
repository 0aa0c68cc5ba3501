import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError, ErrorCodes } from '../errors.js';
import { auditInTransaction } from '../audit/audit.service.js';
import type { AuditActor } from '../audit/chain.js';
import { generateApiKey, hashApiKey } from './api-key.js';
import { keysRepository, type StoredKey } from './keys.repository.js';
import { isRole, parseRole, type Role } from './roles.js';

/** Who is calling: an API key's holder, or the command line. */
export interface Caller {
  keyId: string | null;
  name: string;
  role: Role;
  prefix: string | null;
}

export function actorOf(caller: Caller): AuditActor {
  return { keyId: caller.keyId, name: caller.name, role: caller.role };
}

/** The command line acts as the operating-system user, with the rights of an administrator. */
export function systemActor(): AuditActor {
  return { keyId: null, name: process.env.USER ?? process.env.USERNAME ?? 'system', role: 'system' };
}

/** A new key for `role`, audited; the key itself is in the result only. */
export async function createKey(db: Kysely<Database>, input: { role: string; name: string }, actor: AuditActor = systemActor()): Promise<StoredKey & { key: string }> {
  const role = parseRole(input.role);
  const name = input.name.trim();
  if (name === '') throw new AppError(ErrorCodes.USAGE, 'a key needs a name (--name), e.g. the department or person holding it');
  const generated = generateApiKey();
  return db.transaction().execute(async (trx) => {
    const stored = await keysRepository.insert(trx, { name, role, prefix: generated.prefix, hash: generated.hash });
    await auditInTransaction(trx, [{ actor, action: 'keys:create', target: { type: 'api_key', id: stored.id }, outcome: 'success', details: { role, name, prefix: stored.prefix } }]);
    return { ...stored, key: generated.key };
  });
}

export function listKeys(db: Kysely<Database>): Promise<StoredKey[]> {
  return keysRepository.list(db);
}

/** Revokes the key with this id or public prefix; audited. */
export async function revokeKey(db: Kysely<Database>, idOrPrefix: string, actor: AuditActor = systemActor()): Promise<StoredKey> {
  return db.transaction().execute(async (trx) => {
    const found = await keysRepository.find(trx, idOrPrefix.trim());
    if (found.length === 0) throw new AppError(ErrorCodes.KEY_NOT_FOUND, `no API key with id or prefix "${idOrPrefix}"`);
    if (found.length > 1) throw new AppError(ErrorCodes.USAGE, `the prefix "${idOrPrefix}" names ${found.length} keys: give the key's id`);
    const key = found[0]!;
    const revoked = await keysRepository.revoke(trx, key.id);
    if (!revoked) throw new AppError(ErrorCodes.USAGE, `key ${key.id} (${key.prefix}) is already revoked`);
    await auditInTransaction(trx, [{ actor, action: 'keys:revoke', target: { type: 'api_key', id: key.id }, outcome: 'success', details: { role: key.role, name: key.name, prefix: key.prefix } }]);
    return revoked;
  });
}

/**
 * The caller presenting a key, or undefined for an unknown or revoked key. Looked up by the
 * key's hash (an index lookup; the hash is of a 256-bit secret, so the lookup reveals nothing),
 * and the answer kept for `ttlMs`: a department's lookups then cost no extra query each. A key revoked in another process stops
 * working within the TTL; unknown keys are not kept, so a new key works at once.
 */
export class Authenticator {
  private readonly cache = new Map<string, { caller: Caller; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(key: string): Promise<Caller | undefined> {
    const hash = hashApiKey(key);
    const hit = this.cache.get(hash);
    const now = this.now();
    if (hit && hit.until > now) return hit.caller;
    const stored = await keysRepository.findActiveByHash(this.db, hash);
    if (!stored || !isRole(stored.role)) {
      this.cache.delete(hash);
      return undefined;
    }
    const caller: Caller = { keyId: stored.id, name: stored.name, role: stored.role, prefix: stored.prefix };
    if (this.ttlMs > 0) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(hash, { caller, until: now + this.ttlMs });
    }
    return caller;
  }
}
