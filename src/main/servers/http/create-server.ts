// The Fastify base both servers share, in order: trace id, Host/Origin guard, CORS, security headers, body limit, schema compilers, error shape, GET /health.
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from '../../core/logging/logger';
import { frameworkErrorHandler, registerErrorHandling } from './error-handler';
import { hostCheck, originGuard } from './origin-guard';
import { installSchemaCompilers } from './schemas';
import { TRACE_HEADER, traceIdFrom } from './trace-id';

export interface HttpServerOptions {
  logger: Logger;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  /** HSTS is only meaningful (and only sent) over TLS. */
  tls?: boolean;
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

import { securityHeaders } from './security-headers';

export async function createHttpServer({ logger, allowedHosts, allowedOrigins, bodyLimit = 1024 * 1024, tls = false }: HttpServerOptions): Promise<FastifyInstance> {
  const hostAllowed = hostCheck(allowedHosts);
  const app = Fastify({
    loggerInstance: logger,
    // Per-request info lines cost throughput and add nothing the audit trail and metrics do not already say.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'trace_id' }),
    genReqId: traceIdFrom,
    // No pino child per request (a few µs each): our log calls carry trace_id themselves.
    childLoggerFactory: (parent) => parent,
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Requests Fastify rejects before any hook (malformed URL, over-long parameter) still get our shape and headers.
    frameworkErrors: frameworkErrorHandler(hostAllowed),
  }) as unknown as FastifyInstance;

  // Before any plugin adds routes: a route keeps the error handler that was set when it was registered.
  registerErrorHandling(app);
  // One synchronous hook: trace id and security headers first, so that refusals (421, 403) carry them too, then the
  // Host/Origin guard. (Every hook is a step per request; this base costs one.)
  const headers = securityHeaders({ tls });
  const guard = originGuard({ hostAllowed, allowedHosts, allowedOrigins });
  app.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers).header(TRACE_HEADER, request.id);
    done(guard(request));
  });
  // Exact origins only, and no credentials: tokens travel in headers, never cookies, so "*" never meets credentials.
  // With no allowed origin the guard above already refuses every Origin, and CORS would have nothing to answer.
  if (allowedOrigins.length > 0) await app.register(cors, {
    origin: [...allowedOrigins],
    credentials: false,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID', 'traceparent'],
    exposedHeaders: [TRACE_HEADER, 'Mcp-Session-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'WWW-Authenticate'],
    maxAge: 600,
  });
  // JSON only: a text/plain body is 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  installSchemaCompilers(app);

  app.get('/health', { schema: healthSchema, config: { public: true } }, async () => ({ status: 'ok' as const }));
  return app;
}
