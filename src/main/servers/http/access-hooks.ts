// Authentication and authorization for both servers: every route is public by declaration or names the permission it needs; nothing is reachable by omission.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, Credentials } from '../../core/auth/auth-service';
import type { Principal, RequestContext } from '../../core/auth/principal';
import type { AccessControl } from '../../core/rbac/access-control';
import type { RateLimiter } from '../../core/ratelimit/rate-limiter';
import type { Need } from '../../core/rbac/permissions';
import { AppError } from '../../../shared/errors';
import { verifiedClientSerial } from './tls';

/** What a route declares in its `config`: exactly one of these. */
export interface RouteAccess {
  /** Reachable without a credential (health, login, refresh). */
  public?: boolean;
  /** The permission the caller needs, or 'authenticated' for any valid credential. */
  permission?: Need | 'authenticated';
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    public?: boolean;
    permission?: Need | 'authenticated';
  }
}

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : undefined, traceId: request.id };
}

/** Credentials from Authorization: Bearer … or X-API-Key (never from the query string), and a verified client certificate (mTLS). */
export function credentialsOf(request: Pick<FastifyRequest, 'headers'> & { socket?: unknown }): Credentials {
  const authorization = request.headers.authorization;
  let bearer: string | undefined;
  if (typeof authorization === 'string' && authorization !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null) throw new AppError('AUTH_INVALID', 'unsupported Authorization header: use Authorization: Bearer <access token or API key>');
    bearer = match[1];
  }
  const apiKey = request.headers['x-api-key'];
  return { bearer, apiKey: typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined, clientCertificate: verifiedClientSerial(request.socket) };
}

/** The authenticated principal of a request that passed the authentication hook. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new AppError('AUTH_REQUIRED', 'authentication required');
  return request.principal;
}

export function registerAccessHooks(app: FastifyInstance, { auth, access, limiter }: { auth: AuthService; access: AccessControl; limiter: RateLimiter }): void {
  app.decorateRequest('principal', undefined);

  // A route that declares neither public nor a permission is a programming error, caught at start-up.
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as RouteAccess;
    if (config.public !== true && config.permission === undefined) {
      throw new Error(`route ${String(route.method)} ${route.url} declares neither config.public nor config.permission`);
    }
  });

  // One onRequest hook authenticates and authorizes, before the body is even read: a caller without the permission
  // costs no body parsing and learns nothing about the schema from a 400.
  app.addHook('onRequest', (request, reply, done) => {
    const config = request.routeOptions.config as RouteAccess | undefined;
    // Answers are per caller, and login's carry tokens: no cache may keep any of them.
    void reply.header('cache-control', 'no-store');
    // Unknown routes fall through to the 404 handler; public routes need no credential.
    if (request.routeOptions.url === undefined || config?.public === true || request.method === 'OPTIONS') return done();
    const ctx = requestContext(request);
    let result: Principal | Promise<Principal>;
    try {
      result = auth.authenticate(credentialsOf(request), ctx);
    } catch (error) {
      return done(error as Error);
    }
    // Most requests authenticate synchronously (API keys, tokens seen before): no promise, no extra turn.
    if (!(result instanceof Promise)) return done(authorize(request, result, config?.permission, ctx));
    result.then(
      (principal) => done(authorize(request, principal, config?.permission, ctx)),
      (error: Error) => done(error),
    );
  });

  function authorize(request: FastifyRequest, principal: Principal, permission: RouteAccess['permission'], ctx: RequestContext): Error | undefined {
    request.principal = principal;
    const params = request.params as { id?: unknown } | undefined;
    try {
      // Each credential has its own budget, whichever address it comes from.
      limiter.checkSubject(principal.subject, principal.tenantId, ctx);
      if (permission === undefined || permission === 'authenticated') return undefined;
      const target = typeof params?.id === 'string' ? `${permission.resource}:${params.id}` : undefined;
      access.require(principal, permission, ctx, target);
      return undefined;
    } catch (error) {
      return error as Error;
    }
  }
}
