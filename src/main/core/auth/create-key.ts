// Creating an API key on an operator's behalf, as the CLI and the console do: the role must exist, and the key is recorded as `api_key_created`.
import { AppError } from '../../../shared/errors';
import type { Services } from '../services';
import type { ApiKeyRecord } from './api-key-service';
import { auditContext, type Principal, type RequestContext } from './principal';

export interface NewKey {
  name: string;
  role: string;
  tenantId: string;
  expiresInSeconds: number | undefined;
  /** Added to the audit event's metadata (e.g. the MCP client the key is for). */
  metadata?: Record<string, unknown>;
}

/** VALIDATION_FAILED naming the roles there are, unless `role` is one of them. */
export function requireRole(services: Services, role: string): void {
  if (!services.authorizer.hasRole(role)) throw new AppError('VALIDATION_FAILED', `role ${JSON.stringify(role)} does not exist; use one of ${services.authorizer.roles().join(', ')}`);
}

/** Creates an operator's key after checking the role exists, and records `api_key_created`; the raw key is in the result only. */
export function createAuditedKey(services: Services, operator: Principal, input: NewKey, ctx: RequestContext = {}): { record: ApiKeyRecord; key: string } {
  requireRole(services, input.role);
  const { record, key } = services.apiKeys.create({ name: input.name, role: input.role, tenantId: input.tenantId, ownerId: null, createdBy: operator.subject, expiresInSeconds: input.expiresInSeconds });
  services.core.audit.append({
    event_type: 'api_key_created',
    subject: operator.subject,
    action: 'create',
    resource: `api_key:${record.id}`,
    result: 'success',
    tenant_id: input.tenantId,
    metadata: { name: record.name, role: record.role, expires_at: record.expires_at, ...input.metadata },
    ...auditContext(ctx),
  });
  return { record, key };
}

/**
 * Nobody hands out more than they hold: the role must exist and grant nothing beyond `creator`'s role. A refusal is
 * recorded as a denied `api_key_created` and thrown as FORBIDDEN.
 */
export function requireAssignableRole(services: Services, creator: Principal, role: string, ctx: RequestContext): void {
  requireRole(services, role);
  if (services.authorizer.roleWithin(role, creator.role)) return;
  services.core.audit.append({ event_type: 'api_key_created', subject: creator.subject, action: 'create', resource: 'api_keys', result: 'denied', tenant_id: creator.tenantId, error: 'role exceeds creator', metadata: { requested_role: role, creator_role: creator.role }, ...auditContext(ctx) });
  throw new AppError('FORBIDDEN', `cannot create a key with role ${role}: it grants permissions your role ${creator.role} does not have`);
}

/** Revokes a key (refused from its very next request) and records `api_key_revoked`, as the CLI and REST API record it. */
export function revokeAuditedKey(services: Services, operator: Principal, key: ApiKeyRecord, ctx: RequestContext = {}): void {
  services.apiKeys.revoke(key.id);
  services.core.audit.append({ event_type: 'api_key_revoked', subject: operator.subject, action: 'revoke', resource: `api_key:${key.id}`, result: 'success', tenant_id: key.tenant_id, metadata: { name: key.name, role: key.role }, ...auditContext(ctx) });
}
