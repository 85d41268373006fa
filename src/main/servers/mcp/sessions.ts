// MCP sessions of both transports: each bound to the subject that opened it, capped per subject, closed when idle, audited when they start and end.
import type { AuditService } from '../../core/audit/audit-service';
import type { Principal } from '../../core/auth/principal';
import { AppError } from '../../../shared/errors';

export type McpTransportKind = 'http' | 'ws';
export type SessionEndReason = 'deleted' | 'idle' | 'closed' | 'shutdown' | 'lockdown';

export interface McpSession {
  readonly id: string;
  readonly subject: string;
  readonly tenantId: string;
  readonly transport: McpTransportKind;
  readonly openedAt: number;
  lastSeen: number;
  toolCalls: number;
  /** Closes the transport and the server behind it (idempotent). */
  close(): Promise<void>;
  /** Tells the client if the tools it may call changed since it listed them. */
  refreshTools(): void;
}

export interface SessionRegistry {
  /** Refuses (429) when the subject already holds the maximum; otherwise the caller may open one. */
  assertCapacity(principal: Principal): void;
  add(session: McpSession): void;
  /** The session, only if `principal` is the subject that opened it; another subject's id is as unknown as a made-up one. */
  lookup(id: string, principal: Principal): McpSession | undefined;
  /** Forgets the session and audits its end; closing it is the caller's business. */
  remove(id: string, reason: SessionEndReason): void;
  count(transport?: McpTransportKind): number;
  forEach(fn: (session: McpSession) => void): void;
  /** Closes every session: the server is shutting down, or a lockdown cut every credential off. */
  closeAll(reason?: Extract<SessionEndReason, 'shutdown' | 'lockdown'>): Promise<void>;
}

export interface SessionRegistryOptions {
  audit: AuditService;
  maxPerSubject: number;
  idleSeconds: number;
  now?: () => number;
}

export function createSessionRegistry({ audit, maxPerSubject, idleSeconds, now = () => Date.now() }: SessionRegistryOptions): SessionRegistry & { stopSweeping(): void } {
  const sessions = new Map<string, McpSession>();
  const perSubject = new Map<string, number>();
  const idleMs = idleSeconds * 1000;

  function end(session: McpSession, reason: SessionEndReason): void {
    if (!sessions.delete(session.id)) return;
    const left = (perSubject.get(session.subject) ?? 1) - 1;
    if (left <= 0) perSubject.delete(session.subject);
    else perSubject.set(session.subject, left);
    audit.append({
      event_type: 'mcp_session_ended', subject: session.subject, action: 'close', resource: `mcp_session:${session.id}`, result: 'success', tenant_id: session.tenantId,
      metadata: { session_id: session.id, transport: session.transport, reason, tool_calls: session.toolCalls, duration_seconds: Math.round((now() - session.openedAt) / 1000) },
    });
  }

  // Idle sessions are swept often enough that none outlives its timeout by more than a quarter of it (at most a minute).
  const sweep = setInterval(() => {
    const cutoff = now() - idleMs;
    for (const session of [...sessions.values()]) {
      if (session.lastSeen > cutoff) continue;
      end(session, 'idle');
      void session.close();
    }
  }, Math.min(60_000, Math.max(1000, idleMs / 4)));
  sweep.unref();

  return {
    assertCapacity(principal) {
      if ((perSubject.get(principal.subject) ?? 0) < maxPerSubject) return;
      throw new AppError('RATE_LIMITED', `this credential already holds ${maxPerSubject} MCP sessions (MCP_MAX_SESSIONS_PER_SUBJECT); end one (DELETE /mcp or close the WebSocket) or wait for idle ones to expire`, {
        details: { retryAfterSeconds: 60, limit: maxPerSubject, remaining: 0 },
      });
    },
    add(session) {
      sessions.set(session.id, session);
      perSubject.set(session.subject, (perSubject.get(session.subject) ?? 0) + 1);
    },
    lookup(id, principal) {
      const session = sessions.get(id);
      if (session === undefined) return undefined;
      if (session.subject !== principal.subject || session.tenantId !== principal.tenantId) {
        audit.append({
          event_type: 'mcp_session_refused', subject: principal.subject, action: 'resume', resource: `mcp_session:${id}`, result: 'denied', tenant_id: principal.tenantId,
          error: 'the session belongs to another subject', metadata: { session_id: id, owner: session.subject },
        });
        return undefined;
      }
      session.lastSeen = now();
      return session;
    },
    remove(id, reason) {
      const session = sessions.get(id);
      if (session !== undefined) end(session, reason);
    },
    count(transport) {
      if (transport === undefined) return sessions.size;
      let n = 0;
      for (const s of sessions.values()) if (s.transport === transport) n += 1;
      return n;
    },
    forEach(fn) {
      for (const session of sessions.values()) fn(session);
    },
    async closeAll(reason = 'shutdown') {
      const all = [...sessions.values()];
      for (const session of all) end(session, reason);
      await Promise.allSettled(all.map((s) => s.close()));
    },
    stopSweeping: () => clearInterval(sweep),
  };
}
