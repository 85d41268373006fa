// GET /metrics on both servers (Prometheus text format) and the per-request counters behind it.
import type { FastifyInstance } from 'fastify';
import type { MeshMetrics } from '../../core/metrics/metrics';

/** Counts every answered request by route pattern (never the raw URL: ids would explode the label set). */
export function registerRequestMetrics(app: FastifyInstance, metrics: MeshMetrics, server: string): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequest(server, request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

/** Needs metrics:read unless METRICS_PUBLIC=true (for a Prometheus that cannot send a credential). */
export function registerMetricsRoute(app: FastifyInstance, metrics: MeshMetrics, { publicAccess }: { publicAccess: boolean }): void {
  app.get(
    '/metrics',
    { config: publicAccess ? { public: true } : { permission: { resource: 'metrics', action: 'read' } }, schema: { hide: true } as Record<string, unknown> },
    async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.render()),
  );
}
