// /api/v1/contexts: create, read, search (FTS5), update, append items and delete agents' shared contexts, scoped to the caller's tenant.
import type { FastifyInstance } from 'fastify';
import { uuidParam } from '../../../../shared/api/common';
import {
  appendItemRequestSchema,
  contextItemSchema,
  contextListSchema,
  contextSchema,
  contextSummarySchema,
  createContextRequestSchema,
  listContextsQuerySchema,
  updateContextRequestSchema,
  type AppendItemRequest,
  type CreateContextRequest,
  type UpdateContextRequest,
} from '../../../../shared/api/contexts';
import type { Services } from '../../../core/services';
import { principalOf } from '../../http/access-hooks';
import { routeSchema } from '../../http/schemas';

export function registerContextRoutes(app: FastifyInstance, { contexts }: Services): void {
  const tags = ['contexts'];

  app.get(
    '/api/v1/contexts',
    {
      config: { permission: { resource: 'contexts', action: 'read' } },
      schema: routeSchema({ summary: 'List contexts, newest first, or search them with q (full text)', tags, querystring: listContextsQuerySchema, response: { 200: contextListSchema } }),
    },
    async (request) => {
      const { q, limit, cursor } = request.query as { q?: string; limit?: number; cursor?: string };
      return contexts.list(principalOf(request).tenantId, { q, limit, cursor });
    },
  );

  app.post(
    '/api/v1/contexts',
    {
      config: { permission: { resource: 'contexts', action: 'write' } },
      schema: routeSchema({ summary: 'Create a context', tags, body: createContextRequestSchema, response: { 201: contextSummarySchema } }),
    },
    async (request, reply) => {
      const p = principalOf(request);
      return reply.code(201).send(contexts.create(p.tenantId, p.subject, request.body as CreateContextRequest));
    },
  );

  app.get(
    '/api/v1/contexts/:id',
    {
      config: { permission: { resource: 'contexts', action: 'read' } },
      schema: routeSchema({ summary: 'Get a context with its items', tags, params: uuidParam, response: { 200: contextSchema } }),
    },
    async (request) => contexts.get(principalOf(request).tenantId, (request.params as { id: string }).id),
  );

  app.patch(
    '/api/v1/contexts/:id',
    {
      config: { permission: { resource: 'contexts', action: 'write' } },
      schema: routeSchema({ summary: "Change a context's name, description or metadata", tags, params: uuidParam, body: updateContextRequestSchema, response: { 200: contextSummarySchema } }),
    },
    async (request) => {
      const p = principalOf(request);
      return contexts.update(p.tenantId, p.subject, (request.params as { id: string }).id, request.body as UpdateContextRequest);
    },
  );

  app.delete(
    '/api/v1/contexts/:id',
    {
      config: { permission: { resource: 'contexts', action: 'delete' } },
      schema: routeSchema({ summary: 'Delete a context and its items', tags, params: uuidParam, response: { 204: null } }),
    },
    async (request, reply) => {
      contexts.delete(principalOf(request).tenantId, (request.params as { id: string }).id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/contexts/:id/items',
    {
      config: { permission: { resource: 'contexts', action: 'write' } },
      schema: routeSchema({ summary: 'Append an item (user, assistant or system message) to a context', tags, params: uuidParam, body: appendItemRequestSchema, response: { 201: contextItemSchema } }),
    },
    async (request, reply) => {
      const p = principalOf(request);
      return reply.code(201).send(contexts.append(p.tenantId, p.subject, (request.params as { id: string }).id, request.body as AppendItemRequest));
    },
  );
}
