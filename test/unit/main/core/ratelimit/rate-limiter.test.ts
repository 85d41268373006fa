// The rate-limit policy: per-address and per-subject buckets from the runtime settings, RATE_LIMITED details, and sampled audit events for refusals and blocked addresses.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuditService, type AuditService } from '../../../../../src/main/core/audit/audit-service';
import type { AuditEvent } from '../../../../../src/main/core/audit/types';
import { createRateLimiter, type LimitScope, type RateLimiter } from '../../../../../src/main/core/ratelimit/rate-limiter';
import { createMemoryBucketStore } from '../../../../../src/main/core/ratelimit/token-bucket';
import { defaultSettings, type Settings, type SettingsService } from '../../../../../src/main/core/settings/settings-service';
import { openStorage, type Storage } from '../../../../../src/main/core/storage/database';
import { AppError } from '../../../../../src/shared/errors';
import { tempDir } from '../../../../helpers/temp-dir';
import { testConfig } from '../../../../helpers/config';

const opened: { storage: Storage; audit: AuditService }[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const { storage, audit } of opened.splice(0)) {
    await audit.close();
    storage.close();
  }
});

const T0 = 1_700_000_000_000;
const CTX = { ip: '198.51.100.7', traceId: 'trace-1', userAgent: 'vitest' };

interface Setup {
  limiter: RateLimiter;
  audit: AuditService;
  settings: Settings;
  clock: { ms: number };
  limited: LimitScope[];
}

/** A limiter over a real audit trail (a temp SQLite file), settings we can change, and a clock we move by hand. */
function setup(values: Partial<Settings> = {}): Setup {
  const storage = openStorage({ file: join(tempDir(), 'devmesh.db') });
  const audit = createAuditService({ db: storage.db });
  opened.push({ storage, audit });
  const settings: Settings = {
    ...defaultSettings(testConfig(tempDir())),
    'rate_limit.ip_rps': 1,
    'rate_limit.ip_burst': 3,
    'rate_limit.user_rps': 1,
    'rate_limit.user_burst': 2,
    'login.attempts_per_minute': 10,
    'login.admins_only': false,
    ...values,
  };
  const service: SettingsService = {
    get: () => settings,
    environment: () => settings,
    overridden: () => [],
    apply: () => ({ before: {}, after: {} }),
    update: () => ({ before: {}, after: {} }),
    reset: () => undefined,
  };
  const clock = { ms: T0 };
  const limiter = createRateLimiter({ buckets: createMemoryBucketStore(), settings: service, audit, now: () => clock.ms });
  const limited: LimitScope[] = [];
  limiter.onLimited = (scope) => limited.push(scope);
  return { limiter, audit, settings, clock, limited };
}

/** The RATE_LIMITED error a check throws, or undefined when it let the request through. */
function refusal(check: () => void): AppError | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

function events(audit: AuditService, event_type: string): AuditEvent[] {
  return audit.query({ event_type, limit: 1000 }).events.reverse();
}

describe('checkIp', () => {
  it('lets the burst through, then refuses with RATE_LIMITED and the numbers behind Retry-After and RateLimit-*', () => {
    const { limiter } = setup({ 'rate_limit.ip_rps': 1, 'rate_limit.ip_burst': 3 });
    for (let i = 0; i < 3; i += 1) expect(refusal(() => limiter.checkIp('198.51.100.7', CTX))).toBeUndefined();
    const error = refusal(() => limiter.checkIp('198.51.100.7', CTX));
    expect(error?.code).toBe('RATE_LIMITED');
    expect(error?.httpStatus).toBe(429);
    expect(error?.message).toMatch(/too many requests from this address/);
    // Empty bucket, 1 token/s, burst 3: retry in 1 s, full in 3 s.
    expect(error?.details).toEqual({ retryAfterSeconds: 1, limit: 3, remaining: 0, resetSeconds: 3 });
  });

  it('refills at the configured rate', () => {
    const { limiter, clock } = setup({ 'rate_limit.ip_rps': 2, 'rate_limit.ip_burst': 2 });
    limiter.checkIp('a', CTX);
    limiter.checkIp('a', CTX);
    expect(refusal(() => limiter.checkIp('a', CTX))).toBeDefined();
    clock.ms += 499;
    expect(refusal(() => limiter.checkIp('a', CTX))).toBeDefined();
    clock.ms += 1;
    expect(refusal(() => limiter.checkIp('a', CTX))).toBeUndefined();
  });

  it('never rounds Retry-After down to zero seconds', () => {
    const { limiter } = setup({ 'rate_limit.ip_rps': 1000, 'rate_limit.ip_burst': 1 });
    limiter.checkIp('a', CTX);
    const error = refusal(() => limiter.checkIp('a', CTX));
    expect(error?.details).toMatchObject({ retryAfterSeconds: 1, resetSeconds: 1 });
  });

  it('reads the settings on every check: a changed limit applies without a restart', () => {
    const s = setup({ 'rate_limit.ip_rps': 1, 'rate_limit.ip_burst': 1 });
    s.limiter.checkIp('a', CTX);
    expect(refusal(() => s.limiter.checkIp('a', CTX))?.details).toMatchObject({ limit: 1 });
    s.settings['rate_limit.ip_burst'] = 50;
    // A new client gets the new burst at once.
    for (let i = 0; i < 50; i += 1) expect(refusal(() => s.limiter.checkIp('b', CTX))).toBeUndefined();
    expect(refusal(() => s.limiter.checkIp('b', CTX))?.details).toMatchObject({ limit: 50 });
  });

  it('keeps a budget per address', () => {
    const { limiter } = setup({ 'rate_limit.ip_burst': 1 });
    limiter.checkIp('203.0.113.1', CTX);
    expect(refusal(() => limiter.checkIp('203.0.113.1', CTX))).toBeDefined();
    expect(refusal(() => limiter.checkIp('203.0.113.2', CTX))).toBeUndefined();
  });
});

describe('checkSubject', () => {
  it('uses the user limits, separately from the address budget, one bucket per subject', () => {
    const { limiter } = setup({ 'rate_limit.ip_burst': 1, 'rate_limit.user_burst': 2 });
    limiter.checkIp('key:abc', CTX);
    expect(refusal(() => limiter.checkIp('key:abc', CTX))).toBeDefined();
    // A subject named like a drained address still has its whole budget: the two scopes never share a bucket.
    limiter.checkSubject('key:abc', 'default', CTX);
    limiter.checkSubject('key:abc', 'default', CTX);
    const error = refusal(() => limiter.checkSubject('key:abc', 'default', CTX));
    expect(error?.code).toBe('RATE_LIMITED');
    expect(error?.message).toMatch(/too many requests for this credential/);
    expect(error?.details).toMatchObject({ limit: 2, remaining: 0 });
    expect(refusal(() => limiter.checkSubject('key:other', 'default', CTX))).toBeUndefined();
    expect(refusal(() => limiter.checkSubject('user:alice', 'default', CTX))).toBeUndefined();
  });

  it('records the subject, tenant and request context in its audit event, and names the limited key in its metadata', () => {
    const { limiter, audit } = setup({ 'rate_limit.user_burst': 1 });
    limiter.checkSubject('user:alice', 'default', CTX);
    expect(refusal(() => limiter.checkSubject('user:alice', 'default', CTX))).toBeDefined();
    const [event] = events(audit, 'rate_limited');
    expect(event).toMatchObject({
      subject: 'user:alice',
      tenant_id: 'default',
      resource: 'rate_limit:subject',
      result: 'denied',
      ip: CTX.ip,
      trace_id: CTX.traceId,
      user_agent: CTX.userAgent,
      metadata: { scope: 'subject', refusals: 1, summary: false, sample_window_seconds: 10 },
    });
    // The metadata names what was limited; a field called "key" is taken for a secret by the redactor and comes out
    // as "[REDACTED]", which tells a reader nothing (and suggests a secret was about to leak).
    expect(Object.values(event?.metadata ?? {})).toContain('user:alice');
  });
});

describe('sampled audit events', () => {
  it('turns a flood of refusals for one address into one event when it starts and one summary when its 10 s window ends', () => {
    const { limiter, audit, clock, limited } = setup({ 'rate_limit.ip_rps': 1, 'rate_limit.ip_burst': 1 });
    limiter.checkIp('203.0.113.9', CTX);
    // 50 refusals spread over 9.8 s (a token comes back every second, so some requests pass meanwhile).
    let refused = 0;
    for (let i = 0; i < 50; i += 1) {
      clock.ms = T0 + i * 200;
      if (refusal(() => limiter.checkIp('203.0.113.9', CTX)) !== undefined) refused += 1;
    }
    expect(refused).toBeGreaterThan(30);
    const first = events(audit, 'rate_limited');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ subject: 'ip:203.0.113.9', resource: 'rate_limit:ip', result: 'denied', metadata: { scope: 'ip', limited: '203.0.113.9', refusals: 1, summary: false } });
    // The metrics hook sees every refusal; only the trail is sampled.
    expect(limited).toHaveLength(refused);
    expect(new Set(limited)).toEqual(new Set(['ip']));

    // The first refusal after the window: a summary of the ones the first window kept quiet, then a new window's event.
    clock.ms = T0 + 200 + 10_000;
    // A token may have come back since the last request: the second try at the same instant is refused for sure.
    if (refusal(() => limiter.checkIp('203.0.113.9', CTX)) === undefined) expect(refusal(() => limiter.checkIp('203.0.113.9', CTX))).toBeDefined();
    const second = events(audit, 'rate_limited');
    expect(second).toHaveLength(3);
    expect(second[1]).toMatchObject({ subject: 'ip:203.0.113.9', metadata: { scope: 'ip', refusals: refused - 1, summary: true } });
    expect(second[2]).toMatchObject({ subject: 'ip:203.0.113.9', metadata: { scope: 'ip', refusals: 1, summary: false } });
    // Every refusal is accounted for exactly once.
    expect(second.reduce((n, e) => n + (e.metadata?.refusals as number), 0)).toBe(refused + 1);
  });

  it('keeps the window exactly 10 seconds from the event that opened it', () => {
    const { limiter, audit, clock } = setup({ 'rate_limit.ip_rps': 1, 'rate_limit.ip_burst': 1 });
    // rps 1 but the clock barely moves: everything after the first request is refused.
    limiter.checkIp('a', CTX);
    refusal(() => limiter.checkIp('a', CTX));
    clock.ms = T0 + 9_999;
    // A token came back: take it, then be refused.
    limiter.checkIp('a', CTX);
    refusal(() => limiter.checkIp('a', CTX));
    expect(events(audit, 'rate_limited')).toHaveLength(1);
    clock.ms = T0 + 10_000;
    refusal(() => limiter.checkIp('a', CTX));
    expect(events(audit, 'rate_limited').map((e) => [e.metadata?.refusals, e.metadata?.summary])).toEqual([[1, false], [1, true], [1, false]]);
  });

  it('samples each key on its own: two flooding addresses and a subject make three events', () => {
    const { limiter, audit } = setup({ 'rate_limit.ip_burst': 1, 'rate_limit.user_burst': 1 });
    for (const ip of ['203.0.113.1', '203.0.113.2']) for (let i = 0; i < 20; i += 1) refusal(() => limiter.checkIp(ip, CTX));
    for (let i = 0; i < 20; i += 1) refusal(() => limiter.checkSubject('key:k1', 'default', CTX));
    const all = events(audit, 'rate_limited');
    expect(all.map((e) => e.subject).sort()).toEqual(['ip:203.0.113.1', 'ip:203.0.113.2', 'key:k1']);
  });

  it('records knocks from blocked addresses as sampled ip_blocked events and counts each for metrics', () => {
    const { limiter, audit, clock, limited } = setup();
    for (let i = 0; i < 100; i += 1) limiter.recordBlocked('192.0.2.66', CTX);
    expect(limited).toEqual(Array.from({ length: 100 }, () => 'blocked'));
    const [first, ...rest] = events(audit, 'ip_blocked');
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ subject: 'ip:192.0.2.66', resource: 'rate_limit:blocked', result: 'denied', ip: CTX.ip, metadata: { scope: 'blocked', refusals: 1, summary: false } });
    clock.ms += 10_000;
    limiter.recordBlocked('192.0.2.66', CTX);
    expect(events(audit, 'ip_blocked').map((e) => [e.metadata?.refusals, e.metadata?.summary])).toEqual([[1, false], [99, true], [1, false]]);
    // Blocked knocks are not rate-limit refusals.
    expect(events(audit, 'rate_limited')).toEqual([]);
  });

  it('does not lose the count of a flood that stops: after the window the trail says how many were refused', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'setImmediate', 'Date'], now: T0 });
    const { limiter, audit, clock } = setup({ 'rate_limit.ip_rps': 1, 'rate_limit.ip_burst': 1 });
    limiter.checkIp('203.0.113.50', CTX);
    for (let i = 0; i < 50; i += 1) refusal(() => limiter.checkIp('203.0.113.50', CTX));
    // The flood stops. Time passes (timers too); other clients go on as usual.
    clock.ms += 11_000;
    vi.advanceTimersByTime(11_000);
    limiter.checkIp('203.0.113.51', CTX);
    clock.ms += 11_000;
    vi.advanceTimersByTime(11_000);
    // One event went out at the first refusal; 49 more refusals followed within its window. Someone reading the
    // trail must be able to tell that this address was refused 50 times, not once.
    const reported = events(audit, 'rate_limited').filter((e) => e.subject === 'ip:203.0.113.50');
    expect(reported.map((e) => [e.metadata?.refusals, e.metadata?.summary])).toEqual([[1, false], [49, true]]);
  });
});
