// Users: username + bcrypt password, role, disabled flag, failed-login lockout; guard rails keep at least one active admin.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import type { Authorizer } from '../rbac/authorizer';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import { BCRYPT_COST, hashPassword } from './passwords';
import { createChangeEpoch, createEpochCache, type ChangeEpoch } from '../storage/change-epoch';

export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface User {
  id: string;
  tenant_id: string;
  username: string;
  role: string;
  disabled: boolean;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

interface UserRow extends Omit<User, 'disabled'> {
  disabled: 0 | 1;
  password_hash: string;
  failed_logins: number;
}

export interface UserWithSecret extends User {
  password_hash: string;
  failed_logins: number;
}

export interface LockoutPolicy {
  maxFailures: number;
  lockoutSeconds: number;
}

export interface UserService {
  create(input: { username: string; password: string; role: string; tenantId?: string }): Promise<User>;
  byId(id: string): UserWithSecret | undefined;
  byUsername(username: string): UserWithSecret | undefined;
  /** The user of this name, or NOT_FOUND. */
  require(username: string): User;
  list(filter?: { tenantId?: string }): User[];
  setRole(id: string, role: string): User;
  resetPassword(id: string, password: string): Promise<User>;
  setDisabled(id: string, disabled: boolean): User;
  /** Counts a failed login; returns whether this one locked the account. */
  recordFailedLogin(id: string, policy: LockoutPolicy): { locked: boolean };
  recordSuccessfulLogin(id: string): void;
  /** Active admins of a tenant. */
  countActiveAdmins(tenantId?: string): number;
}

function toUser(row: UserRow): UserWithSecret {
  return { ...row, disabled: row.disabled === 1 };
}

/** Only what may leave the service boundary: no password hash, no failure count. */
export function publicUser(user: UserWithSecret | User): User {
  const { id, tenant_id, username, role, disabled, locked_until, created_at, updated_at } = user;
  return { id, tenant_id, username, role, disabled, locked_until, created_at, updated_at };
}

export interface UserServiceDeps {
  db: Database;
  authorizer: Authorizer;
  /** Shared change detector; byId answers from memory while nothing changed. */
  epoch?: ChangeEpoch;
  now?: () => Date;
  /** bcrypt cost; tests lower it, production keeps 12. */
  passwordCost?: number;
}

export function createUserService({ db, authorizer, epoch = createChangeEpoch(db), now = () => new Date(), passwordCost = BCRYPT_COST }: UserServiceDeps): UserService {
  // Every authenticated request looks its user up (current role, disabled flag): served from memory until anything changes.
  const byIdCache = createEpochCache<string, UserWithSecret | null>(epoch);
  const columns = 'id, tenant_id, username, password_hash, role, disabled, failed_logins, locked_until, created_at, updated_at';
  const selectById = db.prepare<[string], UserRow>(`SELECT ${columns} FROM users WHERE id = ?`);
  const selectByName = db.prepare<[string], UserRow>(`SELECT ${columns} FROM users WHERE username = ?`);
  const activeAdmins = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND tenant_id = ?");

  function requireRole(role: string): void {
    if (!authorizer.hasRole(role)) throw new AppError('VALIDATION_FAILED', `role ${JSON.stringify(role)} does not exist; use one of ${authorizer.roles().join(', ')}`);
  }

  function byIdOrThrow(id: string): UserWithSecret {
    const row = selectById.get(id);
    if (row === undefined) throw new AppError('NOT_FOUND', 'no such user');
    return toUser(row);
  }

  /** A tenant's last active admin cannot be demoted or disabled: the tenant would have nobody to administer it. */
  function guardLastAdmin(user: UserWithSecret, change: string): void {
    if (user.role === 'admin' && !user.disabled && activeAdmins.get(user.tenant_id)?.n === 1) {
      throw new AppError('CONFLICT', `${user.username} is the last active admin and cannot be ${change}; make another user admin first`);
    }
  }

  const stamp = () => now().toISOString();
  /** Runs a write and forgets cached users (data_version does not count this connection's own commits). */
  const changing = <T>(work: () => T): T => {
    try {
      return work();
    } finally {
      byIdCache.clear();
    }
  };

  return {
    async create({ username, password, role, tenantId = DEFAULT_TENANT_ID }) {
      if (!USERNAME.test(username)) throw new AppError('VALIDATION_FAILED', `username ${JSON.stringify(username)}: use 1-64 letters, digits, . _ @ -, starting with a letter or digit`);
      requireRole(role);
      if (selectByName.get(username) !== undefined) throw new AppError('CONFLICT', `user ${username} already exists`);
      const hash = await hashPassword(password, passwordCost);
      const at = stamp();
      const id = randomUUID();
      try {
        changing(() => db.prepare(`INSERT INTO users (${columns}) VALUES (?, ?, ?, ?, ?, 0, 0, NULL, ?, ?)`).run(id, tenantId, username, hash, role, at, at));
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('CONFLICT', `user ${username} already exists`);
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new AppError('NOT_FOUND', `no tenant ${JSON.stringify(tenantId)}`);
        throw error;
      }
      return publicUser(byIdOrThrow(id));
    },
    byId: (id) => {
      const cached = byIdCache.get(id);
      if (cached !== undefined) return cached ?? undefined;
      const row = selectById.get(id);
      const user = row === undefined ? null : toUser(row);
      byIdCache.set(id, user);
      return user ?? undefined;
    },
    byUsername: (username) => {
      const row = selectByName.get(username);
      return row === undefined ? undefined : toUser(row);
    },
    require(username) {
      const row = selectByName.get(username);
      if (row === undefined) throw new AppError('NOT_FOUND', `no user ${JSON.stringify(username)}`);
      return publicUser(toUser(row));
    },
    list({ tenantId } = {}) {
      const rows = tenantId === undefined
        ? db.prepare<[], UserRow>(`SELECT ${columns} FROM users ORDER BY username`).all()
        : db.prepare<[string], UserRow>(`SELECT ${columns} FROM users WHERE tenant_id = ? ORDER BY username`).all(tenantId);
      return rows.map((r) => publicUser(toUser(r)));
    },
    setRole(id, role) {
      requireRole(role);
      // Check and change under one write lock: two processes demoting two admins at once cannot leave none.
      return changing(() => db.transaction(() => {
        const user = byIdOrThrow(id);
        if (role !== 'admin') guardLastAdmin(user, 'demoted');
        db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE id = ?').run(role, stamp(), id);
        return publicUser(byIdOrThrow(id));
      }).immediate());
    },
    async resetPassword(id, password) {
      byIdOrThrow(id);
      const hash = await hashPassword(password, passwordCost);
      // A reset also lifts a lockout: the operator has vouched for the account.
      changing(() => db.prepare('UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?').run(hash, stamp(), id));
      return publicUser(byIdOrThrow(id));
    },
    setDisabled(id, disabled) {
      return changing(() => db.transaction(() => {
        const user = byIdOrThrow(id);
        if (disabled) guardLastAdmin(user, 'disabled');
        db.prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?').run(disabled ? 1 : 0, stamp(), id);
        return publicUser(byIdOrThrow(id));
      }).immediate());
    },
    recordFailedLogin: (id, policy) => changing(() => recordFailure(id, policy)),
    recordSuccessfulLogin(id) {
      changing(() => db.prepare('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ? AND (failed_logins != 0 OR locked_until IS NOT NULL)').run(id));
    },
    countActiveAdmins: (tenantId = DEFAULT_TENANT_ID) => activeAdmins.get(tenantId)?.n ?? 0,
  };

  function recordFailure(id: string, { maxFailures, lockoutSeconds }: LockoutPolicy): { locked: boolean } {
    const at = now();
    const row = db
      .prepare<[string, string], { failed_logins: number }>('UPDATE users SET failed_logins = failed_logins + 1, updated_at = ? WHERE id = ? RETURNING failed_logins')
      .get(at.toISOString(), id);
    if (row === undefined || row.failed_logins < maxFailures) return { locked: false };
    const until = new Date(at.getTime() + lockoutSeconds * 1000).toISOString();
    db.prepare('UPDATE users SET locked_until = ?, failed_logins = 0 WHERE id = ?').run(until, id);
    return { locked: true };
  }
}
