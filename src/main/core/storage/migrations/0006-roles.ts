// Migration 6: custom roles (editable, versioned). The built-in admin/user/viewer live in code and cannot be changed.
import type { Migration } from './types';

export const migration0006: Migration = {
  version: 6,
  name: 'roles',
  up(db) {
    db.exec(`
      CREATE TABLE roles (
        name         TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
        tenant_id    TEXT NOT NULL REFERENCES tenants(tenant_id),
        description  TEXT NOT NULL DEFAULT '',
        permissions  TEXT NOT NULL,
        version      INTEGER NOT NULL DEFAULT 1,
        updated_by   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      ) STRICT;

      -- Every version a role ever had, so a policy change can be reviewed (and undone by hand).
      CREATE TABLE role_versions (
        tenant_id    TEXT NOT NULL REFERENCES tenants(tenant_id),
        name         TEXT NOT NULL,
        version      INTEGER NOT NULL,
        description  TEXT NOT NULL,
        permissions  TEXT NOT NULL,
        deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
        changed_by   TEXT NOT NULL,
        changed_at   TEXT NOT NULL,
        PRIMARY KEY (name, version)
      ) STRICT;
    `);
  },
};
