// The REST API (default 127.0.0.1:8081): the shared HTTP base, then authentication and authorization hooks, the OpenAPI generator and the /api/v1 routes.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../core/services';
import { registerAccessHooks } from '../http/access-hooks';
import { registerMetricsRoute, registerRequestMetrics } from '../http/metrics-route';
import { createHttpServer, type HttpServerOptions } from '../http/create-server';
import { registerApiKeyRoutes } from './routes/api-keys';
import { registerAuditRoutes } from './routes/audit';
import { registerAuthRoutes } from './routes/auth';
import { registerContextRoutes } from './routes/contexts';
import { registerMetaRoutes } from './routes/meta';
import { registerAdminRoutes } from './routes/admin';
import { registerAuthzRoutes } from './routes/authz';
import { registerRoleRoutes } from './routes/roles';
import { registerUserRoutes } from './routes/users';

export interface RestAppOptions extends HttpServerOptions {
  services: Services;
  version: string;
  metricsPublic?: boolean;
}

export async function buildRestApp({ services, version, metricsPublic = false, ...http }: RestAppOptions): Promise<FastifyInstance> {
  const app = await createHttpServer(http);
  registerRequestMetrics(app, services.metrics, 'api');
  registerAccessHooks(app, services);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Developer Mesh Console REST API', version, description: 'Every route but /health and /api/v1/auth/* needs Authorization: Bearer <access token or API key> (or X-API-Key).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'JWT access token or dmk_ API key' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  registerAuthRoutes(app, services);
  registerApiKeyRoutes(app, services);
  registerContextRoutes(app, services);
  registerMetaRoutes(app, services);
  registerAuditRoutes(app, services);
  registerRoleRoutes(app, services);
  registerUserRoutes(app, services);
  registerAuthzRoutes(app, services);
  registerAdminRoutes(app, services);
  registerMetricsRoute(app, services.metrics, { publicAccess: metricsPublic });
  return app;
}
