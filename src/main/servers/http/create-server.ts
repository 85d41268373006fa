// The Fastify base both servers share: trace ids, Host/Origin guard, the error shape and GET /health. Routes are added by each server.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from '../../core/logging/logger';
import { registerErrorHandling } from './error-handler';
import { registerOriginGuard } from './origin-guard';
import { TRACE_HEADER, traceIdFrom } from './trace-id';

export interface HttpServerOptions {
  logger: Logger;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
}

const healthSchema = {
  response: {
    200: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['ok'] } },
      required: ['status'],
      additionalProperties: false,
    },
  },
} as const;

export function createHttpServer({ logger, allowedHosts, allowedOrigins, bodyLimit = 1024 * 1024 }: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    // Per-request info lines cost throughput and add nothing the audit trail and metrics do not already say.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'trace_id' }),
    genReqId: traceIdFrom,
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;

  app.addHook('onRequest', async (request, reply) => {
    void reply.header(TRACE_HEADER, request.id);
  });
  registerOriginGuard(app, { allowedHosts, allowedOrigins });
  registerErrorHandling(app);

  app.get('/health', { schema: healthSchema }, async () => ({ status: 'ok' as const }));
  return app;
}
