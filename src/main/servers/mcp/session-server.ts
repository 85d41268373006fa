// One official-SDK McpServer per session: the context tools, each context as a context://<id> resource, logging; the caller of every request comes from the transport.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, McpError, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Services } from '../../core/services';
import { AppError, isAppError } from '../../../shared/errors';
import { callerOf, type Caller } from './gate';
import { TOOLS } from './tools';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

const RESOURCE_NOT_FOUND = -32002;

/** The caller the transport attached; a request without one never got past authentication, so this is a bug, not a 401. */
function callerFrom(extra: Extra): Caller {
  const caller = callerOf({ authInfo: extra.authInfo });
  if (caller === undefined) throw new AppError('INTERNAL', 'MCP request without an authenticated caller');
  return caller;
}

/** A failure as the tool's text: the user-facing message for our errors, nothing internal for anything else. */
function failureText(error: unknown): string {
  if (isAppError(error) && error.httpStatus < 500) return `${error.code}: ${error.message}`;
  return 'internal error';
}

export function createSessionServer(services: Services, version: string): McpServer {
  const server = new McpServer(
    { name: 'developer-mesh-console', title: 'Developer Mesh Console', version },
    {
      capabilities: { tools: { listChanged: true }, resources: {}, logging: {} },
      instructions: 'Contexts are shared memory for agents: create one, append items, search and read them. Call whoami to see your permissions.',
    },
  );

  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.input, outputSchema: tool.output, annotations: { readOnlyHint: tool.readOnly, destructiveHint: tool.name === 'context_delete', openWorldHint: false } },
      (args: Record<string, unknown>, extra: Extra) => {
        try {
          const structured = tool.run(services, callerFrom(extra).principal, args) as Record<string, unknown>;
          return { structuredContent: structured, content: [{ type: 'text' as const, text: JSON.stringify(structured) }] };
        } catch (error) {
          return { isError: true, content: [{ type: 'text' as const, text: failureText(error) }] };
        }
      },
    );
  }

  server.registerResource(
    'context',
    new ResourceTemplate('context://{id}', {
      list: (extra) => {
        const { principal } = callerFrom(extra);
        const page = services.contexts.list(principal.tenantId, { limit: 200 });
        return {
          resources: page.contexts.map((c) => ({ uri: `context://${c.id}`, name: c.name, description: c.description || undefined, mimeType: 'application/json' })),
        };
      },
    }),
    { title: 'Context', description: 'A context with all of its items, as JSON (the 200 newest are listed).', mimeType: 'application/json' },
    (uri, variables, extra) => {
      const { principal } = callerFrom(extra);
      try {
        const context = services.contexts.get(principal.tenantId, String(variables.id));
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(context) }] };
      } catch (error) {
        // The spec's "resource not found" (-32002); another tenant's context is as absent as a made-up one.
        if (isAppError(error) && error.code === 'NOT_FOUND') throw new McpError(RESOURCE_NOT_FOUND, 'Resource not found', { uri: uri.href });
        throw isAppError(error) && error.httpStatus < 500 ? new McpError(error.rpcCode, error.message) : new McpError(ErrorCode.InternalError, 'internal error');
      }
    },
  );
  return server;
}
