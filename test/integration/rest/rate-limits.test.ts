// Rate limits over real HTTP: per address (with and without TRUST_PROXY), per credential, the login limit, the 429 shape, sampled audit events, and runtime settings.
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_CONFIG, type RateLimitConfig } from '../../../src/main/config';
import type { AuditEvent } from '../../../src/main/core/audit/types';
import { defaultSettings } from '../../../src/main/core/settings/settings-service';
import { ADMIN_PASSWORD, startTestMesh, type ApiResponse, type TestMesh } from '../../helpers/mesh';

const TRACE_ID = /^[0-9a-f]{32}$/;
const TIGHT_IP: RateLimitConfig = { ipRps: 1, ipBurst: 5, userRps: 1000, userBurst: 1000 };
const TIGHT_USER: RateLimitConfig = { ipRps: 1000, ipBurst: 1000, userRps: 1, userBurst: 3 };

function events(t: TestMesh, event_type: string): AuditEvent[] {
  return t.mesh.services.core.audit.query({ event_type, limit: 1000 }).events.reverse();
}

/** Seen from this address, through the trusted proxy 127.0.0.1 (only meaningful with trustProxy: ['127.0.0.1']). */
function from(ip: string): Record<string, string> {
  return { 'x-forwarded-for': ip };
}

/** An admin whose every request appears to come from a fresh address (needs trustProxy: ['127.0.0.1']), so its own calls never meet the tight per-address limit under test. */
function freshAdmin(t: TestMesh): (method: string, path: string, body?: unknown) => Promise<ApiResponse> {
  const key = t.apiKey('admin');
  let n = 0;
  return (method, path, body) => {
    n += 1;
    return t.request(method, path, { apiKey: key, body, headers: from(`198.51.100.${n}`) });
  };
}

async function statuses(n: number, send: () => Promise<ApiResponse>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) out.push((await send()).status);
  return out;
}

/** The standard 429: body shape, Retry-After and RateLimit-* headers; returns the message. */
function expectRateLimited(res: ApiResponse, limit: number): string {
  expect(res.status).toBe(429);
  expect(Object.keys(res.body as object)).toEqual(['error']);
  expect(res.body.error).toEqual({ code: 'RATE_LIMITED', message: expect.any(String), trace_id: res.headers.get('x-trace-id') });
  expect(res.body.error.trace_id).toMatch(TRACE_ID);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(res.headers.get('ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('ratelimit-remaining')).toBe('0');
  const reset = Number(res.headers.get('ratelimit-reset'));
  expect(reset).toBeGreaterThanOrEqual(retryAfter);
  // The refusal still carries the security headers.
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  return res.body.error.message as string;
}

describe('per-address limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After and RateLimit-* once the burst is spent', async () => {
    const t = await startTestMesh({ rateLimit: TIGHT_IP });
    expect(await statuses(5, () => t.request('GET', '/health'))).toEqual([200, 200, 200, 200, 200]);
    const limited = await t.request('GET', '/health');
    const message = expectRateLimited(limited, 5);
    expect(message).toMatch(/too many requests/);
    // 1 request/s with a burst of 5: a token within a second, the bucket full within 5.
    expect(Number(limited.headers.get('retry-after'))).toBe(1);
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(5);
  });

  it('refuses before authentication: no credential is looked at, nothing else is logged', async () => {
    const t = await startTestMesh({ rateLimit: TIGHT_IP });
    const key = t.apiKey('admin');
    await statuses(5, () => t.request('GET', '/health'));
    const withKey = await t.request('GET', '/api/v1/whoami', { apiKey: key });
    expectRateLimited(withKey, 5);
    const garbage = await t.request('GET', '/api/v1/contexts', { apiKey: 'dmk_not_a_real_key' });
    expect(garbage.status).toBe(429);
    expect(events(t, 'auth_failed')).toEqual([]);
    expect(events(t, 'authz_decision')).toEqual([]);
  });

  it('a flood of refusals is one sampled audit event, not fifty', async () => {
    const t = await startTestMesh({ rateLimit: TIGHT_IP });
    await statuses(5, () => t.request('GET', '/health'));
    const flood = await statuses(50, () => t.request('GET', '/health'));
    // A token comes back every second; a slow machine may let one through meanwhile.
    expect(flood.filter((s) => s === 429).length).toBeGreaterThanOrEqual(45);
    const limited = events(t, 'rate_limited');
    expect(limited).toHaveLength(1);
    expect(limited[0]).toMatchObject({ subject: 'ip:127.0.0.1', resource: 'rate_limit:ip', result: 'denied', ip: '127.0.0.1', metadata: { scope: 'ip', sample_window_seconds: 10 } });
    expect(limited[0]?.trace_id).toMatch(TRACE_ID);
  });

  it('recovers at the configured rate', async () => {
    const t = await startTestMesh({ rateLimit: { ...TIGHT_IP, ipRps: 5, ipBurst: 2 } });
    await statuses(2, () => t.request('GET', '/health'));
    expect((await t.request('GET', '/health')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await t.request('GET', '/health')).status).toBe(200);
  });

  it('the MCP server enforces the same per-address budget', async () => {
    const t = await startTestMesh({ rateLimit: TIGHT_IP });
    const mcp = async () => (await fetch(`${t.mcp}/health`)).status;
    expect([await mcp(), await mcp(), await mcp()]).toEqual([200, 200, 200]);
    // The budget is the address's, across both servers.
    expect(await statuses(2, () => t.request('GET', '/health'))).toEqual([200, 200]);
    expect(await mcp()).toBe(429);
    expect((await t.request('GET', '/health')).status).toBe(429);
  });

  it('with TRUST_PROXY, another client address behind the proxy is unaffected', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: TIGHT_IP });
    expect(await statuses(5, () => t.request('GET', '/health', { headers: from('203.0.113.1') }))).toEqual([200, 200, 200, 200, 200]);
    expectRateLimited(await t.request('GET', '/health', { headers: from('203.0.113.1') }), 5);
    expect(await statuses(5, () => t.request('GET', '/health', { headers: from('203.0.113.2') }))).toEqual([200, 200, 200, 200, 200]);
    // The proxy's own address (no X-Forwarded-For) has its own budget too.
    expect((await t.request('GET', '/health')).status).toBe(200);
    const limited = events(t, 'rate_limited');
    expect(limited.map((e) => [e.subject, e.ip])).toEqual([['ip:203.0.113.1', '203.0.113.1']]);
  });

  it('without TRUST_PROXY, a spoofed X-Forwarded-For does not buy a fresh budget', async () => {
    const t = await startTestMesh({ rateLimit: TIGHT_IP });
    let n = 0;
    const spoofed = await statuses(8, async () => {
      n += 1;
      return t.request('GET', '/health', { headers: from(`203.0.113.${n}`) });
    });
    expect(spoofed.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(spoofed.slice(5)).toEqual([429, 429, 429]);
    expect(events(t, 'rate_limited').map((e) => e.subject)).toEqual(['ip:127.0.0.1']);
  });
});

describe('per-credential limit', () => {
  it('one API key at its limit gets 429 while another key from the same address is unaffected', async () => {
    const t = await startTestMesh({ rateLimit: TIGHT_USER });
    const busy = t.apiKey('viewer', { name: 'busy' });
    const calm = t.apiKey('viewer', { name: 'calm' });
    expect(await statuses(3, () => t.request('GET', '/api/v1/whoami', { apiKey: busy }))).toEqual([200, 200, 200]);
    const limited = await t.request('GET', '/api/v1/whoami', { apiKey: busy });
    expect(expectRateLimited(limited, 3)).toMatch(/credential/);
    expect(await statuses(3, () => t.request('GET', '/api/v1/whoami', { apiKey: calm }))).toEqual([200, 200, 200]);

    const busyId = busy.split('_')[1] as string;
    const audited = events(t, 'rate_limited');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ subject: `key:${busyId}`, resource: 'rate_limit:subject', result: 'denied', tenant_id: 'default', metadata: { scope: 'subject' } });
  });

  it('another user is unaffected; the tokens of one user share that user’s budget', async () => {
    const t = await startTestMesh({ rateLimit: TIGHT_USER });
    const alice = await t.userWithToken('alice', 'viewer');
    const aliceAgain = (await t.login('alice', 'alice password 123')).access_token;
    const bob = await t.userWithToken('bob', 'viewer');
    expect(await statuses(3, () => t.request('GET', '/api/v1/whoami', { token: alice }))).toEqual([200, 200, 200]);
    expect((await t.request('GET', '/api/v1/whoami', { token: aliceAgain })).status).toBe(429);
    expect(await statuses(3, () => t.request('GET', '/api/v1/whoami', { token: bob }))).toEqual([200, 200, 200]);
    expect(events(t, 'rate_limited').map((e) => e.subject)).toEqual(['user:alice']);
  });

  it('a credential at its limit gets 429 from every address (the budget follows the credential)', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: TIGHT_USER });
    const key = t.apiKey('viewer');
    const sent = await Promise.all(['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'].map((ip) => t.request('GET', '/api/v1/whoami', { apiKey: key, headers: from(ip) })));
    expect(sent.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
  });
});

describe('runtime settings', () => {
  it('GET shows the effective values (from the environment) and which ones were changed at runtime', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: { ipRps: 7, ipBurst: 70, userRps: 3, userBurst: 30 }, auth: { ...DEFAULT_AUTH_CONFIG, loginAttemptsPerMinute: 12 } });
    const admin = freshAdmin(t);
    const res = await admin('GET', '/api/v1/settings');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      settings: {
        ...defaultSettings(t.mesh.core.config),
        'rate_limit.ip_rps': 7, 'rate_limit.ip_burst': 70, 'rate_limit.user_rps': 3, 'rate_limit.user_burst': 30, 'login.attempts_per_minute': 12, 'login.admins_only': false,
      },
      overridden: [],
    });
    const patched = await admin('PATCH', '/api/v1/settings', { 'rate_limit.user_burst': 31 });
    expect(patched.status).toBe(200);
    expect(patched.body.settings['rate_limit.user_burst']).toBe(31);
    expect(patched.body.overridden).toEqual(['rate_limit.user_burst']);
    expect((await admin('GET', '/api/v1/settings')).body).toEqual(patched.body);
  });

  it('a new client gets a raised burst at once, without a restart', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: TIGHT_IP });
    const admin = freshAdmin(t);
    expect((await admin('PATCH', '/api/v1/settings', { 'rate_limit.ip_burst': 1000 })).status).toBe(200);
    const burst = await statuses(30, () => t.request('GET', '/health', { headers: from('203.0.113.1') }));
    expect(burst.every((s) => s === 200)).toBe(true);
  });

  it('lowering the limit bites at once, even for a client with a full bucket', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: { ...TIGHT_IP, ipBurst: 1000 } });
    const admin = freshAdmin(t);
    expect((await t.request('GET', '/health', { headers: from('203.0.113.1') })).status).toBe(200);
    expect((await admin('PATCH', '/api/v1/settings', { 'rate_limit.ip_burst': 2 })).status).toBe(200);
    expect(await statuses(3, () => t.request('GET', '/health', { headers: from('203.0.113.1') }))).toEqual([200, 200, 429]);
    expectRateLimited(await t.request('GET', '/health', { headers: from('203.0.113.1') }), 2);
  });

  it('PATCH rate_limit.ip_burst lifts the limit for a client that is being refused, without a restart', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: TIGHT_IP });
    const admin = freshAdmin(t);
    await statuses(5, () => t.request('GET', '/health', { headers: from('203.0.113.1') }));
    expect((await t.request('GET', '/health', { headers: from('203.0.113.1') })).status).toBe(429);
    expect((await admin('PATCH', '/api/v1/settings', { 'rate_limit.ip_burst': 1000 })).status).toBe(200);
    // The operator raised the burst 200-fold: the client that was being refused can burst again.
    const after = await statuses(20, () => t.request('GET', '/health', { headers: from('203.0.113.1') }));
    expect(after).toEqual(Array.from({ length: 20 }, () => 200));
  });

  it('PATCH rate_limit.user_burst applies to API keys on their next request', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: TIGHT_USER });
    const admin = freshAdmin(t);
    const key = t.apiKey('viewer');
    expect((await admin('PATCH', '/api/v1/settings', { 'rate_limit.user_burst': 1 })).status).toBe(200);
    expect(await statuses(2, () => t.request('GET', '/api/v1/whoami', { apiKey: key }))).toEqual([200, 429]);
    expectRateLimited(await t.request('GET', '/api/v1/whoami', { apiKey: key }), 1);
  });

  it('refuses an invalid value or an unknown key with 400 and changes nothing (all or nothing)', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: TIGHT_IP });
    const admin = freshAdmin(t);
    const before = (await admin('GET', '/api/v1/settings')).body;
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ 'rate_limit.ip_burst': 0 }, /rate_limit\.ip_burst/],
      [{ 'rate_limit.ip_burst': 1.5 }, /rate_limit\.ip_burst/],
      [{ 'rate_limit.ip_burst': 2_000_000 }, /rate_limit\.ip_burst/],
      [{ 'rate_limit.ip_burst': '50' }, /rate_limit\.ip_burst|body/],
      [{ 'login.admins_only': 1 }, /login\.admins_only/],
      [{ 'rate_limit.ip_burst': 50, 'rate_limit.ip_rps': -1 }, /rate_limit\.ip_rps/],
      [{ 'rate_limit.ip_burst': 50, 'rate_limit.nope': 5 }, /unknown setting.*rate_limit\.nope/],
      [{ 'rate_limit.ip_burst': 50, 'rate_limit.nope': null }, /unknown setting.*rate_limit\.nope/],
      [{ 'rate_limit.ip_burst': null, 'login.attempts_per_minute': 0 }, /login\.attempts_per_minute/],
    ];
    for (const [body, message] of bad) {
      const res = await admin('PATCH', '/api/v1/settings', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await admin('GET', '/api/v1/settings')).body).toEqual(before);
    expect(events(t, 'settings_changed')).toEqual([]);
  });

  it('a partly invalid PATCH that also resets a key leaves that key overridden', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: TIGHT_IP });
    const admin = freshAdmin(t);
    expect((await admin('PATCH', '/api/v1/settings', { 'rate_limit.ip_rps': 9 })).status).toBe(200);
    const res = await admin('PATCH', '/api/v1/settings', { 'rate_limit.ip_rps': null, 'rate_limit.user_rps': 0 });
    expect(res.status).toBe(400);
    expect((await admin('GET', '/api/v1/settings')).body).toMatchObject({ settings: { 'rate_limit.ip_rps': 9 }, overridden: ['rate_limit.ip_rps'] });
  });

  it('null puts a setting back to the environment default', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: TIGHT_IP });
    const admin = freshAdmin(t);
    await admin('PATCH', '/api/v1/settings', { 'rate_limit.ip_burst': 50, 'rate_limit.user_rps': 20 });
    const reset = await admin('PATCH', '/api/v1/settings', { 'rate_limit.ip_burst': null });
    expect(reset.status).toBe(200);
    expect(reset.body.settings).toMatchObject({ 'rate_limit.ip_burst': 5, 'rate_limit.user_rps': 20 });
    expect(reset.body.overridden).toEqual(['rate_limit.user_rps']);
    // Resetting something that was never changed is harmless.
    const again = await admin('PATCH', '/api/v1/settings', { 'rate_limit.ip_burst': null });
    expect(again.status).toBe(200);
    expect(again.body.settings['rate_limit.ip_burst']).toBe(5);
  });

  it('a viewer or a user can neither read nor change settings (403), and nothing changes', async () => {
    const t = await startTestMesh({ rateLimit: { ...TIGHT_IP, ipBurst: 1000 } });
    for (const role of ['viewer', 'user']) {
      const key = t.apiKey(role);
      const patch = await t.request('PATCH', '/api/v1/settings', { apiKey: key, body: { 'rate_limit.ip_burst': 1_000_000 } });
      expect(patch.status, role).toBe(403);
      expect(patch.body.error.code).toBe('FORBIDDEN');
      expect(patch.body.error.message).toMatch(/settings:write/);
      expect((await t.request('GET', '/api/v1/settings', { apiKey: key })).status, role).toBe(403);
    }
    expect((await t.request('PATCH', '/api/v1/settings', { body: { 'rate_limit.ip_burst': 1_000_000 } })).status).toBe(401);
    expect(t.mesh.services.settings.get()['rate_limit.ip_burst']).toBe(1000);
    expect(t.mesh.services.settings.overridden()).toEqual([]);
  });

  it('audits every change with who, before and after', async () => {
    const t = await startTestMesh({ rateLimit: TIGHT_IP });
    const key = t.apiKey('admin');
    const keyId = key.split('_')[1] as string;
    const patch = (body: unknown) => t.request('PATCH', '/api/v1/settings', { apiKey: key, body });
    expect((await patch({ 'rate_limit.ip_burst': 50, 'rate_limit.user_rps': 7 })).status).toBe(200);
    expect((await patch({ 'rate_limit.ip_burst': null })).status).toBe(200);
    const changes = events(t, 'settings_changed');
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({ subject: `key:${keyId}`, resource: 'settings', result: 'success', ip: '127.0.0.1' });
    expect(changes[0]?.metadata).toEqual({ before: { 'rate_limit.ip_burst': 5, 'rate_limit.user_rps': 1000 }, after: { 'rate_limit.ip_burst': 50, 'rate_limit.user_rps': 7 }, actor_tenant: 'default' });
    expect(changes[1]?.metadata).toEqual({ before: { 'rate_limit.ip_burst': 50 }, after: { 'rate_limit.ip_burst': 5 }, actor_tenant: 'default' });
  });
});

describe('the login limit', () => {
  it('is separate from the request limits: exhausting it leaves other requests alone, and a request flood leaves it alone', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: { ipRps: 1, ipBurst: 10, userRps: 1000, userBurst: 1000 }, auth: { ...DEFAULT_AUTH_CONFIG, loginAttemptsPerMinute: 3 } });
    const a = from('203.0.113.1');
    for (let i = 0; i < 3; i += 1) expect((await t.request('POST', '/api/v1/auth/login', { headers: a, body: { username: 'admin', password: 'wrong password!' } })).status).toBe(401);
    const limited = await t.request('POST', '/api/v1/auth/login', { headers: a, body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(expectRateLimited(limited, 3)).toMatch(/login attempts/);
    // The address still has request budget left for everything but logins.
    expect((await t.request('GET', '/api/v1/whoami', { headers: a, apiKey: t.apiKey('viewer') })).status).toBe(200);

    // Another address makes plenty of other requests and can still log in: they do not count as login attempts.
    const b = from('203.0.113.2');
    await statuses(8, () => t.request('GET', '/health', { headers: b }));
    expect((await t.request('POST', '/api/v1/auth/login', { headers: b, body: { username: 'admin', password: ADMIN_PASSWORD } })).status).toBe(200);
    expect(events(t, 'rate_limited').map((e) => e.metadata?.scope)).toEqual(['login_ip']);
  });

  it('follows login.attempts_per_minute changed at runtime', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], auth: { ...DEFAULT_AUTH_CONFIG, loginAttemptsPerMinute: 100 } });
    const admin = freshAdmin(t);
    const patched = await admin('PATCH', '/api/v1/settings', { 'login.attempts_per_minute': 1 });
    expect(patched.body.settings['login.attempts_per_minute']).toBe(1);
    const c = from('203.0.113.3');
    const login = () => t.request('POST', '/api/v1/auth/login', { headers: c, body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect((await login()).status).toBe(200);
    expectRateLimited(await login(), 1);
  });

  it('a flood of refused logins is sampled in the audit trail like every other refusal', async () => {
    const t = await startTestMesh({ auth: { ...DEFAULT_AUTH_CONFIG, loginAttemptsPerMinute: 1 } });
    const attempts = await statuses(31, () => t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'wrong password!' } }));
    expect(attempts.filter((s) => s === 429)).toHaveLength(30);
    // "A flood of requests cannot flood the trail": thirty refusals within a second are one event.
    expect(events(t, 'rate_limited')).toHaveLength(1);
  });
});
