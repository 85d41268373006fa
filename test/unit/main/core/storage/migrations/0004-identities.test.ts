// Migration 0004 (identities): users, API keys and refresh tokens, their indexes and the constraints that keep them consistent.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../../../../src/main/core/storage/migrate';
import { MIGRATIONS } from '../../../../../../src/main/core/storage/migrations/index';

const USER = 'INSERT INTO users (id, tenant_id, username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
const KEY = 'INSERT INTO api_keys (id, tenant_id, name, role, key_hash, owner_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const REFRESH = 'INSERT INTO refresh_tokens (id, tenant_id, family_id, user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)';

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** A database migrated up to and including 0004, with foreign keys enforced as the app enforces them. */
function migrated(): Db {
  const db = new Database(':memory:');
  open.push(db);
  db.pragma('foreign_keys = ON');
  expect(migrate(db, MIGRATIONS.slice(0, 4))).toEqual([1, 2, 3, 4]);
  return db;
}

function addUser(db: Db, id: string, username = id): void {
  db.prepare(USER).run(id, 'default', username, '$2b$12$hash', 'user', 'now', 'now');
}

describe('migration 0004: identities', () => {
  it('creates users, api_keys and refresh_tokens with their columns and indexes', () => {
    const db = migrated();
    const columns = (table: string) => db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table);
    expect(columns('users')).toEqual(['id', 'tenant_id', 'username', 'password_hash', 'role', 'disabled', 'failed_logins', 'locked_until', 'created_at', 'updated_at']);
    expect(columns('api_keys')).toEqual(['id', 'tenant_id', 'name', 'role', 'key_hash', 'owner_id', 'created_by', 'created_at', 'expires_at', 'last_used_at', 'revoked_at']);
    expect(columns('refresh_tokens')).toEqual(['id', 'tenant_id', 'family_id', 'user_id', 'token_hash', 'created_at', 'expires_at', 'used_at', 'revoked_at']);
    const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' AND tbl_name IN ('users', 'api_keys', 'refresh_tokens') ORDER BY name").pluck().all();
    expect(indexes).toEqual(['api_keys_owner', 'api_keys_tenant', 'refresh_tokens_family', 'refresh_tokens_user', 'users_tenant']);
    // All three are STRICT: a value of the wrong type is refused, not coerced.
    expect(db.prepare("SELECT name FROM pragma_table_list WHERE strict = 1 AND name IN ('users', 'api_keys', 'refresh_tokens') ORDER BY name").pluck().all()).toEqual(['api_keys', 'refresh_tokens', 'users']);
  });

  it('gives a new user sensible defaults: enabled, no failed logins, not locked', () => {
    const db = migrated();
    addUser(db, 'u1', 'alice');
    expect(db.prepare('SELECT disabled, failed_logins, locked_until FROM users WHERE id = ?').get('u1')).toEqual({ disabled: 0, failed_logins: 0, locked_until: null });
  });

  it('keeps usernames unique and between 1 and 64 characters', () => {
    const db = migrated();
    addUser(db, 'u1', 'alice');
    expect(() => addUser(db, 'u2', 'alice')).toThrow(/UNIQUE constraint failed: users.username/);
    expect(() => addUser(db, 'u3', '')).toThrow(/CHECK/);
    expect(() => addUser(db, 'u4', 'a'.repeat(65))).toThrow(/CHECK/);
    addUser(db, 'u5', 'a'.repeat(64));
    expect(() => addUser(db, 'u1', 'bob')).toThrow(/UNIQUE|PRIMARY KEY/);
  });

  it('accepts only 0 or 1 for disabled, and only a text role', () => {
    const db = migrated();
    addUser(db, 'u1');
    expect(() => db.prepare('UPDATE users SET disabled = 2 WHERE id = ?').run('u1')).toThrow(/CHECK/);
    db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run('u1');
    expect(() => db.prepare(USER).run('u2', 'default', 'bob', 'h', Buffer.from('admin'), 'now', 'now')).toThrow(/cannot store BLOB value in TEXT column users.role/);
  });

  it('ties every identity to an existing tenant', () => {
    const db = migrated();
    expect(() => db.prepare(USER).run('u1', 'nowhere', 'alice', 'h', 'user', 'now', 'now')).toThrow(/FOREIGN KEY/);
    addUser(db, 'u2');
    expect(() => db.prepare(KEY).run('k1', 'nowhere', 'ci', 'viewer', Buffer.alloc(32), 'u2', 'test', 'now')).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(REFRESH).run('r1', 'nowhere', 'f1', 'u2', Buffer.alloc(32), 'now', 'later')).toThrow(/FOREIGN KEY/);
  });

  it('checks API key names and refuses a key hash stored as text', () => {
    const db = migrated();
    db.prepare(KEY).run('k1', 'default', 'ci', 'viewer', Buffer.alloc(32), null, 'test', 'now');
    expect(() => db.prepare(KEY).run('k2', 'default', '', 'viewer', Buffer.alloc(32), null, 'test', 'now')).toThrow(/CHECK/);
    expect(() => db.prepare(KEY).run('k3', 'default', 'n'.repeat(101), 'viewer', Buffer.alloc(32), null, 'test', 'now')).toThrow(/CHECK/);
    expect(() => db.prepare(KEY).run('k4', 'default', 'ci', 'viewer', 'dmk_plaintext', null, 'test', 'now')).toThrow(/cannot store TEXT value in BLOB column/);
    expect(() => db.prepare(KEY).run('k5', 'default', 'ci', 'viewer', Buffer.alloc(32), 'no-such-user', 'test', 'now')).toThrow(/FOREIGN KEY/);
  });

  it("keeps an API key when its owner is deleted, but forgets the owner", () => {
    const db = migrated();
    addUser(db, 'u1');
    db.prepare(KEY).run('k1', 'default', 'ci', 'viewer', Buffer.alloc(32), 'u1', 'test', 'now');
    db.prepare('DELETE FROM users WHERE id = ?').run('u1');
    expect(db.prepare('SELECT id, owner_id FROM api_keys').all()).toEqual([{ id: 'k1', owner_id: null }]);
  });

  it("deletes a user's refresh tokens with the user, and only theirs", () => {
    const db = migrated();
    addUser(db, 'u1');
    addUser(db, 'u2');
    const insert = db.prepare(REFRESH);
    insert.run('r1', 'default', 'f1', 'u1', Buffer.alloc(32), 'now', 'later');
    insert.run('r2', 'default', 'f1', 'u1', Buffer.alloc(32), 'now', 'later');
    insert.run('r3', 'default', 'f2', 'u2', Buffer.alloc(32), 'now', 'later');
    expect(() => insert.run('r4', 'default', 'f3', 'no-such-user', Buffer.alloc(32), 'now', 'later')).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM users WHERE id = ?').run('u1');
    expect(db.prepare('SELECT id FROM refresh_tokens ORDER BY id').pluck().all()).toEqual(['r3']);
  });

  it('cannot delete a tenant that still has users', () => {
    const db = migrated();
    db.prepare("INSERT INTO tenants VALUES ('acme', 'acme', 'now')").run();
    db.prepare(USER).run('u1', 'acme', 'alice', 'h', 'user', 'now', 'now');
    expect(() => db.prepare("DELETE FROM tenants WHERE tenant_id = 'acme'").run()).toThrow(/FOREIGN KEY/);
  });

  it('is recorded once even when migrate runs twice', () => {
    const db = migrated();
    expect(migrate(db, MIGRATIONS.slice(0, 4))).toEqual([]);
    expect(migrate(db, MIGRATIONS.slice(0, 5))).toEqual([5]);
    expect(db.prepare('SELECT version, name FROM schema_migrations WHERE version = 4').all()).toEqual([{ version: 4, name: 'identities' }]);
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(5);
  });
});
