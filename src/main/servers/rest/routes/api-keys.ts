// /api/v1/api-keys: users manage their own keys, holders of api_keys:manage manage all; nobody creates a key stronger than themselves.
import type { FastifyInstance } from 'fastify';
import { apiKeyIdParam, apiKeyListSchema, createApiKeyRequestSchema, createdApiKeySchema, type CreateApiKeyRequest } from '../../../../shared/api/api-keys';
import { AppError } from '../../../../shared/errors';
import { apiKeyDto, keyLifetimeSeconds, type ApiKeyRecord } from '../../../core/auth/api-key-service';
import { requireAssignableRole } from '../../../core/auth/create-key';
import { auditContext, type Principal } from '../../../core/auth/principal';
import type { Services } from '../../../core/services';
import { principalOf, requestContext } from '../../http/access-hooks';
import { routeSchema } from '../../http/schemas';

export function registerApiKeyRoutes(app: FastifyInstance, services: Services): void {
  const { apiKeys, access, core } = services;
  const managesAll = (p: Principal) => access.allows(p, { resource: 'api_keys', action: 'manage' });
  /** A key is the caller's own when the caller's user owns it, or when it is the caller itself. */
  const owns = (p: Principal, key: ApiKeyRecord) => (p.userId !== null && key.owner_id === p.userId) || p.keyId === key.id;

  app.get(
    '/api/v1/api-keys',
    {
      config: { permission: { resource: 'api_keys', action: 'read' } },
      schema: routeSchema({ summary: 'List API keys (your own; all with api_keys:manage)', tags: ['api-keys'], response: { 200: apiKeyListSchema } }),
    },
    async (request) => {
      const p = principalOf(request);
      const keys = managesAll(p) ? apiKeys.list({ tenantId: p.tenantId }) : apiKeys.list({ tenantId: p.tenantId }).filter((k) => owns(p, k));
      return { api_keys: keys.map(apiKeyDto) };
    },
  );

  app.post(
    '/api/v1/api-keys',
    {
      config: { permission: { resource: 'api_keys', action: 'write' } },
      schema: routeSchema({ summary: 'Create an API key; the raw key is in this response only', tags: ['api-keys'], body: createApiKeyRequestSchema, response: { 201: createdApiKeySchema } }),
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body as CreateApiKeyRequest;
      const ctx = requestContext(request);
      requireAssignableRole(services, p, body.role, ctx);
      const expiresIn = body.expires_in === undefined ? undefined : keyLifetimeSeconds(body.expires_in, 'expires_in');
      const { record, key } = apiKeys.create({ name: body.name, role: body.role, tenantId: p.tenantId, ownerId: p.userId, createdBy: p.subject, expiresInSeconds: expiresIn });
      core.audit.append({ event_type: 'api_key_created', subject: p.subject, action: 'create', resource: `api_key:${record.id}`, result: 'success', tenant_id: p.tenantId, metadata: { name: record.name, role: record.role, expires_at: record.expires_at }, ...auditContext(ctx) });
      return reply.code(201).send({ ...apiKeyDto(record), key });
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    {
      config: { permission: { resource: 'api_keys', action: 'delete' } },
      schema: routeSchema({ summary: 'Revoke an API key (effective on its very next request)', tags: ['api-keys'], params: apiKeyIdParam, response: { 204: null } }),
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { id } = request.params as { id: string };
      const key = apiKeys.get(id);
      // Someone else's key, another tenant's key and no key at all look the same.
      if (key === undefined || key.tenant_id !== p.tenantId || !(managesAll(p) || owns(p, key))) throw new AppError('NOT_FOUND', `no API key ${id}`);
      apiKeys.revoke(id);
      core.audit.append({ event_type: 'api_key_revoked', subject: p.subject, action: 'revoke', resource: `api_key:${id}`, result: 'success', tenant_id: p.tenantId, metadata: { name: key.name, role: key.role }, ...auditContext(requestContext(request)) });
      return reply.code(204).send();
    },
  );
}
