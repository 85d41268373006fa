// GET /api/v1/whoami and GET /api/v1/openapi.json (the OpenAPI document generated from the route schemas).
import type { FastifyInstance } from 'fastify';
import { whoamiSchema } from '../../../../shared/api/meta';
import type { Services } from '../../../core/services';
import { principalOf } from '../../http/access-hooks';
import { routeSchema } from '../../http/schemas';

export function registerMetaRoutes(app: FastifyInstance, { authorizer }: Services): void {
  app.get(
    '/api/v1/whoami',
    {
      config: { permission: 'authenticated' },
      schema: routeSchema({ summary: 'The identity, role, tenant and permissions behind your credential', tags: ['meta'], response: { 200: whoamiSchema }, errors: [401, 421, 429, 500] }),
    },
    async (request) => {
      const p = principalOf(request);
      return { subject: p.subject, kind: p.kind, role: p.role, tenant: p.tenantId, auth_method: p.authMethod, permissions: [...authorizer.permissionsOf(p.role)] };
    },
  );

  app.get(
    '/api/v1/openapi.json',
    { config: { permission: 'authenticated' }, schema: { hide: true } as Record<string, unknown> },
    async () => app.swagger(),
  );
}
