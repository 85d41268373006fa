// The shape of a numbered schema migration: applied once, in its own transaction, and recorded in schema_migrations.
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3, ... with no gaps; the file is named after it (0003-audit-events.ts). */
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
