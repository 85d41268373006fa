// Migration 5: contexts (agents' shared memory) with their items, and an FTS5 index over both for search.
import type { Migration } from './types';

export const migration0005: Migration = {
  version: 5,
  name: 'contexts',
  up(db) {
    db.exec(`
      -- seq is an explicit INTEGER PRIMARY KEY (a plain rowid may change on VACUUM): it keys the context's search document.
      CREATE TABLE contexts (
        seq          INTEGER PRIMARY KEY,
        id           TEXT NOT NULL UNIQUE,
        tenant_id    TEXT NOT NULL REFERENCES tenants(tenant_id),
        name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        description  TEXT NOT NULL DEFAULT '',
        metadata     TEXT NOT NULL DEFAULT '{}',
        created_by   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        item_count   INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX contexts_tenant ON contexts (tenant_id, updated_at);

      CREATE TABLE context_items (
        id           INTEGER PRIMARY KEY,
        tenant_id    TEXT NOT NULL REFERENCES tenants(tenant_id),
        context_id   TEXT NOT NULL REFERENCES contexts(id) ON DELETE CASCADE,
        role         TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
        content      TEXT NOT NULL,
        metadata     TEXT NOT NULL DEFAULT '{}',
        created_by   TEXT NOT NULL,
        created_at   TEXT NOT NULL
      ) STRICT;
      CREATE INDEX context_items_context ON context_items (context_id, id);

      -- One search document per context and per item; tenant_id and the ids are stored, not indexed.
      CREATE VIRTUAL TABLE contexts_fts USING fts5(
        tenant_id UNINDEXED, context_id UNINDEXED, item_id UNINDEXED, text,
        tokenize = 'unicode61 remove_diacritics 2'
      );
    `);
  },
};
