// Migration 0005 (contexts): contexts and their items, the constraints and cascade between them, and the FTS5 search index.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../../../../src/main/core/storage/migrate';
import { MIGRATIONS } from '../../../../../../src/main/core/storage/migrations/index';

const CONTEXT = 'INSERT INTO contexts (id, tenant_id, name, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)';
const ITEM = 'INSERT INTO context_items (tenant_id, context_id, role, content, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)';
const DOC = 'INSERT INTO contexts_fts (rowid, tenant_id, context_id, item_id, text) VALUES (?, ?, ?, ?, ?)';

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function migrated(): Db {
  const db = new Database(':memory:');
  open.push(db);
  db.pragma('foreign_keys = ON');
  expect(migrate(db, MIGRATIONS.slice(0, 5))).toEqual([1, 2, 3, 4, 5]);
  return db;
}

function addContext(db: Db, id: string, name = id, tenant = 'default'): void {
  db.prepare(CONTEXT).run(id, tenant, name, 'user:alice', 'now', 'now');
}

function match(db: Db, query: string, tenant = 'default'): string[] {
  return db.prepare('SELECT context_id FROM contexts_fts WHERE contexts_fts MATCH ? AND tenant_id = ? ORDER BY rank').pluck().all(query, tenant) as string[];
}

describe('migration 0005: contexts', () => {
  it('creates contexts, context_items and their indexes', () => {
    const db = migrated();
    const columns = (table: string) => db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table);
    expect(columns('contexts')).toEqual(['seq', 'id', 'tenant_id', 'name', 'description', 'metadata', 'created_by', 'created_at', 'updated_at', 'item_count']);
    expect(columns('context_items')).toEqual(['id', 'tenant_id', 'context_id', 'role', 'content', 'metadata', 'created_by', 'created_at']);
    expect(columns('contexts_fts')).toEqual(['tenant_id', 'context_id', 'item_id', 'text']);
    const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' AND tbl_name IN ('contexts', 'context_items') ORDER BY name").pluck().all();
    expect(indexes).toEqual(['context_items_context', 'contexts_tenant']);
    const indexed = (index: string) => db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(index);
    expect(indexed('contexts_tenant')).toEqual(['tenant_id', 'updated_at']);
    expect(indexed('context_items_context')).toEqual(['context_id', 'id']);
  });

  it('fills in defaults: empty description and metadata, no items', () => {
    const db = migrated();
    addContext(db, 'c1');
    expect(db.prepare('SELECT seq, description, metadata, item_count FROM contexts').get()).toEqual({ seq: 1, description: '', metadata: '{}', item_count: 0 });
  });

  it('keeps context ids unique and names between 1 and 200 characters', () => {
    const db = migrated();
    addContext(db, 'c1');
    expect(() => addContext(db, 'c1', 'other')).toThrow(/UNIQUE constraint failed: contexts.id/);
    expect(() => addContext(db, 'c2', '')).toThrow(/CHECK/);
    expect(() => addContext(db, 'c3', 'n'.repeat(201))).toThrow(/CHECK/);
    addContext(db, 'c4', 'é'.repeat(200));
    // Names need not be unique: two contexts, even in one tenant, may share one.
    addContext(db, 'c5', 'c1');
    expect(() => addContext(db, 'c6', 'x', 'nowhere')).toThrow(/FOREIGN KEY/);
  });

  it('accepts only user, assistant and system items, each in an existing context', () => {
    const db = migrated();
    addContext(db, 'c1');
    const insert = db.prepare(ITEM);
    for (const role of ['user', 'assistant', 'system']) insert.run('default', 'c1', role, `from ${role}`, 'user:alice', 'now');
    expect(() => insert.run('default', 'c1', 'tool', 'x', 'user:alice', 'now')).toThrow(/CHECK/);
    expect(() => insert.run('default', 'c1', 'User', 'x', 'user:alice', 'now')).toThrow(/CHECK/);
    expect(() => insert.run('default', 'no-such-context', 'user', 'x', 'user:alice', 'now')).toThrow(/FOREIGN KEY/);
    expect(() => insert.run('nowhere', 'c1', 'user', 'x', 'user:alice', 'now')).toThrow(/FOREIGN KEY/);
    expect(db.prepare('SELECT role FROM context_items ORDER BY id').pluck().all()).toEqual(['user', 'assistant', 'system']);
  });

  it("deletes a context's items with the context, and only its items", () => {
    const db = migrated();
    addContext(db, 'c1');
    addContext(db, 'c2');
    const insert = db.prepare(ITEM);
    insert.run('default', 'c1', 'user', 'one', 'user:alice', 'now');
    insert.run('default', 'c1', 'assistant', 'two', 'user:alice', 'now');
    insert.run('default', 'c2', 'user', 'three', 'user:alice', 'now');
    db.prepare('DELETE FROM contexts WHERE id = ?').run('c1');
    expect(db.prepare('SELECT context_id, content FROM context_items').all()).toEqual([{ context_id: 'c2', content: 'three' }]);
  });

  it('refuses values of the wrong type (STRICT tables)', () => {
    const db = migrated();
    expect(() => db.prepare(CONTEXT).run('c1', 'default', Buffer.from('notes'), 'user:alice', 'now', 'now')).toThrow(/cannot store BLOB value in TEXT column contexts.name/);
    addContext(db, 'c2');
    expect(() => db.prepare("UPDATE contexts SET item_count = 'many' WHERE id = 'c2'").run()).toThrow(/cannot store TEXT value in INTEGER column contexts.item_count/);
  });

  it('searches with FTS5: by word, by prefix, without diacritics, scoped by tenant in the query', () => {
    const db = migrated();
    db.prepare("INSERT INTO tenants VALUES ('acme', 'acme', 'now')").run();
    const insert = db.prepare(DOC);
    insert.run(-1, 'default', 'c1', null, 'Café meeting\nnotes about the Résumé');
    insert.run(7, 'default', 'c2', 7, 'deployment checklist for friday');
    insert.run(8, 'acme', 'c3', 8, 'café deployment');
    expect(match(db, 'cafe')).toEqual(['c1']);
    expect(match(db, 'RESUME')).toEqual(['c1']);
    expect(match(db, '"deploy"*')).toEqual(['c2']);
    expect(match(db, 'deployment', 'acme')).toEqual(['c3']);
    expect(match(db, 'checklist friday')).toEqual(['c2']);
    expect(match(db, 'nothing')).toEqual([]);
    // tenant_id and the ids are stored, not searched.
    expect(match(db, 'acme')).toEqual([]);
    expect(match(db, 'c2')).toEqual([]);
    expect(db.prepare("SELECT rowid, item_id, snippet(contexts_fts, 3, '[', ']', '…', 4) AS s FROM contexts_fts WHERE contexts_fts MATCH 'checklist'").get()).toEqual({ rowid: 7, item_id: 7, s: 'deployment [checklist] for friday' });
    db.prepare('DELETE FROM contexts_fts WHERE rowid = ?').run(-1);
    expect(match(db, 'cafe')).toEqual([]);
  });

  it('is recorded once even when migrate runs twice', () => {
    const db = migrated();
    expect(migrate(db, MIGRATIONS.slice(0, 5))).toEqual([]);
    expect(db.prepare('SELECT version, name FROM schema_migrations WHERE version = 5').all()).toEqual([{ version: 5, name: 'contexts' }]);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'contexts'").pluck().get()).toBe(1);
  });
});
