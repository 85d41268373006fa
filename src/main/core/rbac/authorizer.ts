// The one authorizer every adapter (REST, MCP, IPC, CLI) asks: default deny, a reason for every decision, and a compiled policy swapped atomically.
import { AppError } from '../../../shared/errors';
import { BUILTIN_ROLES } from '../../../shared/api/common';
import { BUILTIN_ROLE_PERMISSIONS } from './builtin-roles';
import { covers, formatNeed, parsePermission, permits, type Need, type Permission } from './permissions';

export interface Decision {
  allowed: boolean;
  reason: string;
  matched_permission: string | null;
  role: string;
}

export interface RoleDefinition {
  name: string;
  permissions: readonly string[];
}

/** A policy compiled once (parsed permissions per role) and replaced as a whole when roles change. */
interface CompiledPolicy {
  roles: ReadonlyMap<string, readonly Permission[]>;
}

export interface Authorizer {
  decide(role: string, need: Need): Decision;
  /** Throws FORBIDDEN (naming the missing permission) unless allowed. */
  require(role: string, need: Need): Decision;
  hasRole(role: string): boolean;
  roles(): string[];
  permissionsOf(role: string): readonly string[];
  /** True when `inner` grants nothing that `outer` does not: nobody hands out more rights than they hold. */
  roleWithin(inner: string, outer: string): boolean;
  /** True when every one of `permissions` is granted by `role`. */
  permissionsWithin(permissions: readonly string[], role: string): boolean;
  /** Replaces the whole policy at once (editable roles). */
  load(definitions: readonly RoleDefinition[]): void;
}

function compile(definitions: readonly RoleDefinition[]): CompiledPolicy {
  return { roles: new Map(definitions.map((d) => [d.name, d.permissions.map(parsePermission)])) };
}

export function builtinRoleDefinitions(): RoleDefinition[] {
  return BUILTIN_ROLES.map((name) => ({ name, permissions: BUILTIN_ROLE_PERMISSIONS[name] }));
}

export function createAuthorizer(definitions: readonly RoleDefinition[] = builtinRoleDefinitions()): Authorizer {
  let policy = compile(definitions);
  // Decisions repeat (the same role asks for the same permission all day): remember them until the policy changes.
  let memo = new Map<string, Decision>();

  function decide(role: string, need: Need): Decision {
    const key = `${role}\0${need.resource}\0${need.action}\0${need.target ?? ''}`;
    let decision = memo.get(key);
    if (decision === undefined) {
      decision = Object.freeze(evaluate(role, need));
      if (memo.size >= 10_000) memo.clear();
      memo.set(key, decision);
    }
    return decision;
  }

  function evaluate(role: string, need: Need): Decision {
    const granted = policy.roles.get(role);
    if (granted === undefined) return { allowed: false, reason: `role ${JSON.stringify(role)} does not exist`, matched_permission: null, role };
    for (const permission of granted) {
      if (permits(permission, need)) return { allowed: true, reason: `role ${role} grants ${permission.text}`, matched_permission: permission.text, role };
    }
    return { allowed: false, reason: `role ${role} lacks ${formatNeed(need)}`, matched_permission: null, role };
  }

  return {
    decide,
    require(role, need) {
      const decision = decide(role, need);
      if (!decision.allowed) throw new AppError('FORBIDDEN', `permission denied: ${decision.reason}`);
      return decision;
    },
    hasRole: (role) => policy.roles.has(role),
    roles: () => [...policy.roles.keys()],
    permissionsOf: (role) => (policy.roles.get(role) ?? []).map((p) => p.text),
    roleWithin(inner, outer) {
      const innerPermissions = policy.roles.get(inner);
      const outerPermissions = policy.roles.get(outer);
      if (innerPermissions === undefined || outerPermissions === undefined) return false;
      return innerPermissions.every((p) => outerPermissions.some((o) => covers(o, p)));
    },
    permissionsWithin(permissions, role) {
      const outerPermissions = policy.roles.get(role);
      if (outerPermissions === undefined) return false;
      return permissions.map(parsePermission).every((p) => outerPermissions.some((o) => covers(o, p)));
    },
    load(next) {
      // Compile first: a bad definition throws and the old policy stays. Then swap policy and memo together.
      const compiled = compile(next);
      policy = compiled;
      memo = new Map();
    },
  };
}
