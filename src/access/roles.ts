/**
 * Roles and what each may do. Under the Personal Information Protection Law each department
 * gets the minimum its duties need: departments look people up and keep their own systems in
 * step; only auditors decide links, merges and conflicts and read the audit trail; district
 * IT (admin) runs imports and keys but does not look people up. Pure: no I/O.
 */
import { SOURCE_NAMES, type SourceName } from '../../adapters/types.js';
import { accessError, AccessErrorCodes } from './error-codes.js';

export const ROLES = ['police', 'family-planning', 'civil-affairs', 'community', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The role named by `text` (e.g. `keys create --role`); RH_ERR_UNKNOWN_ROLE otherwise. */
export function parseRole(text: string): Role {
  const role = text.trim();
  if (isRole(role)) return role;
  throw accessError(AccessErrorCodes.UNKNOWN_ROLE, `unknown role "${text}": expected one of ${ROLES.join(', ')}`, { role: text });
}

export const ACTIONS = [
  'residents:read',
  'residents:search',
  'match',
  'imports:create',
  'imports:read',
  'review:read',
  'review:decide',
  'residents:merge',
  'residents:split',
  'conflicts:read',
  'conflicts:resolve',
  'changes:read',
  'links:export',
  'stats:read',
  'audit:read',
  'keys:manage',
  /** Who am I: the key's own name, role and rights (what the UI shows and offers). */
  'session:read',
] as const;
export type Action = (typeof ACTIONS)[number];

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** Lookup and sync: what the three departments that own a source need. */
const DEPARTMENT: readonly Action[] = [
  'session:read',
  'residents:read',
  'residents:search',
  'match',
  // Only for the department's own sources: see sourcesRoleMayImport.
  'imports:create',
  'imports:read',
  'changes:read',
  'stats:read',
];

const PERMISSIONS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  police: new Set(DEPARTMENT),
  'family-planning': new Set(DEPARTMENT),
  'civil-affairs': new Set(DEPARTMENT),
  // Community offices own no source system, so no imports, and no district-wide changes feed.
  community: new Set<Action>(['session:read', 'residents:read', 'residents:search', 'match', 'stats:read']),
  // Decides, and checks everyone (imports of every department included), but imports nothing
  // and issues no keys: whoever is checked should not also hold the checking role.
  auditor: new Set<Action>([
    'session:read',
    'residents:read',
    'residents:search',
    'match',
    'imports:read',
    'review:read',
    'review:decide',
    'residents:merge',
    'residents:split',
    'conflicts:read',
    'conflicts:resolve',
    'changes:read',
    'links:export',
    'stats:read',
    'audit:read',
  ]),
  // District IT: operates the hub (imports, the links file, keys) without reading residents.
  // No audit:read, so that the one who manages keys cannot also read the trail of key use.
  admin: new Set<Action>(['session:read', 'imports:create', 'imports:read', 'links:export', 'stats:read', 'keys:manage']),
};

export function can(role: Role, action: Action): boolean {
  return PERMISSIONS[role].has(action);
}

/** RH_ERR_FORBIDDEN (→ 403) unless `role` may do `action`. */
export function assertCan(role: Role, action: Action): void {
  if (!can(role, action)) {
    throw accessError(AccessErrorCodes.FORBIDDEN, `role ${role} may not ${action}`, { role, action });
  }
}

/** The actions of a role, in ACTIONS order. */
export function permissionsOf(role: Role): Action[] {
  return ACTIONS.filter((action) => can(role, action));
}

/** The roles that may do an action, in ROLES order (for the OpenAPI description of each route). */
export function rolesAllowed(action: Action): Role[] {
  return ROLES.filter((role) => can(role, action));
}

const IMPORTABLE: Readonly<Record<Role, readonly SourceName[]>> = {
  police: ['police'],
  // The health commission runs both the family-planning system and the floating-population
  // platform (婚育证明 of migrants), so its staff export both.
  'family-planning': ['family-planning', 'floating-population'],
  'civil-affairs': ['minimum-allowance'],
  community: [],
  auditor: [],
  admin: SOURCE_NAMES,
};

/** The sources whose exports a role may import (admin: every source). */
export function sourcesRoleMayImport(role: Role): readonly SourceName[] {
  return IMPORTABLE[role];
}

export function mayImportSource(role: Role, source: SourceName): boolean {
  return can(role, 'imports:create') && IMPORTABLE[role].includes(source);
}

/**
 * Whether a role may see an import (progress, rejected rows) of `source`: a department only its
 * own, so that one department cannot read another's rejected raw rows; admin and auditor all.
 */
export function mayReadImportOf(role: Role, source: SourceName): boolean {
  if (!can(role, 'imports:read')) return false;
  return role === 'auditor' || IMPORTABLE[role].includes(source);
}
