// An MCP Transport over one `ws` WebSocket (subprotocol mcp.v1): one JSON-RPC message per text frame, each checked (credential still valid, rate limit) before the server sees it.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage, type MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { RawData, WebSocket } from 'ws';
import { isAppError } from '../../../shared/errors';
import { authInfoFor, rpcError, type Caller } from './gate';

export const MCP_WS_SUBPROTOCOL = 'mcp.v1';
/** Close codes: the credential stopped being valid (RFC 6455 policy violation); normal end. */
const CLOSE_POLICY = 1008;
const CLOSE_NORMAL = 1000;

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

export interface WebSocketTransportOptions {
  sessionId: string;
  /** Who sends the next message: re-checks the credential and takes from the subject's rate limit; throws the refusal. */
  admit: () => Caller | Promise<Caller>;
}

export class WebSocketServerTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  readonly sessionId: string;
  private closed = false;
  /** Messages are admitted one after another, so a slow (first-seen JWT) check cannot reorder them. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: WebSocket,
    private readonly options: WebSocketTransportOptions,
  ) {
    this.sessionId = options.sessionId;
  }

  start(): Promise<void> {
    this.socket.on('message', (data, isBinary) => {
      this.queue = this.queue.then(() => this.receive(data, isBinary));
    });
    this.socket.on('close', () => this.finish());
    this.socket.on('error', (error) => this.onerror?.(error));
    return Promise.resolve();
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => this.socket.send(JSON.stringify(message), (error) => (error ? reject(error) : resolve())));
  }

  close(): Promise<void> {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(CLOSE_NORMAL, 'session closed');
    this.finish();
    return Promise.resolve();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }

  private async receive(data: RawData, isBinary: boolean): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
    } catch {
      return this.send({ jsonrpc: '2.0', id: null, error: { code: PARSE_ERROR, message: 'Parse error: a frame must hold one JSON-RPC message' } } as unknown as JSONRPCMessage);
    }
    const result = JSONRPCMessageSchema.safeParse(parsed);
    if (!result.success) {
      const id = (parsed as { id?: unknown } | null)?.id;
      return this.send({ jsonrpc: '2.0', id: typeof id === 'string' || typeof id === 'number' ? id : null, error: { code: INVALID_REQUEST, message: 'Invalid Request: not a JSON-RPC 2.0 message' } } as unknown as JSONRPCMessage);
    }
    const message = result.data;
    const id = 'id' in message && 'method' in message ? message.id : undefined;
    let caller: Caller;
    try {
      caller = await this.options.admit();
    } catch (error) {
      if (id !== undefined) await this.send(rpcError(id, error, undefined)).catch(() => undefined);
      // A credential that stopped being valid ends the connection; a rate limit only refuses this message.
      if (!isAppError(error) || error.code !== 'RATE_LIMITED') this.socket.close(CLOSE_POLICY, isAppError(error) ? error.code : 'refused');
      return;
    }
    if (this.closed) return;
    this.onmessage?.(message, { authInfo: authInfoFor(caller) });
  }
}
