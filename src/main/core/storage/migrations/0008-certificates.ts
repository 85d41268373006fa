// Migration 8: the local PKI — every certificate the mesh created or imported (never a private key: those live in `secrets` as cert_key:<serial>) and which one each server presents.
import type { Migration } from './types';

export const migration0008: Migration = {
  version: 8,
  name: 'certificates',
  up(db) {
    db.exec(`
      CREATE TABLE certificates (
        tenant_id          TEXT NOT NULL REFERENCES tenants(tenant_id),
        -- Lower-case hex without separators or leading zeros, as normalizeSerial (certs/types.ts) writes it.
        serial             TEXT NOT NULL CHECK (length(serial) BETWEEN 1 AND 64 AND serial NOT GLOB '*[^0-9a-f]*'),
        kind               TEXT NOT NULL CHECK (kind IN ('ca', 'server', 'client', 'imported')),
        subject_cn         TEXT NOT NULL,
        subject            TEXT NOT NULL,
        sans               TEXT NOT NULL DEFAULT '[]',
        issuer_serial      TEXT,
        not_before         TEXT NOT NULL,
        not_after          TEXT NOT NULL,
        sha256             TEXT NOT NULL,
        sha1               TEXT NOT NULL,
        cert_pem           TEXT NOT NULL,
        -- Intermediate certificates that came with an imported one (PEM, may be empty).
        chain_pem          TEXT NOT NULL DEFAULT '',
        has_key            INTEGER NOT NULL CHECK (has_key IN (0, 1)),
        bound_role         TEXT,
        bound_user_id      TEXT REFERENCES users(id) ON DELETE SET NULL,
        revoked_at         TEXT,
        revocation_reason  TEXT,
        created_by         TEXT NOT NULL,
        created_at         TEXT NOT NULL,
        is_current_ca      INTEGER NOT NULL DEFAULT 0 CHECK (is_current_ca IN (0, 1)),
        PRIMARY KEY (tenant_id, serial),
        FOREIGN KEY (tenant_id, issuer_serial) REFERENCES certificates (tenant_id, serial),
        CHECK (bound_role IS NULL OR bound_user_id IS NULL),
        CHECK (kind = 'client' OR (bound_role IS NULL AND bound_user_id IS NULL)),
        CHECK (is_current_ca = 0 OR kind = 'ca')
      ) STRICT;
      -- One current CA per tenant: two processes creating a CA at once cannot both win.
      CREATE UNIQUE INDEX certificates_current_ca ON certificates (tenant_id) WHERE is_current_ca = 1;
      CREATE INDEX certificates_not_after ON certificates (tenant_id, not_after);

      CREATE TABLE tls_serving (
        tenant_id   TEXT NOT NULL REFERENCES tenants(tenant_id),
        server      TEXT NOT NULL CHECK (server IN ('api', 'mcp')),
        serial      TEXT NOT NULL,
        updated_by  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (tenant_id, server),
        FOREIGN KEY (tenant_id, serial) REFERENCES certificates (tenant_id, serial)
      ) STRICT;
    `);
  },
};
