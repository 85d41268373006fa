// Applies pending numbered migrations, each in its own IMMEDIATE transaction, and records them; safe when two processes start together.
import type { Database } from 'better-sqlite3';
import type { Migration } from './migrations/types';

const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`;

export function assertMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) throw new TypeError(`migration "${m.name}" has version ${m.version}; expected ${index + 1} (versions start at 1 with no gaps)`);
  });
}

/** The highest recorded version, or 0 for a database without the ledger. */
export function readSchemaVersion(db: Database): number {
  const ledger = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (ledger === undefined) return 0;
  const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

export function migrate(db: Database, migrations: readonly Migration[], now: () => Date = () => new Date()): number[] {
  assertMigrationList(migrations);
  db.exec(CREATE_LEDGER);
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    const run = db.transaction(() => {
      // Re-read inside the write lock: another process may have applied it since we looked.
      if (readSchemaVersion(db) >= migration.version) return false;
      migration.up(db);
      record.run(migration.version, migration.name, now().toISOString());
      return true;
    });
    if (run.immediate()) applied.push(migration.version);
  }
  return applied;
}
