// /api/v1/roles: list, create, read, change and delete roles; every change is audited with before and after.
import type { FastifyInstance } from 'fastify';
import { createRoleRequestSchema, roleListSchema, roleNameParam, roleSchema, updateRoleRequestSchema } from '../../../../shared/api/rbac';
import { changeRoleAudited, type RoleChangeKind } from '../../../core/rbac/role-admin';
import type { RoleChange } from '../../../core/rbac/role-store';
import type { Services } from '../../../core/services';
import { principalOf, requestContext } from '../../http/access-hooks';
import { routeSchema } from '../../http/schemas';
import type { FastifyRequest } from 'fastify';

export function registerRoleRoutes(app: FastifyInstance, { roles, core }: Services): void {
  const tags = ['roles'];
  /** Every change (and every refused one) is audited with before and after, as the console's changes are. */
  function change(request: FastifyRequest, kind: RoleChangeKind, name: string, run: () => RoleChange): RoleChange {
    return changeRoleAudited({ core }, principalOf(request), kind, name, run, requestContext(request));
  }

  app.get('/api/v1/roles', { config: { permission: { resource: 'roles', action: 'read' } }, schema: routeSchema({ summary: 'List roles (built-in and custom)', tags, response: { 200: roleListSchema } }) }, async () => ({ roles: roles.list() }));

  app.post(
    '/api/v1/roles',
    { config: { permission: { resource: 'roles', action: 'write' } }, schema: routeSchema({ summary: 'Create a custom role', tags, body: createRoleRequestSchema, response: { 201: roleSchema } }) },
    async (request, reply) => {
      const body = request.body as { name: string; description?: string; permissions: string[] };
      const { after } = change(request, 'create', body.name, () => roles.create(principalOf(request), body));
      return reply.code(201).send(after);
    },
  );

  app.get('/api/v1/roles/:name', { config: { permission: { resource: 'roles', action: 'read' } }, schema: routeSchema({ summary: 'Get a role', tags, params: roleNameParam, response: { 200: roleSchema } }) }, async (request) => roles.get((request.params as { name: string }).name));

  app.put(
    '/api/v1/roles/:name',
    { config: { permission: { resource: 'roles', action: 'write' } }, schema: routeSchema({ summary: "Change a custom role's permissions or description (a new version)", tags, params: roleNameParam, body: updateRoleRequestSchema, response: { 200: roleSchema } }) },
    async (request) => {
      const { name } = request.params as { name: string };
      return change(request, 'update', name, () => roles.update(principalOf(request), name, request.body as { description?: string; permissions?: string[] })).after;
    },
  );

  app.delete(
    '/api/v1/roles/:name',
    { config: { permission: { resource: 'roles', action: 'delete' } }, schema: routeSchema({ summary: 'Delete a custom role that nobody holds', tags, params: roleNameParam, response: { 204: null }, errors: [400, 401, 403, 404, 409, 421, 429, 500] }) },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      change(request, 'delete', name, () => roles.remove(principalOf(request), name));
      return reply.code(204).send();
    },
  );
}
