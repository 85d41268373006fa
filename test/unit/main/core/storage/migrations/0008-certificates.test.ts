// Migration 0008 (certificates): the certificates and tls_serving tables, one current CA per tenant, serial spelling, bindings and serving rows that must name a known certificate.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../../../../src/main/core/storage/migrate';
import { MIGRATIONS } from '../../../../../../src/main/core/storage/migrations/index';

const CERT = `INSERT INTO certificates (tenant_id, serial, kind, subject_cn, subject, issuer_serial, not_before, not_after, sha256, sha1, cert_pem, has_key, bound_role, bound_user_id, created_by, created_at, is_current_ca)
  VALUES (@tenant, @serial, @kind, 'cn', 'CN=cn', @issuer, 'nb', 'na', 'AA', 'BB', 'pem', 1, @role, @user, 'cli:test', 'now', @current)`;
const SERVING = "INSERT INTO tls_serving (tenant_id, server, serial, updated_by, updated_at) VALUES (?, ?, ?, 'cli:test', 'now')";

interface Cert {
  tenant?: string;
  serial: string;
  kind?: string;
  issuer?: string | null;
  role?: string | null;
  user?: string | null;
  current?: number;
}

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function migrated(): Db {
  const db = new Database(':memory:');
  open.push(db);
  db.pragma('foreign_keys = ON');
  expect(migrate(db, MIGRATIONS.slice(0, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  return db;
}

function add(db: Db, cert: Cert): void {
  db.prepare(CERT).run({ tenant: 'default', kind: 'server', issuer: null, role: null, user: null, current: 0, ...cert });
}

describe('migration 0008: certificates', () => {
  it('creates certificates and tls_serving, STRICT, with their indexes', () => {
    const db = migrated();
    const columns = (table: string) => db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table);
    expect(columns('certificates')).toEqual([
      'tenant_id', 'serial', 'kind', 'subject_cn', 'subject', 'sans', 'issuer_serial', 'not_before', 'not_after', 'sha256', 'sha1', 'cert_pem', 'chain_pem',
      'has_key', 'bound_role', 'bound_user_id', 'revoked_at', 'revocation_reason', 'created_by', 'created_at', 'is_current_ca',
    ]);
    expect(columns('tls_serving')).toEqual(['tenant_id', 'server', 'serial', 'updated_by', 'updated_at']);
    const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' AND tbl_name IN ('certificates', 'tls_serving') ORDER BY name").pluck().all();
    expect(indexes).toEqual(['certificates_current_ca', 'certificates_not_after']);
    expect(db.prepare("SELECT name FROM pragma_table_list WHERE strict = 1 AND name IN ('certificates', 'tls_serving') ORDER BY name").pluck().all()).toEqual(['certificates', 'tls_serving']);
    // No column can hold a private key: they live in secrets.
    expect(columns('certificates').filter((c) => /key/.test(String(c)))).toEqual(['has_key']);
  });

  it('fills in defaults: no SANs, no chain, not revoked, not the current CA', () => {
    const db = migrated();
    db.prepare("INSERT INTO certificates (tenant_id, serial, kind, subject_cn, subject, not_before, not_after, sha256, sha1, cert_pem, has_key, created_by, created_at) VALUES ('default', 'ab', 'server', 'cn', 'CN=cn', 'nb', 'na', 'AA', 'BB', 'pem', 0, 'x', 'now')").run();
    expect(db.prepare('SELECT sans, chain_pem, revoked_at, revocation_reason, is_current_ca FROM certificates').get()).toEqual({ sans: '[]', chain_pem: '', revoked_at: null, revocation_reason: null, is_current_ca: 0 });
  });

  it('takes serials as lower-case hex only, unique per tenant', () => {
    const db = migrated();
    db.prepare("INSERT INTO tenants VALUES ('acme', 'acme', 'now')").run();
    add(db, { serial: '0a1b' });
    expect(() => add(db, { serial: '0a1b' })).toThrow(/UNIQUE constraint failed: certificates.tenant_id, certificates.serial/);
    add(db, { tenant: 'acme', serial: '0a1b' });
    for (const serial of ['0A1B', '0a:1b', '', 'xyz', 'a'.repeat(65), '../x']) expect(() => add(db, { serial }), serial).toThrow(/CHECK/);
    add(db, { serial: 'f' });
    expect(() => add(db, { tenant: 'nowhere', serial: 'aa' })).toThrow(/FOREIGN KEY/);
  });

  it('knows four kinds, and binds only client certificates, to a role or a user but not both', () => {
    const db = migrated();
    db.prepare("INSERT INTO users (id, tenant_id, username, password_hash, role, created_at, updated_at) VALUES ('u1', 'default', 'wes', 'h', 'user', 'now', 'now')").run();
    for (const [i, kind] of ['ca', 'server', 'client', 'imported'].entries()) add(db, { serial: `a${i}`, kind });
    expect(() => add(db, { serial: 'b0', kind: 'intermediate' })).toThrow(/CHECK/);
    add(db, { serial: 'c1', kind: 'client', role: 'viewer' });
    add(db, { serial: 'c2', kind: 'client', user: 'u1' });
    expect(() => add(db, { serial: 'c3', kind: 'client', role: 'viewer', user: 'u1' })).toThrow(/CHECK/);
    expect(() => add(db, { serial: 'c4', kind: 'server', role: 'viewer' })).toThrow(/CHECK/);
    expect(() => add(db, { serial: 'c5', kind: 'client', user: 'ghost' })).toThrow(/FOREIGN KEY/);
    // A deleted user leaves the certificate unbound (it then authenticates nobody).
    db.prepare("DELETE FROM users WHERE id = 'u1'").run();
    expect(db.prepare("SELECT bound_user_id FROM certificates WHERE serial = 'c2'").pluck().get()).toBeNull();
  });

  it('allows one current CA per tenant, and only a CA can be it', () => {
    const db = migrated();
    db.prepare("INSERT INTO tenants VALUES ('acme', 'acme', 'now')").run();
    add(db, { serial: 'c1', kind: 'ca', current: 1 });
    expect(() => add(db, { serial: 'c2', kind: 'ca', current: 1 })).toThrow(/UNIQUE constraint failed: certificates.tenant_id/);
    add(db, { serial: 'c2', kind: 'ca', current: 0 });
    add(db, { tenant: 'acme', serial: 'c3', kind: 'ca', current: 1 });
    expect(() => add(db, { serial: 'c4', kind: 'server', current: 1 })).toThrow(/CHECK/);
    expect(() => add(db, { serial: 'c5', kind: 'ca', current: 2 })).toThrow(/CHECK/);
    db.prepare("UPDATE certificates SET is_current_ca = 0 WHERE tenant_id = 'default' AND is_current_ca = 1").run();
    db.prepare("UPDATE certificates SET is_current_ca = 1 WHERE tenant_id = 'default' AND serial = 'c2'").run();
  });

  it('points issuer_serial and serving rows at certificates of the same tenant', () => {
    const db = migrated();
    db.prepare("INSERT INTO tenants VALUES ('acme', 'acme', 'now')").run();
    add(db, { serial: 'ca', kind: 'ca', current: 1 });
    add(db, { serial: 'b1', issuer: 'ca' });
    expect(() => add(db, { serial: 'b2', issuer: 'ff' })).toThrow(/FOREIGN KEY/);
    expect(() => add(db, { tenant: 'acme', serial: 'b3', issuer: 'ca' })).toThrow(/FOREIGN KEY/);
    const serve = db.prepare(SERVING);
    expect(() => serve.run('default', 'api', 'ff')).toThrow(/FOREIGN KEY/);
    expect(() => serve.run('acme', 'api', 'b1')).toThrow(/FOREIGN KEY/);
    expect(() => serve.run('default', 'web', 'b1')).toThrow(/CHECK/);
    serve.run('default', 'api', 'b1');
    serve.run('default', 'mcp', 'b1');
    expect(() => serve.run('default', 'api', 'b1')).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => db.prepare("UPDATE tls_serving SET serial = 'ff' WHERE server = 'api'").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("DELETE FROM certificates WHERE serial = 'b1'").run()).toThrow(/FOREIGN KEY/);
  });

  it('is recorded once even when migrate runs twice', () => {
    const db = migrated();
    expect(migrate(db, MIGRATIONS.slice(0, 8))).toEqual([]);
    expect(db.prepare('SELECT version, name FROM schema_migrations WHERE version = 8').all()).toEqual([{ version: 8, name: 'certificates' }]);
  });
});
