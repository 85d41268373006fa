// /api/v1/users: list and create users of your tenant, disable/enable them, and change roles — never beyond your own rights.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { uuidParam } from '../../../../shared/api/common';
import { createUserRequestSchema, patchUserRequestSchema, setUserRoleRequestSchema, userListSchema, userSchema } from '../../../../shared/api/rbac';
import { AppError } from '../../../../shared/errors';
import { auditUserChange, requireRoleWithin, tenantUser, userDto } from '../../../core/auth/user-admin';
import type { Principal } from '../../../core/auth/principal';
import type { User } from '../../../core/auth/user-service';
import type { Services } from '../../../core/services';
import { principalOf, requestContext } from '../../http/access-hooks';
import { routeSchema } from '../../http/schemas';

export function registerUserRoutes(app: FastifyInstance, services: Services): void {
  const { users, refreshTokens } = services;
  const tags = ['users'];

  function audit(request: FastifyRequest, event_type: string, user: User, metadata: Record<string, unknown>): void {
    auditUserChange(services, principalOf(request), event_type, user, metadata, requestContext(request));
  }

  const target = (p: Principal, id: string): User => tenantUser(services, p, id);
  const guardRole = (p: Principal, role: string, what: string): void => requireRoleWithin(services, p, role, what);

  app.get('/api/v1/users', { config: { permission: { resource: 'users', action: 'read' } }, schema: routeSchema({ summary: 'List the users of your tenant', tags, response: { 200: userListSchema } }) }, async (request) => ({
    users: users.list({ tenantId: principalOf(request).tenantId }).map(userDto),
  }));

  app.post(
    '/api/v1/users',
    { config: { permission: { resource: 'users', action: 'write' } }, schema: routeSchema({ summary: 'Create a user in your tenant', tags, body: createUserRequestSchema, response: { 201: userSchema }, errors: [400, 401, 403, 409, 413, 415, 421, 429, 500] }) },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body as { username: string; password: string; role: string };
      guardRole(p, body.role, 'give');
      const user = await users.create({ username: body.username, password: body.password, role: body.role, tenantId: p.tenantId });
      audit(request, 'user_created', user, { role: user.role });
      return reply.code(201).send(userDto(user));
    },
  );

  app.patch(
    '/api/v1/users/:id',
    { config: { permission: { resource: 'users', action: 'write' } }, schema: routeSchema({ summary: 'Disable or enable a user (disabling ends their sessions and stops their keys)', tags, params: uuidParam, body: patchUserRequestSchema, response: { 200: userSchema }, errors: [400, 401, 403, 404, 409, 413, 415, 421, 429, 500] }) },
    async (request) => {
      const p = principalOf(request);
      const user = target(p, (request.params as { id: string }).id);
      guardRole(p, user.role, 'manage a user with');
      const { disabled } = request.body as { disabled: boolean };
      const after = users.setDisabled(user.id, disabled);
      const ended = disabled ? refreshTokens.revokeAllForUser(user.id) : 0;
      audit(request, disabled ? 'user_disabled' : 'user_enabled', after, { before: { disabled: user.disabled }, after: { disabled }, sessions_ended: ended });
      return userDto(after);
    },
  );

  app.put(
    '/api/v1/users/:id/role',
    { config: { permission: { resource: 'users', action: 'write' } }, schema: routeSchema({ summary: "Change a user's role (effective on their next request)", tags, params: uuidParam, body: setUserRoleRequestSchema, response: { 200: userSchema }, errors: [400, 401, 403, 404, 409, 413, 415, 421, 429, 500] }) },
    async (request) => {
      const p = principalOf(request);
      const user = target(p, (request.params as { id: string }).id);
      if (user.id === p.userId) throw new AppError('FORBIDDEN', 'you cannot change your own role; ask another administrator');
      const { role } = request.body as { role: string };
      guardRole(p, user.role, 'manage a user with');
      guardRole(p, role, 'give');
      const after = users.setRole(user.id, role);
      audit(request, 'user_role_changed', after, { before: { role: user.role }, after: { role } });
      return userDto(after);
    },
  );
}
