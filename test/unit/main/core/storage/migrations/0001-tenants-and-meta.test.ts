import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../../../../src/main/core/storage/migrate';
import { DEFAULT_TENANT_ID, migration0001 } from '../../../../../../src/main/core/storage/migrations/0001-tenants-and-meta';

describe('migration 0001: tenants and meta', () => {
  it('creates the default tenant and a tenant-scoped meta table', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, [migration0001])).toEqual([1]);
    expect(db.prepare('SELECT tenant_id, name FROM tenants').all()).toEqual([{ tenant_id: DEFAULT_TENANT_ID, name: DEFAULT_TENANT_ID }]);
    db.prepare("INSERT INTO meta VALUES ('default', 'k', 'v', 'now')").run();
    // Meta rows belong to an existing tenant.
    expect(() => db.prepare("INSERT INTO meta VALUES ('nobody', 'k', 'v', 'now')").run()).toThrow(/FOREIGN KEY/);
    // The same key may exist once per tenant.
    expect(() => db.prepare("INSERT INTO meta VALUES ('default', 'k', 'v2', 'now')").run()).toThrow(/UNIQUE|PRIMARY KEY/);
    db.close();
  });

  it('rejects empty and over-long tenant ids', () => {
    const db = new Database(':memory:');
    migrate(db, [migration0001]);
    expect(() => db.prepare("INSERT INTO tenants VALUES ('', 'x', 'now')").run()).toThrow(/CHECK/);
    expect(() => db.prepare('INSERT INTO tenants VALUES (?, ?, ?)').run('t'.repeat(65), 'y', 'now')).toThrow(/CHECK/);
    db.close();
  });
});
