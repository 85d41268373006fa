// Incident response and runtime settings: POST /api/v1/admin/lockdown, the IP blocklist, GET/PATCH /api/v1/settings — all audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { blockedRangeSchema, blocklistSchema, blockRequestSchema, lockdownRequestSchema, lockdownResponseSchema, settingsPatchSchema, settingsResponseSchema, unblockQuerySchema } from '../../../../shared/api/admin';
import { AppError } from '../../../../shared/errors';
import { auditContext } from '../../../core/auth/principal';
import { lockdown } from '../../../core/incident/lockdown';
import { changeSettingsAudited } from '../../../core/settings/change-settings';
import type { Services } from '../../../core/services';
import { DEFAULT_TENANT_ID } from '../../../core/storage/migrations/0001-tenants-and-meta';
import { normalizeCidr } from '../../../core/ratelimit/blocklist';
import { principalOf, requestContext } from '../../http/access-hooks';
import { routeSchema } from '../../http/schemas';

export function registerAdminRoutes(app: FastifyInstance, services: Services): void {
  const { blocklist, settings, core } = services;

  // Lockdown, the blocklist and settings act on the whole mesh, so they are filed under the default tenant.
  function audit(request: FastifyRequest, event_type: string, resource: string, metadata: Record<string, unknown>): void {
    const p = principalOf(request);
    core.audit.append({ event_type, subject: p.subject, action: event_type, resource, result: 'success', tenant_id: DEFAULT_TENANT_ID, metadata: { ...metadata, actor_tenant: p.tenantId }, ...auditContext(requestContext(request)) });
  }

  /** Mesh-wide switches belong to the default tenant's operators; another tenant's admin is refused (and the refusal is on the record). */
  function requireMeshOperator(request: FastifyRequest, action: string): void {
    const p = principalOf(request);
    if (p.tenantId === DEFAULT_TENANT_ID) return;
    const message = `${action} affects every tenant, so only the ${DEFAULT_TENANT_ID} tenant's administrators may do it`;
    core.audit.append({ event_type: 'admin_action_denied', subject: p.subject, action, resource: 'mesh', result: 'denied', tenant_id: p.tenantId, error: message, ...auditContext(requestContext(request)) });
    throw new AppError('FORBIDDEN', message);
  }

  app.post(
    '/api/v1/admin/lockdown',
    {
      config: { permission: { resource: 'settings', action: 'manage' } },
      schema: routeSchema({ summary: 'Lockdown: revoke every API key and refresh token, rotate the JWT key without grace, optionally admins-only logins', tags: ['admin'], body: lockdownRequestSchema, response: { 200: lockdownResponseSchema } }),
    },
    async (request) => {
      requireMeshOperator(request, 'lockdown');
      return lockdown(services, principalOf(request), { adminsOnly: (request.body as { admins_only?: boolean }).admins_only === true }, requestContext(request));
    },
  );

  app.get('/api/v1/admin/blocklist', { config: { permission: { resource: 'settings', action: 'read' } }, schema: routeSchema({ summary: 'Blocked addresses', tags: ['admin'], response: { 200: blocklistSchema } }) }, async () => ({ blocked: blocklist.list() }));

  app.post(
    '/api/v1/admin/blocklist',
    { config: { permission: { resource: 'settings', action: 'write' } }, schema: routeSchema({ summary: 'Block an address or CIDR range (checked before anything else)', tags: ['admin'], body: blockRequestSchema, response: { 201: blockedRangeSchema } }) },
    async (request, reply) => {
      requireMeshOperator(request, 'block-ip');
      const { cidr, reason } = request.body as { cidr: string; reason?: string };
      const blocked = blocklist.add(cidr, reason ?? '', principalOf(request).subject);
      audit(request, 'ip_block_added', `ip:${blocked.cidr}`, { cidr: blocked.cidr, reason: blocked.reason });
      return reply.code(201).send(blocked);
    },
  );

  app.delete(
    '/api/v1/admin/blocklist',
    { config: { permission: { resource: 'settings', action: 'write' } }, schema: routeSchema({ summary: 'Unblock an address or range', tags: ['admin'], querystring: unblockQuerySchema, response: { 204: null } }) },
    async (request, reply) => {
      requireMeshOperator(request, 'unblock-ip');
      const cidr = normalizeCidr((request.query as { cidr: string }).cidr);
      if (!blocklist.remove(cidr)) throw new AppError('NOT_FOUND', `${cidr} is not blocked`);
      audit(request, 'ip_block_removed', `ip:${cidr}`, { cidr });
      return reply.code(204).send();
    },
  );

  app.get('/api/v1/settings', { config: { permission: { resource: 'settings', action: 'read' } }, schema: routeSchema({ summary: 'Settings (effective values; network.* and tls.* apply at the next start)', tags: ['admin'], response: { 200: settingsResponseSchema } }) }, async () => ({
    settings: settings.get(),
    overridden: settings.overridden(),
  }));

  app.patch(
    '/api/v1/settings',
    { config: { permission: { resource: 'settings', action: 'write' } }, schema: routeSchema({ summary: 'Change settings (null: back to the environment value); all or nothing; network.* and tls.* apply at the next start', tags: ['admin'], body: settingsPatchSchema, response: { 200: settingsResponseSchema } }) },
    async (request) => {
      requireMeshOperator(request, 'settings change');
      const body = request.body as Record<string, unknown>;
      const reset = Object.keys(body).filter((k) => body[k] === null);
      const set = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
      changeSettingsAudited(services, principalOf(request), { set, reset }, requestContext(request));
      return { settings: settings.get(), overridden: settings.overridden() };
    },
  );
}
