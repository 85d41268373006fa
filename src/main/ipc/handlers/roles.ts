// The Access control page (and every role picker): roles with their holders, the permission catalog, role changes audited as the REST API audits them, and the policy simulator.
import type { rolesChannels } from '../../../shared/ipc/contracts/roles';
import type { RoleDetails } from '../../../shared/ipc/contracts/roles';
import { apiKeyStatus } from '../../core/auth/api-key-service';
import type { Principal } from '../../core/auth/principal';
import { ACTIONS, RESOURCES } from '../../core/rbac/permissions';
import { changeRoleAudited } from '../../core/rbac/role-admin';
import type { RoleView } from '../../core/rbac/role-store';
import { simulateAccess } from '../../core/rbac/simulate';
import type { Services } from '../../core/services';
import { TOOLS } from '../../servers/mcp/tools';
import type { ConsoleHandlers } from '../console-handler';

const ROLES_READ = { resource: 'roles', action: 'read' } as const;

/** The role's holders in the operator's tenant (from the same query that refuses deleting a held role), and how many elsewhere. */
function holdersOf(services: Services, principal: Principal, name: string): RoleDetails['holders'] {
  const held = services.roles.holders(name);
  const users: RoleDetails['holders']['users'] = [];
  const apiKeys: RoleDetails['holders']['api_keys'] = [];
  let elsewhere = 0;
  for (const username of held.users) {
    const user = services.users.byUsername(username);
    if (user === undefined || user.tenant_id !== principal.tenantId) elsewhere += 1;
    else users.push({ id: user.id, username: user.username, disabled: user.disabled });
  }
  for (const id of held.api_keys) {
    const key = services.apiKeys.get(id);
    const status = key === undefined ? 'revoked' : apiKeyStatus(key);
    if (key === undefined || key.tenant_id !== principal.tenantId || status === 'revoked') elsewhere += 1;
    else apiKeys.push({ id: key.id, name: key.name, status: status === 'expired' ? 'expired' : 'active' });
  }
  return { users, api_keys: apiKeys, other_tenants: elsewhere };
}

/** Why the operator cannot change this role, as the role store would refuse it; null when it can. */
function readOnlyReason(services: Services, principal: Principal, role: RoleView): string | null {
  if (role.builtin) return `${role.name} is a built-in role and cannot be changed; create a custom role instead`;
  if (principal.role === role.name) return `you hold role ${role.name}, so you cannot change it`;
  if (!services.authorizer.permissionsWithin(role.permissions, principal.role)) return `it grants permissions your role ${principal.role} does not have`;
  return null;
}

export const rolesHandlers: ConsoleHandlers<keyof typeof rolesChannels> = {
  'roles:list': {
    needs: [ROLES_READ],
    handle: ({ mesh, principal }) => ({
      roles: mesh.services.roles.list().map((r) => ({ name: r.name, description: r.description, builtin: r.builtin, assignable: mesh.services.authorizer.roleWithin(r.name, principal.role) })),
    }),
  },
  'roles:get': {
    // GET /api/v1/roles/:name, plus the holders: every user and key of the tenant, which the REST API lists only to users:read and api_keys:manage.
    needs: [ROLES_READ, { resource: 'users', action: 'read' }, { resource: 'api_keys', action: 'manage' }],
    handle({ mesh, principal }, { name }) {
      const role = mesh.services.roles.get(name);
      return { ...role, holders: holdersOf(mesh.services, principal, name), read_only_reason: readOnlyReason(mesh.services, principal, role) };
    },
  },
  'roles:catalog': {
    needs: [ROLES_READ],
    handle: () => ({ resources: [...RESOURCES], actions: [...ACTIONS], tools: TOOLS.map((t) => ({ name: t.name, title: t.title })) }),
  },
  'roles:create': {
    needs: [{ resource: 'roles', action: 'write' }],
    handle: ({ mesh, principal, request }, input) => changeRoleAudited(mesh.services, principal, 'create', input.name, () => mesh.services.roles.create(principal, input), request).after as RoleView,
  },
  'roles:update': {
    needs: [{ resource: 'roles', action: 'write' }],
    handle({ mesh, principal, request }, { name, description, permissions }) {
      const change = { ...(description === undefined ? {} : { description }), ...(permissions === undefined ? {} : { permissions }) };
      return changeRoleAudited(mesh.services, principal, 'update', name, () => mesh.services.roles.update(principal, name, change), request).after as RoleView;
    },
  },
  'roles:delete': {
    needs: [{ resource: 'roles', action: 'delete' }],
    handle({ mesh, principal, request }, { name }) {
      changeRoleAudited(mesh.services, principal, 'delete', name, () => mesh.services.roles.remove(principal, name), request);
      return { name };
    },
  },
  'roles:simulate': {
    needs: [ROLES_READ],
    handle: ({ mesh, principal }, input) => simulateAccess(mesh.services, principal, input),
  },
};
