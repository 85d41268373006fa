// Official-SDK MCP clients against a test mesh: Streamable HTTP with a credential header, and the same Client over a WebSocket (mcp.v1) transport.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach } from 'vitest';
import WebSocket from 'ws';

const open: Client[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((c) => c.close()));
});

function newClient(): Client {
  const client = new Client({ name: 'devmesh-tests', version: '1.0.0' });
  open.push(client);
  return client;
}

/** A connected (initialized) client over Streamable HTTP; `headers` carry the credential. */
export async function httpClient(mcpUrl: string, headers: Record<string, string>): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', mcpUrl), { requestInit: { headers } });
  const client = newClient();
  await client.connect(transport);
  return { client, transport };
}

export function bearer(credential: string): Record<string, string> {
  return { authorization: `Bearer ${credential}` };
}

/** A client-side Transport over a WebSocket with subprotocol mcp.v1 (the SDK ships none for this subprotocol). */
export class WebSocketClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  socket: WebSocket | undefined;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, 'mcp.v1', { headers: this.headers });
      this.socket = socket;
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      socket.once('error', reject);
      socket.on('message', (data) => this.onmessage?.(JSONRPCMessageSchema.parse(JSON.parse(data.toString()))));
      socket.on('close', () => this.onclose?.());
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => this.socket?.send(JSON.stringify(message), (e) => (e ? reject(e) : resolve())));
  }

  close(): Promise<void> {
    this.socket?.close();
    return Promise.resolve();
  }
}

export async function wsClient(mcpUrl: string, headers: Record<string, string>): Promise<{ client: Client; transport: WebSocketClientTransport }> {
  const transport = new WebSocketClientTransport(`${mcpUrl.replace(/^http/, 'ws')}/ws`, headers);
  const client = newClient();
  await client.connect(transport);
  return { client, transport };
}
