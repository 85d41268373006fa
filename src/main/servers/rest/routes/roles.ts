// /api/v1/roles: list, create, read, change and delete roles; every change is audited with before and after.
import type { FastifyInstance } from 'fastify';
import { createRoleRequestSchema, roleListSchema, roleNameParam, roleSchema, updateRoleRequestSchema } from '../../../../shared/api/rbac';
import { AppError } from '../../../../shared/errors';
import { auditContext } from '../../../core/auth/principal';
import type { RoleChange } from '../../../core/rbac/role-store';
import type { Services } from '../../../core/services';
import { principalOf, requestContext } from '../../http/access-hooks';
import { routeSchema } from '../../http/schemas';
import type { FastifyRequest } from 'fastify';

export function registerRoleRoutes(app: FastifyInstance, { roles, core }: Services): void {
  const tags = ['roles'];
  function audit(request: FastifyRequest, event_type: string, name: string, change: RoleChange): void {
    const p = principalOf(request);
    core.audit.append({
      event_type, subject: p.subject, action: event_type.replace(/^role_/, ''), resource: `role:${name}`, result: 'success', tenant_id: p.tenantId,
      metadata: { before: change.before === null ? null : { permissions: change.before.permissions, description: change.before.description, version: change.before.version }, after: change.after === null ? null : { permissions: change.after.permissions, description: change.after.description, version: change.after.version } },
      ...auditContext(requestContext(request)),
    });
  }

  /** A refused policy change (escalation, built-in role, another tenant) is a security decision: it goes on the record too. */
  function attempt<T>(request: FastifyRequest, action: string, name: string, change: () => T): T {
    try {
      return change();
    } catch (error) {
      if (error instanceof AppError && error.code === 'FORBIDDEN') {
        const p = principalOf(request);
        core.audit.append({ event_type: 'role_change_denied', subject: p.subject, action, resource: `role:${name}`, result: 'denied', tenant_id: p.tenantId, error: error.message, ...auditContext(requestContext(request)) });
      }
      throw error;
    }
  }

  app.get('/api/v1/roles', { config: { permission: { resource: 'roles', action: 'read' } }, schema: routeSchema({ summary: 'List roles (built-in and custom)', tags, response: { 200: roleListSchema } }) }, async () => ({ roles: roles.list() }));

  app.post(
    '/api/v1/roles',
    { config: { permission: { resource: 'roles', action: 'write' } }, schema: routeSchema({ summary: 'Create a custom role', tags, body: createRoleRequestSchema, response: { 201: roleSchema } }) },
    async (request, reply) => {
      const body = request.body as { name: string; description?: string; permissions: string[] };
      const change = attempt(request, 'create', body.name, () => roles.create(principalOf(request), body));
      audit(request, 'role_created', body.name, change);
      return reply.code(201).send(change.after);
    },
  );

  app.get('/api/v1/roles/:name', { config: { permission: { resource: 'roles', action: 'read' } }, schema: routeSchema({ summary: 'Get a role', tags, params: roleNameParam, response: { 200: roleSchema } }) }, async (request) => roles.get((request.params as { name: string }).name));

  app.put(
    '/api/v1/roles/:name',
    { config: { permission: { resource: 'roles', action: 'write' } }, schema: routeSchema({ summary: "Change a custom role's permissions or description (a new version)", tags, params: roleNameParam, body: updateRoleRequestSchema, response: { 200: roleSchema } }) },
    async (request) => {
      const { name } = request.params as { name: string };
      const change = attempt(request, 'update', name, () => roles.update(principalOf(request), name, request.body as { description?: string; permissions?: string[] }));
      audit(request, 'role_updated', name, change);
      return change.after;
    },
  );

  app.delete(
    '/api/v1/roles/:name',
    { config: { permission: { resource: 'roles', action: 'delete' } }, schema: routeSchema({ summary: 'Delete a custom role that nobody holds', tags, params: roleNameParam, response: { 204: null }, errors: [400, 401, 403, 404, 409, 421, 429, 500] }) },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      const change = attempt(request, 'delete', name, () => roles.remove(principalOf(request), name));
      audit(request, 'role_deleted', name, change);
      return reply.code(204).send();
    },
  );
}
