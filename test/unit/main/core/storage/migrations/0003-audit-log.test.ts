import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../../../../src/main/core/storage/migrate';
import { MIGRATIONS } from '../../../../../../src/main/core/storage/migrations/index';

const INSERT = 'INSERT INTO audit_batches (first_seq, last_seq, tenant_id, event_count, first_ts, last_ts, event_types, subjects, results, last_hash, lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

describe('migration 0003: audit log', () => {
  it('creates the group-commit table with its tenant index', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, MIGRATIONS.slice(0, 3))).toEqual([1, 2, 3]);
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('audit_batches');
    expect(columns).toEqual(['first_seq', 'last_seq', 'tenant_id', 'event_count', 'first_ts', 'last_ts', 'event_types', 'subjects', 'results', 'last_hash', 'lines']);
    const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'audit_batches'").pluck().all();
    expect(indexes).toContain('audit_batches_tenant');
    // The record outlives its tenant: no foreign key ties a row to an existing tenant.
    db.prepare(INSERT).run(1, 2, 'deleted-tenant', 2, 't1', 't2', '[]', '[]', '[]', 'h', 'l\n');
    db.close();
  });

  it('refuses a row whose event count disagrees with its seq range', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS);
    expect(() => db.prepare(INSERT).run(1, 5, 'default', 2, 't', 't', '[]', '[]', '[]', 'h', 'l\n')).toThrow(/CHECK/);
    expect(() => db.prepare(INSERT).run('one', 1, 'default', 1, 't', 't', '[]', '[]', '[]', 'h', 'l\n')).toThrow(/datatype mismatch|cannot store/);
    db.close();
  });

  it('is recorded once even when migrate runs twice', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS);
    expect(migrate(db, MIGRATIONS)).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM schema_migrations WHERE version = 3').pluck().get()).toBe(1);
    db.close();
  });
});
