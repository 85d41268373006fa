// Streamable HTTP at /mcp (POST messages, GET the server's SSE stream, DELETE to end a session) with the SDK's own transport, behind the shared authentication hooks.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../core/services';
import { AppError } from '../../../shared/errors';
import { principalOf, requestContext } from '../http/access-hooks';
import { authInfoFor, GatedTransport, MCP_PROTOCOL_VERSIONS } from './gate';
import { createSessionServer } from './session-server';
import type { McpSession, SessionRegistry } from './sessions';

/** JSON-RPC errors the transport layer answers with, as the SDK's reference transport does. */
function rpcHttpError(reply: FastifyReply, status: number, code: number, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ jsonrpc: '2.0', error: { code, message, data: { trace_id: reply.request.id } }, id: null });
}

function isInitialize(body: unknown): boolean {
  const first = Array.isArray(body) ? body[0] : body;
  return typeof first === 'object' && first !== null && (first as { method?: unknown }).method === 'initialize';
}

/** Hands the request to the SDK transport, with the headers our hooks set (security headers, trace id) kept. */
async function handOver(request: FastifyRequest, reply: FastifyReply, transport: StreamableHTTPServerTransport): Promise<void> {
  const raw = reply.raw;
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) raw.setHeader(name, value as string);
  reply.hijack();
  const caller = { principal: principalOf(request), ctx: requestContext(request) };
  (request.raw as IncomingMessage & { auth?: unknown }).auth = authInfoFor(caller);
  try {
    await transport.handleRequest(request.raw, raw as ServerResponse, request.body);
  } catch (error) {
    request.log.error({ err: error, trace_id: request.id }, 'MCP transport failed');
    if (!raw.headersSent) raw.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'internal error', data: { trace_id: request.id } }, id: null }));
    else raw.end();
  }
}

export function registerStreamableHttp(app: FastifyInstance, services: Services, sessions: SessionRegistry, version: string): void {
  const transports = new Map<string, StreamableHTTPServerTransport>();

  async function open(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const principal = principalOf(request);
    sessions.assertCapacity(principal);
    const server = createSessionServer(services, version);
    let session: McpSession | undefined;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        const at = Date.now();
        session = {
          id, subject: principal.subject, tenantId: principal.tenantId, transport: 'http', openedAt: at, lastSeen: at, toolCalls: 0,
          close: async () => {
            transports.delete(id);
            await server.close();
          },
          refreshTools: () => gated.refreshToolList(),
        };
        gated.session = session;
        transports.set(id, transport);
        sessions.add(session);
      },
      onsessionclosed: (id) => sessions.remove(id, 'deleted'),
    });
    const gated = new GatedTransport(transport, services, 'http');
    gated.onToolsChanged = () => void server.server.sendToolListChanged().catch(() => undefined);
    // When the transport closes (DELETE, idle sweep, shutdown), the session goes too.
    server.server.onclose = () => {
      if (session !== undefined) {
        transports.delete(session.id);
        sessions.remove(session.id, 'closed');
      }
    };
    await server.connect(gated);
    await handOver(request, reply, transport);
    // An initialize that failed (bad params, refused) leaves no session behind: nothing may hold its server open.
    if (session === undefined) await server.close();
  }

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const version = request.headers['mcp-protocol-version'];
    if (version !== undefined && !(MCP_PROTOCOL_VERSIONS as readonly string[]).includes(version as string)) {
      throw new AppError('BAD_REQUEST', `unsupported MCP-Protocol-Version ${JSON.stringify(version)}; this server speaks ${MCP_PROTOCOL_VERSIONS.join(', ')}`);
    }
    const id = request.headers['mcp-session-id'];
    if (id === undefined) {
      if (request.method === 'POST' && isInitialize(request.body)) return open(request, reply);
      return rpcHttpError(reply, 400, -32000, 'Bad Request: Mcp-Session-Id header is required (send initialize first)');
    }
    const session = typeof id === 'string' ? sessions.lookup(id, principalOf(request)) : undefined;
    const transport = session === undefined ? undefined : transports.get(session.id);
    // Unknown, expired and other subjects' sessions look the same: 404, and the client starts a new session.
    if (transport === undefined) return rpcHttpError(reply, 404, -32001, 'Session not found');
    return handOver(request, reply, transport);
  }

  const config = { permission: 'authenticated' as const };
  const schema = { hide: true } as Record<string, unknown>;
  app.post('/mcp', { config, schema }, handle);
  app.get('/mcp', { config, schema }, handle);
  app.delete('/mcp', { config, schema }, handle);
}
