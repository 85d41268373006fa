// Rate limiting policy: a token bucket per client address before authentication and per subject after it, from runtime settings, with sampled audit events.
import { AppError } from '../../../shared/errors';
import type { AuditService } from '../audit/audit-service';
import type { RequestContext } from '../auth/principal';
import type { SettingsService } from '../settings/settings-service';
import type { BucketRule, BucketStore, TakeResult } from './token-bucket';

export type LimitScope = 'ip' | 'subject' | 'login_ip' | 'blocked';

export interface RateLimiter {
  /** Throws RATE_LIMITED (with Retry-After details) when the address has used its budget. */
  checkIp(ip: string, ctx: RequestContext): void;
  checkSubject(subject: string, tenantId: string, ctx: RequestContext): void;
  /** Records (sampled, like refusals) that a blocklisted address knocked. */
  recordBlocked(ip: string, ctx: RequestContext): void;
  /** Records a refusal decided elsewhere (the login limit), sampled the same way. */
  recordRefusal(scope: LimitScope, key: string, subject: string, tenantId: string | undefined, ctx: RequestContext): void;
  /** Writes the pending refusal counts of every window and stops the timer. */
  close(): void;
  /** Called for every refusal (metrics hook). */
  onLimited?: ((scope: LimitScope) => void) | undefined;
}

/**
 * At most one audit event per limited key per window: the first refusal is written at once, the rest of the window's
 * refusals are counted and written as one summary event when the window ends. A flood cannot flood the trail (a
 * million refused requests from one address in ten seconds are two events), and its size is never lost.
 */
const SAMPLE_WINDOW_MS = 10_000;
const MAX_SAMPLED_KEYS = 10_000;

export function rateLimitedError(rule: BucketRule, result: TakeResult, message: string): AppError {
  return new AppError('RATE_LIMITED', message, {
    details: { retryAfterSeconds: Math.max(1, Math.ceil(result.retryAfterMs / 1000)), limit: rule.burst, remaining: 0, resetSeconds: Math.max(1, Math.ceil(result.resetMs / 1000)) },
  });
}

export function createRateLimiter({ buckets, settings, audit, now = () => Date.now() }: { buckets: BucketStore; settings: SettingsService; audit: AuditService; now?: () => number }): RateLimiter {
  interface Window {
    since: number;
    suppressed: number;
    subject: string;
    tenantId: string | undefined;
    ctx: RequestContext;
  }
  const sampled = new Map<string, Window>();

  function write(scope: LimitScope, key: string, w: Pick<Window, 'subject' | 'tenantId' | 'ctx'>, refusals: number, summary: boolean): void {
    audit.append({
      event_type: scope === 'blocked' ? 'ip_blocked' : 'rate_limited', subject: w.subject, action: 'request', resource: `rate_limit:${scope}`, result: 'denied', tenant_id: w.tenantId,
      // "limited", not "key": a field named key would be redacted as if it were a secret.
      metadata: { scope, limited: key, refusals, summary, sample_window_seconds: SAMPLE_WINDOW_MS / 1000 },
      ip: w.ctx.ip, user_agent: w.ctx.userAgent, trace_id: w.ctx.traceId,
    });
  }

  /** Closes windows that have run out: their suppressed refusals become one summary event each. */
  function flushWindows(all: boolean): void {
    const at = now();
    for (const [id, w] of sampled) {
      if (!all && at - w.since < SAMPLE_WINDOW_MS) continue;
      sampled.delete(id);
      if (w.suppressed > 0) {
        const [scope, key] = id.split('\0') as [LimitScope, string];
        write(scope, key, w, w.suppressed, true);
      }
    }
  }
  const timer = setInterval(() => flushWindows(false), SAMPLE_WINDOW_MS);
  timer.unref();

  function record(scope: LimitScope, key: string, subject: string, tenantId: string | undefined, ctx: RequestContext): void {
    const id = `${scope}\0${key}`;
    const at = now();
    const open = sampled.get(id);
    if (open !== undefined && at - open.since < SAMPLE_WINDOW_MS) {
      open.suppressed += 1;
      return;
    }
    if (open !== undefined) {
      sampled.delete(id);
      if (open.suppressed > 0) write(scope, key, open, open.suppressed, true);
    }
    if (sampled.size >= MAX_SAMPLED_KEYS) flushWindows(true);
    sampled.set(id, { since: at, suppressed: 0, subject, tenantId, ctx });
    write(scope, key, { subject, tenantId, ctx }, 1, false);
  }

  const limiter: RateLimiter = {
    recordBlocked(ip, ctx) {
      limiter.onLimited?.('blocked');
      record('blocked', ip, `ip:${ip}`, undefined, ctx);
    },
    recordRefusal: (scope, key, subject, tenantId, ctx) => record(scope, key, subject, tenantId, ctx),
    close() {
      clearInterval(timer);
      flushWindows(true);
    },
    checkIp(ip, ctx) {
      const s = settings.get();
      const rule = { ratePerSecond: s['rate_limit.ip_rps'], burst: s['rate_limit.ip_burst'] };
      const result = buckets.take(`ip:${ip}`, rule, now());
      if (result.allowed) return;
      limiter.onLimited?.('ip');
      record('ip', ip, `ip:${ip}`, undefined, ctx);
      throw rateLimitedError(rule, result, 'too many requests from this address; slow down and retry after the number of seconds in Retry-After');
    },
    checkSubject(subject, tenantId, ctx) {
      const s = settings.get();
      const rule = { ratePerSecond: s['rate_limit.user_rps'], burst: s['rate_limit.user_burst'] };
      const result = buckets.take(`subject:${subject}`, rule, now());
      if (result.allowed) return;
      limiter.onLimited?.('subject');
      record('subject', subject, subject, tenantId, ctx);
      throw rateLimitedError(rule, result, 'too many requests for this credential; slow down and retry after the number of seconds in Retry-After');
    },
  };
  return limiter;
}
