import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../../../../src/main/core/storage/migrate';
import { migration0001 } from '../../../../../../src/main/core/storage/migrations/0001-tenants-and-meta';
import { migration0002 } from '../../../../../../src/main/core/storage/migrations/0002-secrets';

describe('migration 0002: secrets', () => {
  it('creates a tenant-scoped table of ciphertext blobs with their key version', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, [migration0001, migration0002])).toEqual([1, 2]);
    const insert = db.prepare('INSERT INTO secrets VALUES (?, ?, ?, ?, ?, ?)');
    insert.run('default', 'jwt', Buffer.from([1, 2, 3]), 1, 'now', 'now');
    expect(db.prepare('SELECT ciphertext, key_version FROM secrets').get()).toEqual({ ciphertext: Buffer.from([1, 2, 3]), key_version: 1 });
    expect(() => insert.run('default', 'jwt', Buffer.from([4]), 1, 'now', 'now')).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => insert.run('no-such-tenant', 'jwt', Buffer.from([4]), 1, 'now', 'now')).toThrow(/FOREIGN KEY/);
    // STRICT: a string is not a blob.
    expect(() => insert.run('default', 'other', 'plaintext', 1, 'now', 'now')).toThrow(/cannot store TEXT value in BLOB column/);
    db.close();
  });
});
