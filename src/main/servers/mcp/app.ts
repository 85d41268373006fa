// The MCP server for agents (default 127.0.0.1:8080). It will carry /mcp and /ws; today it serves /health and /metrics behind the shared guards.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../core/services';
import { registerAccessHooks } from '../http/access-hooks';
import { createHttpServer, type HttpServerOptions } from '../http/create-server';
import { registerMetricsRoute, registerRequestMetrics } from '../http/metrics-route';

export interface McpAppOptions extends HttpServerOptions {
  services: Services;
  metricsPublic?: boolean;
}

export async function buildMcpApp({ services, metricsPublic = false, ...http }: McpAppOptions): Promise<FastifyInstance> {
  const app = await createHttpServer(http);
  registerRequestMetrics(app, services.metrics, 'mcp');
  registerAccessHooks(app, services);
  registerMetricsRoute(app, services.metrics, { publicAccess: metricsPublic });
  return app;
}
