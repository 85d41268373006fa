// Migration 4: identities — users (bcrypt passwords, role, lockout), API keys (keyed hashes, never the key) and refresh-token families.
import type { Migration } from './types';

export const migration0004: Migration = {
  version: 4,
  name: 'identities',
  up(db) {
    db.exec(`
      CREATE TABLE users (
        id              TEXT PRIMARY KEY,
        tenant_id       TEXT NOT NULL REFERENCES tenants(tenant_id),
        username        TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
        password_hash   TEXT NOT NULL,
        role            TEXT NOT NULL,
        disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        failed_logins   INTEGER NOT NULL DEFAULT 0,
        locked_until    TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX users_tenant ON users (tenant_id, username);

      CREATE TABLE api_keys (
        id            TEXT PRIMARY KEY,
        tenant_id     TEXT NOT NULL REFERENCES tenants(tenant_id),
        name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        role          TEXT NOT NULL,
        key_hash      BLOB NOT NULL,
        owner_id      TEXT REFERENCES users(id) ON DELETE SET NULL,
        created_by    TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        expires_at    TEXT,
        last_used_at  TEXT,
        revoked_at    TEXT
      ) STRICT;
      CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
      CREATE INDEX api_keys_owner ON api_keys (owner_id);

      CREATE TABLE refresh_tokens (
        id           TEXT PRIMARY KEY,
        tenant_id    TEXT NOT NULL REFERENCES tenants(tenant_id),
        family_id    TEXT NOT NULL,
        user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash   BLOB NOT NULL,
        created_at   TEXT NOT NULL,
        expires_at   TEXT NOT NULL,
        used_at      TEXT,
        revoked_at   TEXT
      ) STRICT;
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
    `);
  },
};
