// Migration 3: the hash-chained audit trail (one global chain; seq is the chain position).
import type { Migration } from './types';

export const migration0003: Migration = {
  version: 3,
  name: 'audit-events',
  up(db) {
    db.exec(`
      CREATE TABLE audit_events (
        seq        INTEGER PRIMARY KEY,
        tenant_id  TEXT NOT NULL REFERENCES tenants(tenant_id),
        timestamp  TEXT NOT NULL,
        event_type TEXT NOT NULL,
        subject    TEXT NOT NULL,
        action     TEXT NOT NULL,
        resource   TEXT NOT NULL,
        result     TEXT NOT NULL,
        error      TEXT,
        metadata   TEXT,
        trace_id   TEXT,
        ip         TEXT,
        user_agent TEXT,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_events_tenant_time ON audit_events (tenant_id, timestamp);
      CREATE INDEX audit_events_tenant_type ON audit_events (tenant_id, event_type, seq);
      CREATE INDEX audit_events_tenant_subject ON audit_events (tenant_id, subject, seq);
    `);
  },
};
