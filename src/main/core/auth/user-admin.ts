// Managing users on an operator's behalf, as the REST API and the console do: the user as listed, the role ceiling, and the audit event of each change.
import type { UserDto } from '../../../shared/api/rbac';
import { AppError } from '../../../shared/errors';
import type { Services } from '../services';
import { requireRole } from './create-key';
import { auditContext, type Principal, type RequestContext } from './principal';
import type { User } from './user-service';

export function userDto(u: User): UserDto {
  return { id: u.id, username: u.username, role: u.role, tenant: u.tenant_id, disabled: u.disabled, locked_until: u.locked_until, created_at: u.created_at, updated_at: u.updated_at };
}

/** A user of the operator's tenant; anyone else's looks like nobody. */
export function tenantUser(services: Services, p: Principal, id: string): User {
  const user = services.users.byId(id);
  if (user === undefined || user.tenant_id !== p.tenantId) throw new AppError('NOT_FOUND', `no user ${id}`);
  return user;
}

/** Nobody assigns a role stronger than their own, or touches a user whose role is stronger than their own. */
export function requireRoleWithin(services: Services, p: Principal, role: string, what: string): void {
  requireRole(services, role);
  if (!services.authorizer.roleWithin(role, p.role)) throw new AppError('FORBIDDEN', `cannot ${what} role ${role}: it grants permissions your role ${p.role} does not have`);
}

/** Records a change to a user (`user_created`, `user_role_changed`, ...) under the operator's subject. */
export function auditUserChange(services: Services, operator: Principal, event_type: string, user: Pick<User, 'username' | 'tenant_id'>, metadata: Record<string, unknown>, ctx: RequestContext = {}): void {
  services.core.audit.append({ event_type, subject: operator.subject, action: event_type.replace(/^user_/, ''), resource: `user:${user.username}`, result: 'success', tenant_id: user.tenant_id, metadata, ...auditContext(ctx) });
}
