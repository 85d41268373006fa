// Changing roles on an operator's behalf, as the REST API and the console do: the change, its audit event with before and after, and a refused change recorded too.
import { AppError } from '../../../shared/errors';
import { auditContext, type Principal, type RequestContext } from '../auth/principal';
import type { Services } from '../services';
import type { RoleChange } from './role-store';

export type RoleChangeKind = 'create' | 'update' | 'delete';

const EVENT_TYPE: Readonly<Record<RoleChangeKind, string>> = { create: 'role_created', update: 'role_updated', delete: 'role_deleted' };

function snapshot(role: RoleChange['before']): Record<string, unknown> | null {
  return role === null ? null : { permissions: role.permissions, description: role.description, version: role.version };
}

/**
 * Runs `change` (a role-store create/update/remove) and records `role_created`/`role_updated`/`role_deleted`; a refused change
 * (escalation, built-in role, another tenant) is a security decision, so it is recorded as `role_change_denied` before the error goes on.
 */
export function changeRoleAudited({ core }: Pick<Services, 'core'>, operator: Principal, kind: RoleChangeKind, name: string, change: () => RoleChange, ctx: RequestContext = {}): RoleChange {
  let result: RoleChange;
  try {
    result = change();
  } catch (error) {
    if (error instanceof AppError && error.code === 'FORBIDDEN') {
      core.audit.append({ event_type: 'role_change_denied', subject: operator.subject, action: kind, resource: `role:${name}`, result: 'denied', tenant_id: operator.tenantId, error: error.message, ...auditContext(ctx) });
    }
    throw error;
  }
  const event_type = EVENT_TYPE[kind];
  core.audit.append({
    event_type, subject: operator.subject, action: event_type.replace(/^role_/, ''), resource: `role:${name}`, result: 'success', tenant_id: operator.tenantId,
    metadata: { before: snapshot(result.before), after: snapshot(result.after) },
    ...auditContext(ctx),
  });
  return result;
}
