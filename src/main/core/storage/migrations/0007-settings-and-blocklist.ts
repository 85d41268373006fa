// Migration 7: runtime settings (rate limits and the like, editable while running) and the persisted IP blocklist.
import type { Migration } from './types';

export const migration0007: Migration = {
  version: 7,
  name: 'settings-and-blocklist',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        tenant_id   TEXT NOT NULL REFERENCES tenants(tenant_id),
        key         TEXT NOT NULL,
        value       TEXT NOT NULL,
        updated_by  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (tenant_id, key)
      ) STRICT;

      CREATE TABLE ip_blocklist (
        tenant_id   TEXT NOT NULL REFERENCES tenants(tenant_id),
        cidr        TEXT NOT NULL PRIMARY KEY,
        reason      TEXT NOT NULL DEFAULT '',
        created_by  TEXT NOT NULL,
        created_at  TEXT NOT NULL
      ) STRICT;
    `);
  },
};
