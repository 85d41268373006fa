// Migration 2: the one table that holds envelope-encrypted secrets (JWT keys, CA keys, peppers...), so master-key rotation has a single place to re-encrypt.
import type { Migration } from './types';

export const migration0002: Migration = {
  version: 2,
  name: 'secrets',
  up(db) {
    db.exec(`
      CREATE TABLE secrets (
        tenant_id   TEXT NOT NULL REFERENCES tenants(tenant_id),
        name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        ciphertext  BLOB NOT NULL,
        key_version INTEGER NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (tenant_id, name)
      ) STRICT;
    `);
  },
};
