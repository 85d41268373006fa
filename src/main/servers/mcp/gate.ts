// The gate between a transport and its McpServer: protocol-version negotiation, authorization of every tool call and resource read, the filtered tool list, and one audit event per tool call.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Principal, RequestContext } from '../../core/auth/principal';
import { formatNeed, type Need } from '../../core/rbac/permissions';
import type { Services } from '../../core/services';
import { AppError, isAppError } from '../../../shared/errors';
import type { McpSession, McpTransportKind } from './sessions';
import { mayCall, TOOLS_BY_NAME } from './tools';

/** The protocol versions this server speaks, newest first (the SDK knows older ones too; we do not offer them). */
export const MCP_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;
const LATEST = MCP_PROTOCOL_VERSIONS[0];

/** What a transport attaches to each message (as the SDK's authInfo.extra): who sent it and under which trace id. */
export interface Caller {
  principal: Principal;
  ctx: RequestContext;
}

const CONTEXTS_READ: Need = { resource: 'contexts', action: 'read' };
/** Methods that reveal contexts outside the tools: resources are contexts. */
const RESOURCE_METHODS = new Set(['resources/list', 'resources/read', 'resources/templates/list']);

type Pending =
  | { kind: 'list'; principal: Principal }
  | { kind: 'call'; tool: string; args: unknown; started: number; caller: Caller }
  | { kind: 'initialize'; caller: Caller; client: unknown; requested: unknown };

interface JsonRpcLike {
  id?: RequestId;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** What each tool's call needs, as the audit event names it. */
const PERMISSIONS_OF = new Map([...TOOLS_BY_NAME.values()].map((t) => [t.name, t.needs.map(formatNeed)]));

/** Longer strings are cut in the trail: a call's record says what it did, it is not a second copy of the data. */
const MAX_ARGUMENT_CHARS = 200;

/** Tool arguments for the audit trail: short values as given, long strings cut with their length (secrets are redacted at append). */
export function summarizeArguments(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length <= MAX_ARGUMENT_CHARS ? value : `${value.slice(0, MAX_ARGUMENT_CHARS)}… (${value.length} chars)`;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 4) return Array.isArray(value) ? `[${value.length} items]` : '{…}';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => summarizeArguments(v, depth + 1));
  return Object.fromEntries(Object.entries(value).slice(0, 50).map(([k, v]) => [k, summarizeArguments(v, depth + 1)]));
}

export function callerOf(extra: MessageExtraInfo | undefined): Caller | undefined {
  return extra?.authInfo?.extra?.caller as Caller | undefined;
}

/** The SDK's authInfo for a caller: the principal rides along in `extra`; the token is never put here. */
export function authInfoFor(caller: Caller): { token: string; clientId: string; scopes: string[]; extra: { caller: Caller } } {
  return { token: '', clientId: caller.principal.subject, scopes: [], extra: { caller } };
}

/** The JSON-RPC error for a refusal: our code and trace id ride in `data`, as does retry_after for a rate limit. */
export function rpcError(id: RequestId | null, error: unknown, traceId: string | undefined): JSONRPCMessage {
  const app = isAppError(error) ? error : new AppError('INTERNAL', 'internal error');
  const retry = app.code === 'RATE_LIMITED' ? (app.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds : undefined;
  return {
    jsonrpc: '2.0',
    id: id as RequestId,
    error: { code: app.rpcCode, message: app.httpStatus >= 500 ? 'internal error' : app.message, data: { code: app.code, trace_id: traceId ?? null, ...(retry === undefined ? {} : { retry_after: retry }) } },
  } as JSONRPCMessage;
}

export class GatedTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  private readonly pending = new Map<RequestId, Pending>();
  /** Set once the session is registered (Streamable HTTP learns its id while handling initialize). */
  session: McpSession | undefined;
  /** Called when the caller's visible tools changed since it last listed them (the server sends tools/list_changed). */
  onToolsChanged: (() => void) | undefined;
  /** The tool names the caller saw in its last tools/list, and who it was then. */
  private listed: string | undefined;
  private lastPrincipal: Principal | undefined;

  constructor(
    private readonly inner: Transport,
    private readonly services: Services,
    private readonly kind: McpTransportKind,
  ) {
    inner.onmessage = (message, extra) => this.receive(message as JsonRpcLike & JSONRPCMessage, extra);
    inner.onclose = () => {
      this.pending.clear();
      this.onclose?.();
    };
    inner.onerror = (error) => this.onerror?.(error);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const m = message as JsonRpcLike;
    const pending = m.id === undefined || m.method !== undefined ? undefined : this.pending.get(m.id);
    if (pending !== undefined) {
      this.pending.delete(m.id as RequestId);
      if (pending.kind === 'list' && m.result !== undefined) message = this.visibleTools(message, pending.principal);
      else if (pending.kind === 'call') this.recordCall(pending, m);
      else if (pending.kind === 'initialize' && m.result !== undefined) this.recordStart(pending, m.result);
    }
    return this.inner.send(message, options);
  }

  private receive(message: JsonRpcLike & JSONRPCMessage, extra: MessageExtraInfo | undefined): void {
    if (this.session !== undefined) this.session.lastSeen = Date.now();
    const caller = callerOf(extra);
    if (caller !== undefined) this.seen(caller.principal);
    if (caller === undefined || message.method === undefined || message.id === undefined) {
      if (message.method === 'notifications/cancelled') this.cancelled(message.params?.requestId as RequestId | undefined);
      this.onmessage?.(message, extra);
      return;
    }
    try {
      this.admit(message, caller);
    } catch (error) {
      void this.inner.send(rpcError(message.id, error, caller.ctx.traceId), { relatedRequestId: message.id }).catch((e: Error) => this.onerror?.(e));
      return;
    }
    this.onmessage?.(message, extra);
  }

  /** Decides whether a request may reach the server; throws the refusal. Notes what its answer must be checked for. */
  private admit(message: JsonRpcLike, caller: Caller): void {
    const id = message.id as RequestId;
    const params = message.params ?? {};
    switch (message.method) {
      case 'initialize': {
        this.pending.set(id, { kind: 'initialize', caller, client: params.clientInfo, requested: params.protocolVersion });
        // The SDK would agree to older versions too; a client asking for one we do not offer is answered with the latest.
        if (!(MCP_PROTOCOL_VERSIONS as readonly unknown[]).includes(params.protocolVersion)) params.protocolVersion = LATEST;
        return;
      }
      case 'tools/list':
        this.pending.set(id, { kind: 'list', principal: caller.principal });
        return;
      case 'tools/call': {
        const name = typeof params.name === 'string' ? params.name : '';
        const call: Pending = { kind: 'call', tool: name, args: params.arguments, started: performance.now(), caller };
        const definition = TOOLS_BY_NAME.get(name);
        // Unknown tools go on to the server, which answers as the spec says; known ones need every permission. An
        // allowed call's decisions are recorded in its mcp_tool_call event (one event per call, not three); a denial
        // is also an authz_decision event of its own, like every refusal anywhere.
        if (definition !== undefined) {
          for (const need of definition.needs) {
            if (this.services.access.allows(caller.principal, need)) continue;
            try {
              this.services.access.require(caller.principal, need, caller.ctx, `tool:${name}`);
            } catch (error) {
              this.recordCall(call, undefined, error);
              throw error;
            }
          }
          for (let i = 0; i < definition.needs.length; i++) this.services.metrics.authzDecision(true);
        }
        this.pending.set(id, call);
        if (this.session !== undefined) this.session.toolCalls += 1;
        return;
      }
      default:
        if (RESOURCE_METHODS.has(message.method as string)) {
          const uri = typeof params.uri === 'string' ? params.uri : undefined;
          this.services.access.require(caller.principal, CONTEXTS_READ, caller.ctx, uri);
        }
    }
  }

  /** A cancelled request gets no answer from the server: its call is recorded now, and nothing waits for it. */
  private cancelled(requestId: RequestId | undefined): void {
    const pending = requestId === undefined ? undefined : this.pending.get(requestId);
    if (pending === undefined) return;
    this.pending.delete(requestId as RequestId);
    if (pending.kind === 'call') this.recordCall(pending, undefined, undefined, true);
  }

  /** Re-checks the caller's tools against the current policy (roles edited here or in another process); notifies on a change. */
  refreshToolList(): void {
    if (this.listed === undefined || this.lastPrincipal === undefined) return;
    const names = this.visibleNames(this.lastPrincipal);
    if (names === this.listed) return;
    this.listed = names;
    this.onToolsChanged?.();
  }

  /** A new role for the same subject (a user's role was changed) may change what it can call. */
  private seen(principal: Principal): void {
    const before = this.lastPrincipal;
    this.lastPrincipal = principal;
    if (before !== undefined && before.role !== principal.role) this.refreshToolList();
  }

  private isVisible(name: string, principal: Principal): boolean {
    const definition = TOOLS_BY_NAME.get(name);
    return definition !== undefined && mayCall(this.services, principal, definition);
  }

  private visibleNames(principal: Principal): string {
    return [...TOOLS_BY_NAME.keys()].filter((name) => this.isVisible(name, principal)).join(',');
  }

  /** tools/list shows a caller only the tools it may call. */
  private visibleTools(message: JSONRPCMessage, principal: Principal): JSONRPCMessage {
    const m = message as JsonRpcLike;
    const tools = (m.result?.tools ?? []) as { name: string }[];
    const visible = tools.filter((t) => this.isVisible(t.name, principal));
    this.listed = this.visibleNames(principal);
    return { ...message, result: { ...m.result, tools: visible } } as JSONRPCMessage;
  }

  private recordStart(pending: Extract<Pending, { kind: 'initialize' }>, result: Record<string, unknown>): void {
    const { principal, ctx } = pending.caller;
    const client = pending.client as { name?: unknown; version?: unknown } | undefined;
    this.services.core.audit.append({
      event_type: 'mcp_session_started', subject: principal.subject, action: 'open', resource: `mcp_session:${this.session?.id ?? this.inner.sessionId ?? 'unknown'}`, result: 'success', tenant_id: principal.tenantId,
      metadata: {
        session_id: this.session?.id ?? this.inner.sessionId ?? null, transport: this.kind, protocol_version: result.protocolVersion, requested_version: pending.requested,
        client: { name: String(client?.name ?? ''), version: String(client?.version ?? '') },
      },
      ip: ctx.ip, user_agent: ctx.userAgent, trace_id: ctx.traceId,
    });
  }

  /** One audit event and one metric per tool call, whatever its outcome: success, error (the tool failed), denied or invalid. */
  private recordCall(call: Extract<Pending, { kind: 'call' }>, response: JsonRpcLike | undefined, refusal?: unknown, cancelled = false): void {
    const seconds = (performance.now() - call.started) / 1000;
    const { principal, ctx } = call.caller;
    let outcome: 'success' | 'error' | 'denied' | 'invalid' | 'cancelled';
    let error: string | undefined;
    if (cancelled) {
      outcome = 'cancelled';
      error = 'cancelled by the client';
    } else if (refusal !== undefined) {
      outcome = 'denied';
      error = isAppError(refusal) ? refusal.message : 'refused';
    } else if (response?.error !== undefined) {
      outcome = 'invalid';
      error = response.error.message;
    } else if (response?.result?.isError === true) {
      outcome = 'error';
      const first = (response.result.content as { text?: unknown }[] | undefined)?.[0]?.text;
      error = typeof first === 'string' ? first.slice(0, 500) : 'the tool reported an error';
    } else outcome = 'success';
    const known = TOOLS_BY_NAME.has(call.tool);
    this.services.metrics.toolCall(known ? call.tool : 'unknown', outcome, seconds);
    this.services.core.audit.append({
      event_type: 'mcp_tool_call', subject: principal.subject, action: 'execute', resource: `tool:${known ? call.tool : call.tool.slice(0, 64)}`,
      result: outcome === 'success' ? 'success' : outcome === 'denied' ? 'denied' : 'failure', error, tenant_id: principal.tenantId,
      metadata: {
        tool: call.tool.slice(0, 64), outcome, arguments: summarizeArguments(call.args ?? {}), role: principal.role, permissions: known ? PERMISSIONS_OF.get(call.tool) : [],
        duration_ms: Math.round(seconds * 100_000) / 100, session_id: this.session?.id ?? this.inner.sessionId ?? null, transport: this.kind,
      },
      ip: ctx.ip, user_agent: ctx.userAgent, trace_id: ctx.traceId,
    });
  }
}
