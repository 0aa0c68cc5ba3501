import { describe, expect, it } from 'vitest';
import { SOURCE_NAMES } from '../../adapters/types.js';
import { isAppError } from '../errors.js';
import { AccessErrorCodes } from './error-codes.js';
import {
  ACTIONS,
  ROLES,
  assertCan,
  can,
  isAction,
  isRole,
  mayImportSource,
  mayReadImportOf,
  parseRole,
  permissionsOf,
  rolesAllowed,
  sourcesRoleMayImport,
  type Action,
  type Role,
} from './roles.js';

// The table as the issue describes it, written out so that a change to roles.ts is a change here.
const EXPECTED: Record<Action, readonly Role[]> = {
  'residents:read': ['police', 'family-planning', 'civil-affairs', 'community', 'auditor'],
  'residents:search': ['police', 'family-planning', 'civil-affairs', 'community', 'auditor'],
  match: ['police', 'family-planning', 'civil-affairs', 'community', 'auditor'],
  'imports:create': ['police', 'family-planning', 'civil-affairs', 'admin'],
  'imports:read': ['police', 'family-planning', 'civil-affairs', 'auditor', 'admin'],
  'review:read': ['auditor'],
  'review:decide': ['auditor'],
  'residents:merge': ['auditor'],
  'residents:split': ['auditor'],
  'conflicts:read': ['auditor'],
  'conflicts:resolve': ['auditor'],
  'changes:read': ['police', 'family-planning', 'civil-affairs', 'auditor'],
  'links:export': ['auditor', 'admin'],
  'stats:read': ['police', 'family-planning', 'civil-affairs', 'community', 'auditor', 'admin'],
  'audit:read': ['auditor'],
  'keys:manage': ['admin'],
  'session:read': ['police', 'family-planning', 'civil-affairs', 'community', 'auditor', 'admin'],
};

describe('roles', () => {
  it('knows the six roles and nothing else', () => {
    expect(ROLES).toEqual(['police', 'family-planning', 'civil-affairs', 'community', 'auditor', 'admin']);
    for (const role of ROLES) expect(isRole(role)).toBe(true);
    for (const other of ['Police', 'root', '', ' police', 'toString', 'constructor', 42, null, undefined]) expect(isRole(other)).toBe(false);
  });

  it('parses a role name, or fails with RH_ERR_UNKNOWN_ROLE', () => {
    expect(parseRole(' auditor ')).toBe('auditor');
    try {
      parseRole('superuser');
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err) && err.code).toBe(AccessErrorCodes.UNKNOWN_ROLE);
      expect((err as Error).message).toContain('police, family-planning');
    }
  });

  it('knows the actions', () => {
    expect(isAction('residents:read')).toBe(true);
    expect(isAction('residents:delete')).toBe(false);
    expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
  });
});

describe('can', () => {
  const cases = ACTIONS.flatMap((action) => ROLES.map((role) => [role, action, EXPECTED[action].includes(role)] as const));

  it.each(cases)('%s may %s: %s', (role, action, allowed) => {
    expect(can(role, action)).toBe(allowed);
  });

  it('lists the roles of an action and the actions of a role consistently', () => {
    for (const action of ACTIONS) expect(rolesAllowed(action)).toEqual(EXPECTED[action]);
    for (const role of ROLES) {
      expect(permissionsOf(role)).toEqual(ACTIONS.filter((a) => EXPECTED[a].includes(role)));
    }
  });

  it('keeps duties apart: no role both decides and manages keys, admin reads no resident', () => {
    for (const role of ROLES) expect(can(role, 'keys:manage') && (can(role, 'audit:read') || can(role, 'review:decide'))).toBe(false);
    expect(can('admin', 'residents:read') || can('admin', 'residents:search') || can('admin', 'match')).toBe(false);
  });

  it('assertCan throws RH_ERR_FORBIDDEN naming role and action', () => {
    expect(() => assertCan('auditor', 'residents:merge')).not.toThrow();
    try {
      assertCan('community', 'imports:create');
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err)).toBe(true);
      if (!isAppError(err)) return;
      expect(err.code).toBe(AccessErrorCodes.FORBIDDEN);
      expect(err.message).toBe('role community may not imports:create');
      expect(err.details).toEqual({ role: 'community', action: 'imports:create' });
    }
  });
});

describe('imports per source', () => {
  it('maps each role to the sources it may import', () => {
    expect(sourcesRoleMayImport('police')).toEqual(['police']);
    expect(sourcesRoleMayImport('family-planning')).toEqual(['family-planning', 'floating-population']);
    expect(sourcesRoleMayImport('civil-affairs')).toEqual(['minimum-allowance']);
    expect(sourcesRoleMayImport('community')).toEqual([]);
    expect(sourcesRoleMayImport('auditor')).toEqual([]);
    expect(sourcesRoleMayImport('admin')).toEqual(SOURCE_NAMES);
  });

  it('mayImportSource agrees with the mapping and with imports:create', () => {
    for (const role of ROLES) {
      for (const source of SOURCE_NAMES) {
        expect(mayImportSource(role, source)).toBe(can(role, 'imports:create') && sourcesRoleMayImport(role).includes(source));
      }
    }
    expect(mayImportSource('police', 'minimum-allowance')).toBe(false);
    expect(mayImportSource('civil-affairs', 'minimum-allowance')).toBe(true);
  });

  it("lets a department read only its own imports; auditor and admin read all", () => {
    expect(mayReadImportOf('police', 'police')).toBe(true);
    expect(mayReadImportOf('police', 'minimum-allowance')).toBe(false);
    expect(mayReadImportOf('civil-affairs', 'family-planning')).toBe(false);
    expect(mayReadImportOf('family-planning', 'floating-population')).toBe(true);
    expect(mayReadImportOf('community', 'police')).toBe(false);
    for (const source of SOURCE_NAMES) {
      expect(mayReadImportOf('auditor', source)).toBe(true);
      expect(mayReadImportOf('admin', source)).toBe(true);
    }
  });
});
