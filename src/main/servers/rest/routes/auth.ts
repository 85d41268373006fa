// POST /api/v1/auth/login, /refresh, /logout: the only API routes reachable without a credential.
import type { FastifyInstance } from 'fastify';
import { loginRequestSchema, logoutRequestSchema, refreshRequestSchema, tokenResponseSchema, type LoginRequest } from '../../../../shared/api/auth';
import type { Services } from '../../../core/services';
import { requestContext } from '../../http/access-hooks';
import { routeSchema } from '../../http/schemas';

export function registerAuthRoutes(app: FastifyInstance, { auth }: Services): void {
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: routeSchema({ summary: 'Log in with username and password', tags: ['auth'], body: loginRequestSchema, response: { 200: tokenResponseSchema }, errors: [400, 401, 413, 415, 429], security: false }),
    },
    async (request) => auth.login(request.body as LoginRequest, requestContext(request)),
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: { public: true },
      schema: routeSchema({ summary: 'Trade a refresh token for new tokens (the old refresh token is spent)', tags: ['auth'], body: refreshRequestSchema, response: { 200: tokenResponseSchema }, errors: [400, 401, 413, 415], security: false }),
    },
    async (request) => auth.refresh((request.body as { refresh_token: string }).refresh_token, requestContext(request)),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { public: true },
      schema: routeSchema({ summary: 'Revoke a refresh token and its whole family', tags: ['auth'], body: logoutRequestSchema, response: { 204: null }, errors: [400, 413, 415], security: false }),
    },
    async (request, reply) => {
      auth.logout((request.body as { refresh_token: string }).refresh_token, requestContext(request));
      return reply.code(204).send();
    },
  );
}
