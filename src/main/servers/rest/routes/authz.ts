// POST /api/v1/authz/check: the policy simulator ("can this key do that?"), answered by the same authorizer as real requests.
import type { FastifyInstance } from 'fastify';
import { authzCheckRequestSchema, authzCheckResponseSchema } from '../../../../shared/api/rbac';
import { simulateAccess, type SimulationRequest, type Verdict } from '../../../core/rbac/simulate';
import type { Services } from '../../../core/services';
import { principalOf } from '../../http/access-hooks';
import { routeSchema } from '../../http/schemas';

export function registerAuthzRoutes(app: FastifyInstance, services: Services): void {
  app.post(
    '/api/v1/authz/check',
    {
      config: { permission: { resource: 'roles', action: 'read' } },
      schema: routeSchema({ summary: 'Would this subject be allowed this action? (user:<name>, key:<id> or role:<name>)', tags: ['roles'], body: authzCheckRequestSchema, response: { 200: authzCheckResponseSchema } }),
    },
    async (request): Promise<Verdict> => simulateAccess(services, principalOf(request), request.body as SimulationRequest),
  );
}
