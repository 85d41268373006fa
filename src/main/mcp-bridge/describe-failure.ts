// Turns a failure to reach or use the mesh into one plain sentence and the JSON-RPC error the stdio client receives.
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCErrorResponse, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { ERROR_REGISTRY, isErrorCode, type ErrorCode } from '../../shared/errors';
import { API_KEY_ENV } from '../core/mcp/bridge-key';

export interface BridgeFailure {
  /** One line, safe to show: what happened and what to do. */
  message: string;
  code: ErrorCode;
  /** The mesh's HTTP status, when it answered at all. */
  httpStatus?: number;
}

export interface FailureContext {
  url: URL;
  /** Whether the mesh had given this bridge a session (a 404 then means the session is gone, not a wrong URL). */
  inSession: boolean;
}

const DETAIL_LIMIT = 200;

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'AUTH_INVALID',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  421: 'HOST_NOT_ALLOWED',
  429: 'RATE_LIMITED',
};

/** The mesh answers errors as {"error":{"code","message"}}, the MCP SDK as a JSON-RPC error; the SDK puts that body in its message. */
function meshSaid(error: StreamableHTTPError): { code?: ErrorCode; message?: string } {
  const start = error.message.indexOf('{');
  if (start === -1) return {};
  try {
    const body = JSON.parse(error.message.slice(start)) as { error?: { code?: unknown; message?: unknown } };
    const code = isErrorCode(body.error?.code) ? body.error.code : undefined;
    const message = typeof body.error?.message === 'string' ? body.error.message.replace(/\s+/g, ' ').slice(0, DETAIL_LIMIT) : undefined;
    return { code, message };
  } catch {
    return {};
  }
}

function statusSentence(status: number, { url, inSession }: FailureContext): string {
  if (status === 401) return `the mesh refused the API key (401): check \`devmesh keys list\` for a revoked or expired key, or store a new one with \`devmesh mcp-bridge --store-key\` (or set ${API_KEY_ENV})`;
  if (status === 403) return 'the mesh refused the request (403): the key\'s role lacks the permission, or this address or origin is blocked';
  if (status === 404 && inSession) return 'the mesh no longer knows this MCP session (404) and a new one could not be opened: restart the MCP client to reconnect';
  if (status === 404) return `nothing answers MCP at ${url.href} (404): check --url (the mesh serves /mcp)`;
  if (status === 429) return 'the mesh is rate-limiting this key (429): retry in a moment';
  if (status >= 500) return `the mesh failed to handle the request (${status}): see its log`;
  return `the mesh answered HTTP ${status}`;
}

function fromHttpError(error: StreamableHTTPError, context: FailureContext): BridgeFailure {
  const status = error.code;
  // The SDK uses -1 (or no code) for an answer it could not read, such as an unexpected content type.
  if (status === undefined || status < 100) return { message: `the mesh sent an answer the bridge cannot read: ${error.message}`, code: 'INTERNAL' };
  const said = meshSaid(error);
  const sentence = statusSentence(status, context);
  return {
    message: said.message === undefined ? sentence : `${sentence}; the mesh said: ${said.message}`,
    code: said.code ?? STATUS_CODES[status] ?? 'INTERNAL',
    httpStatus: status,
  };
}

/** fetch() rejects with "fetch failed" and the socket error (ECONNREFUSED...) or its own refusal ("bad port") as the cause. */
function networkCode(error: Error): string | undefined {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof cause?.message === 'string' ? cause.message : undefined;
}

export function describeFailure(error: unknown, context: FailureContext): BridgeFailure {
  if (error instanceof StreamableHTTPError) return fromHttpError(error, context);
  const where = context.url.href;
  if (error instanceof Error) {
    const code = networkCode(error);
    if (code !== undefined && /CERT|TLS|SSL/.test(code)) return { message: `the mesh at ${where} presented a TLS certificate this machine does not accept (${code})`, code: 'INTERNAL' };
    if (code !== undefined || error.message === 'fetch failed') {
      return { message: `cannot reach the mesh at ${where}${code === undefined ? '' : ` (${code})`}: is \`devmesh serve\` or the desktop app running?`, code: 'INTERNAL' };
    }
  }
  const text = error instanceof Error ? error.message : String(error);
  return { message: `relaying to the mesh at ${where} failed: ${text.replace(/\s+/g, ' ').slice(0, DETAIL_LIMIT)}`, code: 'INTERNAL' };
}

/** The JSON-RPC error a client's request gets instead of the mesh's answer. */
export function errorResponse(id: RequestId, failure: BridgeFailure): JSONRPCErrorResponse {
  const data = failure.httpStatus === undefined ? { code: failure.code } : { code: failure.code, http_status: failure.httpStatus };
  return { jsonrpc: '2.0', id, error: { code: ERROR_REGISTRY[failure.code].rpc, message: failure.message, data } };
}

/** An event stream broke before the mesh answered: the mesh stopped, or the connection dropped. */
export function streamLost(url: URL): BridgeFailure {
  return { message: `the connection to the mesh at ${url.href} broke before it answered: is \`devmesh serve\` or the desktop app still running?`, code: 'INTERNAL' };
}
