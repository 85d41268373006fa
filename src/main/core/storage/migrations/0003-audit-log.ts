// Migration 3: the hash-chained audit log, stored by group commit: one row per committed run of events of one tenant.
//
// `lines` holds the events exactly as printed on stdout (one JSON object per line, hash last), so a line's hash covers
// its bytes and an export or a captured stdout verifies the same way the database does. The other columns are a
// zone map (seq and time range, event types, subjects, results) that lets queries skip rows; verify checks that they
// agree with the lines. tenant_id carries no foreign key on purpose: the record outlives a deleted tenant.
import type { Migration } from './types';

export const migration0003: Migration = {
  version: 3,
  name: 'audit-log',
  up(db) {
    db.exec(`
      CREATE TABLE audit_batches (
        first_seq   INTEGER PRIMARY KEY,
        last_seq    INTEGER NOT NULL,
        tenant_id   TEXT NOT NULL,
        event_count INTEGER NOT NULL CHECK (event_count = last_seq - first_seq + 1),
        first_ts    TEXT NOT NULL,
        last_ts     TEXT NOT NULL,
        event_types TEXT NOT NULL,
        subjects    TEXT,
        results     TEXT NOT NULL,
        last_hash   TEXT NOT NULL,
        lines       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_batches_tenant ON audit_batches (tenant_id, first_seq);
    `);
  },
};
