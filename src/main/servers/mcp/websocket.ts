// WebSocket at /ws (subprotocol mcp.v1): the upgrade is authenticated like any request — Host, Origin, blocklist, rate limit, credential — and refused with our JSON error before a socket ever opens.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Principal, RequestContext } from '../../core/auth/principal';
import type { Blocklist } from '../../core/ratelimit/blocklist';
import type { RateLimiter } from '../../core/ratelimit/rate-limiter';
import type { Services } from '../../core/services';
import { AppError, isAppError } from '../../../shared/errors';
import { credentialsOf } from '../http/access-hooks';
import { classify, errorBody, errorHeaders } from '../http/error-handler';
import { hostCheck, originGuard, type AllowedOrigins } from '../http/origin-guard';
import { securityHeaders } from '../http/security-headers';
import { TRACE_HEADER, traceIdFrom } from '../http/trace-id';
import { GatedTransport, type Caller } from './gate';
import { createSessionServer } from './session-server';
import type { SessionRegistry } from './sessions';
import { MCP_WS_SUBPROTOCOL, WebSocketServerTransport } from './websocket-transport';

export interface WebSocketOptions {
  services: Services;
  sessions: SessionRegistry;
  version: string;
  allowedHosts: readonly string[];
  allowedOrigins: AllowedOrigins;
  /** Largest message in bytes; a bigger frame closes that socket with 1009. */
  maxMessageBytes: number;
  gate?: { blocklist: Blocklist; limiter: RateLimiter } | undefined;
  tls?: boolean;
  /** Ping every this many ms; a socket that has not answered the previous ping is dropped. */
  keepaliveMs?: number;
}

const WS_PATH = '/ws';

/** Writes an HTTP refusal onto the raw upgrade socket (the same body, headers and trace id as any other error) and closes it. */
function refuse(socket: Duplex, error: unknown, traceId: string, baseHeaders: Readonly<Record<string, string>>): void {
  const { code, status, message } = classify(error);
  const body = JSON.stringify(errorBody(code, message, traceId));
  const headers: Record<string, string> = {
    ...baseHeaders,
    ...errorHeaders(code, error),
    [TRACE_HEADER]: traceId,
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${body}`);
}

function offersSubprotocol(req: IncomingMessage): boolean {
  const header = req.headers['sec-websocket-protocol'];
  return typeof header === 'string' && header.split(',').some((p) => p.trim() === MCP_WS_SUBPROTOCOL);
}

export function registerWebSocket(app: FastifyInstance, options: WebSocketOptions): void {
  const { services, sessions, version, gate, keepaliveMs = 30_000 } = options;
  const headers = securityHeaders({ tls: options.tls ?? false });
  const guard = originGuard({ hostAllowed: hostCheck(options.allowedHosts), allowedHosts: options.allowedHosts, allowedOrigins: options.allowedOrigins });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    handleProtocols: (offered) => (offered.has(MCP_WS_SUBPROTOCOL) ? MCP_WS_SUBPROTOCOL : false),
  });
  const alive = new WeakSet<WebSocket>();

  /** Everything an HTTP request to /mcp goes through, for the upgrade request; resolves to the caller or throws the refusal. */
  async function admitUpgrade(req: IncomingMessage, ctx: RequestContext): Promise<Principal> {
    const ip = ctx.ip ?? '';
    if (gate !== undefined && gate.blocklist.blocks(ip)) {
      gate.limiter.recordBlocked(ip, ctx);
      throw new AppError('IP_BLOCKED', 'this address is blocked');
    }
    const refused = guard(req);
    if (refused !== undefined) throw refused;
    gate?.limiter.checkIp(ip, ctx);
    const principal = await services.auth.authenticate(credentialsOf(req), ctx);
    services.limiter.checkSubject(principal.subject, principal.tenantId, ctx);
    if (!offersSubprotocol(req)) throw new AppError('BAD_REQUEST', `offer the WebSocket subprotocol ${MCP_WS_SUBPROTOCOL} (Sec-WebSocket-Protocol: ${MCP_WS_SUBPROTOCOL})`);
    sessions.assertCapacity(principal);
    return principal;
  }

  function accept(ws: WebSocket, req: IncomingMessage, principal: Principal, ctx: RequestContext): void {
    const id = randomUUID();
    const credentials = credentialsOf(req);
    const userAgent = ctx.userAgent;
    const transport = new WebSocketServerTransport(ws, {
      sessionId: id,
      // The credential is checked again for every message: a key revoked mid-session fails on its next call.
      admit: async (): Promise<Caller> => {
        const messageCtx: RequestContext = { ip: ctx.ip, userAgent, traceId: traceIdFrom(req) };
        const now = await services.auth.authenticate(credentials, messageCtx);
        if (now.subject !== principal.subject) throw new AppError('AUTH_INVALID', 'the credential changed identity');
        services.limiter.checkSubject(now.subject, now.tenantId, messageCtx);
        return { principal: now, ctx: messageCtx };
      },
    });
    const server = createSessionServer(services, version);
    const gated = new GatedTransport(transport, services, 'ws');
    const at = Date.now();
    gated.onToolsChanged = () => void server.server.sendToolListChanged().catch(() => undefined);
    const session = { id, subject: principal.subject, tenantId: principal.tenantId, transport: 'ws' as const, openedAt: at, lastSeen: at, toolCalls: 0, close: () => server.close(), refreshTools: () => gated.refreshToolList() };
    gated.session = session;
    sessions.add(session);
    server.server.onclose = () => sessions.remove(id, 'closed');
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    void server.connect(gated).catch((error: Error) => {
      app.log.error({ err: error }, 'MCP WebSocket session failed to start');
      ws.terminate();
    });
  }

  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const traceId = traceIdFrom(req);
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) return refuse(socket, new AppError('NOT_FOUND', `no WebSocket endpoint at ${path ?? ''}; use ${WS_PATH}`), traceId, headers);
    const userAgent = req.headers['user-agent'];
    const ctx: RequestContext = { ip: req.socket.remoteAddress, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : undefined, traceId };
    socket.on('error', () => socket.destroy());
    admitUpgrade(req, ctx).then(
      (principal) => wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, principal, ctx)),
      (error: unknown) => {
        if (!isAppError(error) || error.httpStatus >= 500) app.log.error({ err: error, trace_id: traceId }, 'WebSocket upgrade failed');
        refuse(socket, error, traceId, headers);
      },
    );
  });

  // Keepalive: every socket is pinged; one that did not answer the previous ping is gone.
  const keepalive = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, keepaliveMs);
  keepalive.unref();

  app.addHook('preClose', (done) => {
    clearInterval(keepalive);
    for (const ws of wss.clients) ws.close(1001, 'server shutting down');
    wss.close(() => done());
  });
}
