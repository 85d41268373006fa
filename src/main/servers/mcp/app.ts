// The MCP server for agents (default 127.0.0.1:8080). It will carry /mcp and /ws; today it serves /health behind the shared guards.
import type { FastifyInstance } from 'fastify';
import { createHttpServer, type HttpServerOptions } from '../http/create-server';

export type McpAppOptions = HttpServerOptions;

export function buildMcpApp(options: McpAppOptions): Promise<FastifyInstance> {
  return createHttpServer(options);
}
