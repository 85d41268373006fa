// Small per-tenant key/value store over the meta table (installation id, key-check value, audit chain head).
import type { Database } from 'better-sqlite3';
import { DEFAULT_TENANT_ID } from './migrations/0001-tenants-and-meta';

export interface MetaStore {
  get(key: string, tenantId?: string): string | undefined;
  set(key: string, value: string, tenantId?: string): void;
}

export function createMetaStore(db: Database, now: () => Date = () => new Date()): MetaStore {
  const select = db.prepare<[string, string], { value: string }>('SELECT value FROM meta WHERE tenant_id = ? AND key = ?');
  const upsert = db.prepare(
    `INSERT INTO meta (tenant_id, key, value, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  return {
    get: (key, tenantId = DEFAULT_TENANT_ID) => select.get(tenantId, key)?.value,
    set: (key, value, tenantId = DEFAULT_TENANT_ID) => {
      upsert.run(tenantId, key, value, now().toISOString());
    },
  };
}
