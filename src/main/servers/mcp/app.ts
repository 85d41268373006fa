// The MCP server for agents (default 127.0.0.1:8080): Streamable HTTP at /mcp and WebSocket at /ws over one tool registry, behind the shared guards; no OAuth discovery.
import type { FastifyInstance } from 'fastify';
import type { McpConfig } from '../../config';
import type { Services } from '../../core/services';
import { AppError } from '../../../shared/errors';
import { lastLockdownAt } from '../../core/incident/lockdown';
import { registerAccessHooks } from '../http/access-hooks';
import { createHttpServer, type HttpServerOptions } from '../http/create-server';
import { registerMetricsRoute, registerRequestMetrics } from '../http/metrics-route';
import { createSessionRegistry } from './sessions';
import { registerStreamableHttp } from './streamable-http';
import { registerWebSocket } from './websocket';

/** How often open sessions' tool lists are checked against the policy (tools/list_changed), and for a lockdown. */
const TOOL_LIST_CHECK_MS = 2000;

export interface McpAppOptions extends HttpServerOptions {
  services: Services;
  version: string;
  mcp: McpConfig;
  metricsPublic?: boolean;
}

/** Some clients end a session with `DELETE /mcp` and `Content-Type: application/json` but no body: that is no body, not a 400. */
function acceptEmptyJsonOnDelete(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.method === 'DELETE') return done(null, undefined);
    json(request, body as string, done);
  });
}

export async function buildMcpApp({ services, version, mcp, metricsPublic = false, ...http }: McpAppOptions): Promise<FastifyInstance> {
  const app = await createHttpServer(http);
  registerRequestMetrics(app, services.metrics, 'mcp');
  registerAccessHooks(app, services);
  acceptEmptyJsonOnDelete(app);

  const sessions = createSessionRegistry({ audit: services.core.audit, maxPerSubject: mcp.maxSessionsPerSubject, idleSeconds: mcp.sessionIdleSeconds });
  services.metrics.watchSessions('mcp_http', () => sessions.count('http'));
  services.metrics.watchSessions('mcp_ws', () => sessions.count('ws'));
  registerStreamableHttp(app, services, sessions, version);
  registerWebSocket(app, { services, sessions, version, allowedHosts: http.allowedHosts, allowedOrigins: http.allowedOrigins, maxMessageBytes: http.bodyLimit ?? 1024 * 1024, gate: http.gate, tls: http.tls !== undefined });
  // A role edited (here, over REST or by the CLI in another process) may change what open sessions can call; sessions are
  // re-checked only when the policy's version moved (a user given another role is noticed on their next request).
  // A lockdown (from any process: the console, REST or the CLI) ends every open session within the same tick.
  let checkedPolicy = services.roles.policyVersion();
  let checkedLockdown = lastLockdownAt(services.core.meta);
  const policyWatch = setInterval(() => {
    const lockdownAt = lastLockdownAt(services.core.meta);
    if (lockdownAt !== checkedLockdown) {
      checkedLockdown = lockdownAt;
      void sessions.closeAll('lockdown');
      return;
    }
    const policy = services.roles.policyVersion();
    if (policy === checkedPolicy) return;
    checkedPolicy = policy;
    sessions.forEach((s) => s.refreshTools());
  }, TOOL_LIST_CHECK_MS);
  policyWatch.unref();
  // Open SSE streams and sockets would hold close() forever: sessions end first.
  app.addHook('preClose', async () => {
    clearInterval(policyWatch);
    sessions.stopSweeping();
    await sessions.closeAll();
  });

  // One auth mode: advertising OAuth metadata makes Claude Code, Cursor and VS Code drop their configured headers.
  app.get('/.well-known/*', { config: { public: true }, schema: { hide: true } as Record<string, unknown> }, async () => {
    throw new AppError('NOT_FOUND', 'this server does not use OAuth discovery; send Authorization: Bearer <API key or JWT> (or X-API-Key)');
  });
  registerMetricsRoute(app, services.metrics, { publicAccess: metricsPublic });
  return app;
}
