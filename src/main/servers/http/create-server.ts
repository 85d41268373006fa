// The Fastify base both servers share, in order: trace id, Host/Origin guard, CORS, security headers, body limit, schema compilers, error shape, GET /health.
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from '../../core/logging/logger';
import { frameworkErrorHandler, registerErrorHandling } from './error-handler';
import { hostCheck, originAllowed, originGuard, type AllowedOrigins } from './origin-guard';
import { installSchemaCompilers } from './schemas';
import { TRACE_HEADER, traceIdFrom } from './trace-id';

export interface HttpServerOptions {
  logger: Logger;
  allowedHosts: readonly string[];
  /** A getter when the list can change while serving (console settings): CORS and the Origin check read it per request. */
  allowedOrigins: AllowedOrigins;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  /** TLS for this server (HSTS is only meaningful, and only sent, over TLS); plain HTTP without it. */
  tls?: TlsManager | undefined;
  /** Proxies whose X-Forwarded-For is believed (TRUST_PROXY); otherwise the socket address is the client. */
  trustProxy?: readonly string[];
  /** The blocklist and the per-address rate limit, checked on every request. */
  gate?: { blocklist: Blocklist; limiter: RateLimiter } | undefined;
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
import { AppError } from '../../../shared/errors';
import type { Blocklist } from '../../core/ratelimit/blocklist';
import type { Server as TlsServer } from 'node:tls';
import type { TlsManager } from './tls';
import type { RateLimiter } from '../../core/ratelimit/rate-limiter';

export async function createHttpServer({ logger, allowedHosts, allowedOrigins, bodyLimit = 1024 * 1024, tls, trustProxy = [], gate }: HttpServerOptions): Promise<FastifyInstance> {
  const hostAllowed = hostCheck(allowedHosts);
  // Fastify's types pick one server flavour per call site; with TLS it is HTTPS or HTTP/2 at run time (the rest is the same).
  const transport = (tls === undefined ? {} : { https: tls.httpsOptions, http2: tls.http2 }) as object;
  const app = Fastify({
    ...transport,
    loggerInstance: logger,
    // Per-request info lines cost throughput and add nothing the audit trail and metrics do not already say.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'trace_id' }),
    genReqId: traceIdFrom,
    // X-Forwarded-For counts only when the connection comes from a named proxy; a spoofed header changes nothing.
    trustProxy: trustProxy.length === 0 ? false : [...trustProxy],
    // No pino child per request (a few µs each): our log calls carry trace_id themselves.
    childLoggerFactory: (parent) => parent,
    bodyLimit,
    return503OnClosing: true,
    // HTTP/1: idle connections close at once, busy ones after their request. HTTP/2: Fastify ends open sessions only
    // when this is true (it closes them gracefully, letting streams in flight finish).
    forceCloseConnections: tls?.http2 === true ? true : 'idle',
    // Requests Fastify rejects before any hook (malformed URL, over-long parameter) still get our shape and headers.
    frameworkErrors: frameworkErrorHandler(hostAllowed),
  }) as unknown as FastifyInstance;
  if (tls !== undefined) {
    tls.attach(app.server as unknown as TlsServer);
    app.addHook('onClose', (_instance, done) => {
      tls.close();
      done();
    });
  }

  // Before any plugin adds routes: a route keeps the error handler that was set when it was registered.
  registerErrorHandling(app);
  // One synchronous hook: trace id and security headers first, so that refusals carry them too; then the blocklist
  // (before anything else is looked at), the Host/Origin guard and the per-address rate limit.
  const headers = securityHeaders({ tls: tls !== undefined });
  const guard = originGuard({ hostAllowed, allowedHosts, allowedOrigins });
  app.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers).header(TRACE_HEADER, request.id);
    if (gate !== undefined && gate.blocklist.blocks(request.ip)) {
      gate.limiter.recordBlocked(request.ip, { ip: request.ip, traceId: request.id });
      return done(new AppError('IP_BLOCKED', 'this address is blocked'));
    }
    const refused = guard(request);
    if (refused !== undefined) return done(refused);
    if (gate !== undefined) {
      try {
        gate.limiter.checkIp(request.ip, { ip: request.ip, traceId: request.id });
      } catch (error) {
        return done(error as Error);
      }
    }
    done();
  });
  // Exact origins only, and no credentials: tokens travel in headers, never cookies, so "*" never meets credentials.
  // With a fixed empty list the guard above already refuses every Origin, and CORS would have nothing to answer; a live
  // list may gain origins while serving, so the plugin is there and asks the same test per request.
  const live = typeof allowedOrigins === 'function';
  const corsAllowed = originAllowed(allowedOrigins);
  if (live || allowedOrigins.length > 0) await app.register(cors, {
    origin: live ? (origin, callback) => callback(null, origin !== undefined && corsAllowed(origin)) : [...allowedOrigins],
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
