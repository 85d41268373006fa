import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { APPLICATION_ID, openStorage } from '../../../../../src/main/core/storage/database';
import { MIGRATIONS, LATEST_SCHEMA_VERSION } from '../../../../../src/main/core/storage/migrations/index';
import type { Migration } from '../../../../../src/main/core/storage/migrations/types';
import { AppError } from '../../../../../src/shared/errors';
import { tempDir } from '../../../../helpers/temp-dir';
import { errorOf, sha256OfFile } from '../../../../helpers/errors';



describe('openStorage', () => {
  it('creates an owner-only database with WAL, foreign keys, a busy timeout and every migration', () => {
    const file = join(tempDir(), 'devmesh.db');
    const storage = openStorage({ file });
    try {
      expect(storage.created).toBe(true);
      expect(storage.readOnly).toBe(false);
      expect(storage.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      expect(storage.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(storage.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(storage.db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
      expect(storage.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      const recorded = storage.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      expect(recorded).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      storage.close();
    }
  });

  it('reopens without re-running migrations', () => {
    const file = join(tempDir(), 'devmesh.db');
    openStorage({ file }).close();
    const again = openStorage({ file });
    expect(again.created).toBe(false);
    expect(again.db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: LATEST_SCHEMA_VERSION });
    again.close();
  });

  it('gives every table a tenant_id column (the migration ledger and FTS5 internals aside)', () => {
    const storage = openStorage({ file: join(tempDir(), 'devmesh.db') });
    const tables = storage.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    // FTS5 keeps its index in shadow tables named <table>_data, _idx, _content, _docsize, _config; the virtual table itself carries tenant_id.
    const virtual = storage.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'").pluck().all() as string[];
    const shadow = (t: string) => virtual.some((v) => t !== v && t.startsWith(`${v}_`));
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables.filter((t) => t !== 'schema_migrations' && !shadow(t))) {
      const columns = storage.db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table);
      expect(columns, `table ${table}`).toContain('tenant_id');
    }
    storage.close();
  });

  it('opens a database from a newer version read-only with a clear reason, writing nothing', () => {
    const file = join(tempDir(), 'devmesh.db');
    openStorage({ file }).close();
    const future: Migration = { version: LATEST_SCHEMA_VERSION + 1, name: 'from-the-future', up: (db) => db.exec('CREATE TABLE future (tenant_id TEXT)') };
    openStorage({ file, migrations: [...MIGRATIONS, future] }).close();
    const before = sha256OfFile(file);

    const storage = openStorage({ file });
    expect(storage.readOnly).toBe(true);
    expect(storage.schemaVersion).toBe(LATEST_SCHEMA_VERSION + 1);
    expect(storage.readOnlyReason).toMatch(new RegExp(`newer.*schema ${LATEST_SCHEMA_VERSION + 1}.*knows ${LATEST_SCHEMA_VERSION}.*read-only`));
    expect(() => storage.db.prepare("INSERT INTO meta VALUES ('default', 'k', 'v', 'now')").run()).toThrow();
    storage.close();
    expect(sha256OfFile(file)).toBe(before);
  });

  it('refuses a file that is not SQLite and leaves it byte for byte', () => {
    const file = join(tempDir(), 'devmesh.db');
    writeFileSync(file, 'this is a text file, not a database\n'.repeat(200));
    const before = sha256OfFile(file);
    const error = errorOf(() => openStorage({ file }));
    expect(error.code).toBe('STORAGE_CORRUPT');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/nothing was changed/);
    expect(sha256OfFile(file)).toBe(before);
  });

  it('refuses a damaged SQLite file and leaves it untouched', () => {
    const file = join(tempDir(), 'devmesh.db');
    const storage = openStorage({ file });
    storage.db.pragma('wal_checkpoint(TRUNCATE)');
    storage.close();
    const bytes = readFileSync(file);
    // Keep the header, overwrite the schema page with garbage.
    bytes.fill(0xa5, 100, Math.min(bytes.length, 4096));
    writeFileSync(file, bytes);
    const before = sha256OfFile(file);
    expect(errorOf(() => openStorage({ file })).code).toBe('STORAGE_CORRUPT');
    expect(sha256OfFile(file)).toBe(before);
  });

  it("refuses another program's SQLite database and leaves it untouched", () => {
    const file = join(tempDir(), 'devmesh.db');
    const foreign = new Database(file);
    foreign.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('precious')");
    foreign.close();
    const before = sha256OfFile(file);
    const error = errorOf(() => openStorage({ file }));
    expect(error.code).toBe('STORAGE_FOREIGN');
    expect(error.message).toMatch(/another program/);
    expect(sha256OfFile(file)).toBe(before);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('lets a beforeWrite hook veto the open with nothing written', () => {
    const file = join(tempDir(), 'devmesh.db');
    openStorage({ file }).close();
    const before = sha256OfFile(file);
    expect(() => openStorage({ file, beforeWrite: () => { throw new AppError('MASTER_KEY_WRONG', 'wrong key'); } })).toThrow('wrong key');
    expect(sha256OfFile(file)).toBe(before);
  });

  it('does not create a file when the hook vetoes a fresh open', () => {
    const file = join(tempDir(), 'devmesh.db');
    expect(() => openStorage({ file, beforeWrite: () => { throw new AppError('MASTER_KEY_UNAVAILABLE', 'no key'); } })).toThrow('no key');
    expect(existsSync(file)).toBe(false);
  });

  it('applies each migration in its own transaction: a failing one rolls back alone', () => {
    const file = join(tempDir(), 'devmesh.db');
    const broken: Migration = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'broken',
      up: (db) => {
        db.exec('CREATE TABLE half_done (tenant_id TEXT)');
        throw new Error('boom');
      },
    };
    expect(() => openStorage({ file, migrations: [...MIGRATIONS, broken] })).toThrow('boom');
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").pluck().get()).toBe(0);
    db.close();
  });

  it('rejects a migration list with gaps as a programming error', () => {
    const file = join(tempDir(), 'devmesh.db');
    const gap: Migration = { version: LATEST_SCHEMA_VERSION + 2, name: 'gap', up: () => undefined };
    expect(() => openStorage({ file, migrations: [...MIGRATIONS, gap] })).toThrow(TypeError);
  });

  it('stores SQL-looking text literally (parameterized queries)', () => {
    const storage = openStorage({ file: join(tempDir(), 'devmesh.db') });
    const evil = "x'); DROP TABLE meta; --";
    storage.db.prepare('INSERT INTO meta (tenant_id, key, value, updated_at) VALUES (?, ?, ?, ?)').run('default', evil, evil, 'now');
    expect(storage.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(evil)).toBe(evil);
    storage.close();
  });
});
