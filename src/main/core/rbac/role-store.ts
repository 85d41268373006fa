// Roles as data: the built-in admin/user/viewer (code, immutable) plus custom roles (SQLite, versioned), compiled into the authorizer and reloaded when any process changes them.
import type { Database } from 'better-sqlite3';
import { BUILTIN_ROLES, roleName } from '../../../shared/api/common';
import { AppError } from '../../../shared/errors';
import type { Principal } from '../auth/principal';
import type { ChangeEpoch } from '../storage/change-epoch';
import { writeTransaction } from '../storage/database';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import type { MetaStore } from '../storage/meta';
import { createAuthorizer, type Authorizer, type RoleDefinition } from './authorizer';
import { BUILTIN_ROLE_DESCRIPTIONS, BUILTIN_ROLE_PERMISSIONS } from './builtin-roles';
import { parsePermission } from './permissions';

const META_ROLES_VERSION = 'roles_version';
const MAX_PERMISSIONS = 200;

export interface RoleView {
  name: string;
  description: string;
  permissions: string[];
  builtin: boolean;
  version: number;
  updated_by: string;
  updated_at: string;
}

export interface RoleHolders {
  users: string[];
  api_keys: string[];
}

export interface RoleChange {
  before: RoleView | null;
  after: RoleView | null;
}

export interface RoleStore {
  /** The authorizer, always on the latest policy (reloaded when roles changed here or in another process). */
  readonly authorizer: Authorizer;
  /** Changes whenever any role changes (here or in another process): callers that derive state from the policy re-derive only then. */
  policyVersion(): string;
  list(): RoleView[];
  get(name: string): RoleView;
  holders(name: string): RoleHolders;
  create(actor: Principal, input: { name: string; description?: string | undefined; permissions: string[] }): RoleChange;
  update(actor: Principal, name: string, input: { description?: string | undefined; permissions?: string[] | undefined }): RoleChange;
  remove(actor: Principal, name: string): RoleChange;
}

interface RoleRow {
  name: string;
  description: string;
  permissions: string;
  version: number;
  updated_by: string;
  updated_at: string;
}

const isBuiltin = (name: string) => (BUILTIN_ROLES as readonly string[]).includes(name);

function builtinView(name: (typeof BUILTIN_ROLES)[number]): RoleView {
  return { name, description: BUILTIN_ROLE_DESCRIPTIONS[name], permissions: [...BUILTIN_ROLE_PERMISSIONS[name]], builtin: true, version: 1, updated_by: 'system', updated_at: '1970-01-01T00:00:00.000Z' };
}

function view(row: RoleRow): RoleView {
  return { name: row.name, description: row.description, permissions: JSON.parse(row.permissions) as string[], builtin: false, version: row.version, updated_by: row.updated_by, updated_at: row.updated_at };
}

/** Checks a permission list completely before anything is written: unknown parts, malformed wildcards, duplicates. */
function checkPermissions(permissions: readonly string[]): string[] {
  if (permissions.length > MAX_PERMISSIONS) throw new AppError('VALIDATION_FAILED', `a role has at most ${MAX_PERMISSIONS} permissions`);
  const unique = [...new Set(permissions.map((p) => p.trim()))];
  for (const permission of unique) parsePermission(permission);
  return unique;
}

export interface RoleStoreDeps {
  db: Database;
  meta: MetaStore;
  epoch: ChangeEpoch;
  now?: () => Date;
}

export function createRoleStore({ db, meta, epoch, now = () => new Date() }: RoleStoreDeps): RoleStore {
  const selectAll = db.prepare<[], RoleRow>('SELECT name, description, permissions, version, updated_by, updated_at FROM roles ORDER BY name');
  const selectOne = db.prepare<[string], RoleRow>('SELECT name, description, permissions, version, updated_by, updated_at FROM roles WHERE name = ?');
  const inner = createAuthorizer([]);
  let loadedVersion: string | undefined;
  let checkedEpoch = Number.NaN;

  function definitions(): RoleDefinition[] {
    return [...BUILTIN_ROLES.map((name) => ({ name, permissions: BUILTIN_ROLE_PERMISSIONS[name] })), ...selectAll.all().map((r) => ({ name: r.name, permissions: JSON.parse(r.permissions) as string[] }))];
  }

  function reload(): void {
    loadedVersion = meta.get(META_ROLES_VERSION) ?? '0';
    // Compiled as a whole, then swapped in one assignment inside the authorizer: no request sees half a policy.
    inner.load(definitions());
  }

  /** Cheap on the hot path: only when the database changed at all (epoch) is the roles version read. */
  function sync(): void {
    const current = epoch.read();
    if (current === checkedEpoch) return;
    checkedEpoch = current;
    if ((meta.get(META_ROLES_VERSION) ?? '0') !== loadedVersion) reload();
  }

  const authorizer: Authorizer = {
    decide: (role, need) => (sync(), inner.decide(role, need)),
    require: (role, need) => (sync(), inner.require(role, need)),
    hasRole: (role) => (sync(), inner.hasRole(role)),
    roles: () => (sync(), inner.roles()),
    permissionsOf: (role) => (sync(), inner.permissionsOf(role)),
    roleWithin: (a, b) => (sync(), inner.roleWithin(a, b)),
    permissionsWithin: (permissions, role) => (sync(), inner.permissionsWithin(permissions, role)),
    load: (next) => inner.load(next),
  };

  function find(name: string): RoleView | undefined {
    if (isBuiltin(name)) return builtinView(name as (typeof BUILTIN_ROLES)[number]);
    const row = selectOne.get(name);
    return row === undefined ? undefined : view(row);
  }

  function require(name: string): RoleView {
    const role = find(name);
    if (role === undefined) throw new AppError('NOT_FOUND', `no role ${JSON.stringify(name)}`);
    return role;
  }

  /**
   * Roles are one policy for the whole mesh, so only the default tenant's principals (and the local operator) change
   * them: another tenant's admin must not reshape the rights of users outside their tenant.
   */
  function guardTenant(actor: Principal): void {
    if (actor.tenantId !== DEFAULT_TENANT_ID) throw new AppError('FORBIDDEN', `roles are shared by every tenant, so only the ${DEFAULT_TENANT_ID} tenant's administrators can change them`);
  }

  /** Nobody hands out (or takes for a role they can edit) permissions their own role does not grant. */
  function guardEscalation(actor: Principal, permissions: readonly string[], name: string): void {
    if (actor.role === name) throw new AppError('FORBIDDEN', `you hold role ${name}, so you cannot change it; ask someone with another role that may manage roles`);
    const beyond = permissions.filter((p) => !authorizer.permissionsWithin([p], actor.role));
    if (beyond.length > 0) throw new AppError('FORBIDDEN', `cannot grant ${beyond.join(', ')}: your role ${actor.role} does not have ${beyond.length === 1 ? 'it' : 'them'}`);
  }

  function bump(): void {
    meta.set(META_ROLES_VERSION, String(Number(meta.get(META_ROLES_VERSION) ?? '0') + 1));
  }

  function record(name: string, version: number, description: string, permissions: string, deleted: boolean, actor: Principal, at: string): void {
    db.prepare("INSERT INTO role_versions (tenant_id, name, version, description, permissions, deleted, changed_by, changed_at) VALUES ('default', ?, ?, ?, ?, ?, ?, ?)").run(name, version, description, permissions, deleted ? 1 : 0, actor.subject, at);
  }

  function holders(name: string): RoleHolders {
    return {
      users: db.prepare('SELECT username FROM users WHERE role = ? ORDER BY username').pluck().all(name) as string[],
      api_keys: db.prepare('SELECT id FROM api_keys WHERE role = ? AND revoked_at IS NULL ORDER BY id').pluck().all(name) as string[],
    };
  }

  reload();

  return {
    authorizer,
    policyVersion() {
      sync();
      return loadedVersion ?? '0';
    },
    list: () => [...BUILTIN_ROLES.map(builtinView), ...selectAll.all().map(view)],
    get: require,
    holders,
    create(actor, input) {
      const parsed = roleName.safeParse(input.name);
      if (!parsed.success) throw new AppError('VALIDATION_FAILED', `role name ${JSON.stringify(input.name)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      guardTenant(actor);
      if (find(input.name) !== undefined) throw new AppError('CONFLICT', `role ${input.name} already exists`);
      const permissions = checkPermissions(input.permissions);
      guardEscalation(actor, permissions, input.name);
      const change = writeTransaction(db, () => {
        if (find(input.name) !== undefined) throw new AppError('CONFLICT', `role ${input.name} already exists`);
        const at = now().toISOString();
        const text = JSON.stringify(permissions);
        const previous = (db.prepare('SELECT max(version) FROM role_versions WHERE name = ?').pluck().get(input.name) as number | null) ?? 0;
        db.prepare("INSERT INTO roles (name, tenant_id, description, permissions, version, updated_by, created_at, updated_at) VALUES (?, 'default', ?, ?, ?, ?, ?, ?)").run(
          input.name, input.description ?? '', text, previous + 1, actor.subject, at, at,
        );
        record(input.name, previous + 1, input.description ?? '', text, false, actor, at);
        bump();
        return { before: null, after: require(input.name) };
      });
      reload();
      return change;
    },
    update(actor, name, input) {
      guardTenant(actor);
      if (isBuiltin(name)) throw new AppError('FORBIDDEN', `${name} is a built-in role and cannot be changed; create a custom role instead`);
      if (input.permissions === undefined && input.description === undefined) throw new AppError('VALIDATION_FAILED', 'nothing to change: give permissions and/or description');
      const permissions = input.permissions === undefined ? undefined : checkPermissions(input.permissions);
      const change = writeTransaction(db, () => {
        const before = require(name);
        // Both sides count: a role you could not have created is not yours to reshape either.
        guardEscalation(actor, [...before.permissions, ...(permissions ?? [])], name);
        const at = now().toISOString();
        const description = input.description ?? before.description;
        const text = JSON.stringify(permissions ?? before.permissions);
        db.prepare('UPDATE roles SET description = ?, permissions = ?, version = version + 1, updated_by = ?, updated_at = ? WHERE name = ?').run(description, text, actor.subject, at, name);
        record(name, before.version + 1, description, text, false, actor, at);
        bump();
        return { before, after: require(name) };
      });
      reload();
      return change;
    },
    remove(actor, name) {
      guardTenant(actor);
      if (isBuiltin(name)) throw new AppError('FORBIDDEN', `${name} is a built-in role and cannot be deleted`);
      const change = writeTransaction(db, () => {
        const before = require(name);
        guardEscalation(actor, before.permissions, name);
        const held = holders(name);
        if (held.users.length > 0 || held.api_keys.length > 0) {
          const who = [...held.users.map((u) => `user ${u}`), ...held.api_keys.map((k) => `API key ${k}`)];
          throw new AppError('CONFLICT', `role ${name} is in use by ${who.join(', ')}; give them another role (or revoke the keys) first`, { details: { holders: held } });
        }
        const at = now().toISOString();
        db.prepare('DELETE FROM roles WHERE name = ?').run(name);
        record(name, before.version + 1, before.description, JSON.stringify(before.permissions), true, actor, at);
        bump();
        return { before, after: null };
      });
      reload();
      return change;
    },
  };
}
