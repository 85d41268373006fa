// How many of each thing a tenant has, for the overview: one cheap read each.
import type { Database } from 'better-sqlite3';
import { apiKeyStatus } from '../../core/auth/api-key-service';
import type { Services } from '../../core/services';

/** Every committed audit event (the trail is one chain across tenants). */
export function auditEventCount(db: Database): number {
  return db.prepare('SELECT coalesce(sum(event_count), 0) FROM audit_batches').pluck().get() as number;
}

export interface TenantCounts {
  users: number;
  /** Active keys: not revoked, not expired. */
  api_keys: number;
  contexts: number;
  roles: number;
  /** Not revoked. */
  certificates: number;
  audit_events: number;
}

export function tenantCounts(services: Services, tenantId: string, now: Date): TenantCounts {
  const { db } = services.core;
  return {
    users: services.users.list({ tenantId }).length,
    api_keys: services.apiKeys.list({ tenantId }).filter((k) => apiKeyStatus(k, now) === 'active').length,
    contexts: db.prepare('SELECT count(*) FROM contexts WHERE tenant_id = ?').pluck().get(tenantId) as number,
    roles: services.roles.list().length,
    certificates: services.certs.list(tenantId).filter((c) => c.revoked_at === null).length,
    audit_events: auditEventCount(db),
  };
}
