// Migration 1: tenants (with the default tenant) and the per-tenant key/value meta table that holds the installation id and key-check value.
import type { Migration } from './types';

export const DEFAULT_TENANT_ID = 'default';

export const migration0001: Migration = {
  version: 1,
  name: 'tenants-and-meta',
  up(db) {
    db.exec(`
      CREATE TABLE tenants (
        tenant_id  TEXT PRIMARY KEY CHECK (length(tenant_id) BETWEEN 1 AND 64),
        name       TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE meta (
        tenant_id  TEXT NOT NULL REFERENCES tenants(tenant_id),
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, key)
      ) STRICT;
    `);
    db.prepare('INSERT INTO tenants (tenant_id, name, created_at) VALUES (?, ?, ?)').run(DEFAULT_TENANT_ID, DEFAULT_TENANT_ID, new Date().toISOString());
  },
};
