// GET /metrics on both servers over real HTTP: who may scrape it (metrics:read, or METRICS_PUBLIC), the Prometheus text format, and counters that move with what the mesh does.
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_CONFIG } from '../../../src/main/config';
import { ADMIN_PASSWORD, startTestMesh, type TestMesh } from '../../helpers/mesh';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition format, samples only (HELP/TYPE lines checked separately). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key as string] = value as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples of `name` whose labels include `labels` (0 when there are none yet). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

function has(samples: Sample[], name: string, labels: Record<string, string> = {}): boolean {
  return samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; text: string; samples: Sample[] }> {
  const res = await fetch(`${url}/metrics`, { headers });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), text, samples: res.status === 200 ? parse(text) : [] };
}

/** Scrapes as an admin (with a JWT, so API-key counters are left to the test). */
async function adminScraper(t: TestMesh): Promise<(server?: 'api' | 'mcp') => Promise<Sample[]>> {
  const token = await t.adminToken();
  return async (server = 'api') => {
    const res = await scrape(server === 'api' ? t.api : t.mcp, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    return res.samples;
  };
}

describe('access to /metrics', () => {
  it('needs a credential on both servers: none is 401, a viewer (no metrics:read) is 403, an admin is 200', async () => {
    const t = await startTestMesh();
    const viewer = t.apiKey('viewer');
    const admin = t.apiKey('admin');
    for (const url of [t.api, t.mcp]) {
      const anonymous = await fetch(`${url}/metrics`);
      expect(anonymous.status, url).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const anonymousText = await anonymous.text();
      expect(JSON.parse(anonymousText)).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
      expect(anonymousText).not.toContain('devmesh_');

      const forbidden = await fetch(`${url}/metrics`, { headers: { 'x-api-key': viewer } });
      expect(forbidden.status, url).toBe(403);
      const forbiddenBody = (await forbidden.json()) as { error: { code: string; message: string } };
      expect(forbiddenBody.error.code).toBe('FORBIDDEN');
      expect(forbiddenBody.error.message).toMatch(/metrics:read/);

      const allowed = await scrape(url, { 'x-api-key': admin });
      expect(allowed.status, url).toBe(200);
      expect(allowed.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    }
    const user = await t.userWithToken('ursula', 'user');
    expect((await scrape(t.api, { authorization: `Bearer ${user}` })).status).toBe(403);
  });

  it('with METRICS_PUBLIC=true no credential is needed, on either server', async () => {
    const t = await startTestMesh({ metricsPublic: true });
    expect((await t.request('GET', '/health')).status).toBe(200);
    for (const url of [t.api, t.mcp]) {
      const res = await scrape(url);
      expect(res.status, url).toBe(200);
      expect(res.contentType).toMatch(/^text\/plain/);
      expect(has(res.samples, 'devmesh_http_requests_total')).toBe(true);
    }
    // Only /metrics became public: everything else still needs a credential.
    expect((await t.request('GET', '/api/v1/contexts')).status).toBe(401);
  });

  it('is not public by default on the MCP server either, even though MCP has no other routes yet', async () => {
    const t = await startTestMesh({ metricsPublic: false });
    expect((await fetch(`${t.mcp}/metrics`, { headers: { 'x-api-key': 'dmk_garbage' } })).status).toBe(401);
  });
});

describe('what /metrics says', () => {
  it('is well-formed Prometheus text with HELP and TYPE for each family, and process metrics', async () => {
    const t = await startTestMesh();
    const res = await scrape(t.api, { 'x-api-key': t.apiKey('admin') });
    expect(res.status).toBe(200);
    for (const [name, type] of [
      ['devmesh_http_requests_total', 'counter'],
      ['devmesh_http_request_duration_seconds', 'histogram'],
      ['devmesh_auth_attempts_total', 'counter'],
      ['devmesh_authz_decisions_total', 'counter'],
      ['devmesh_rate_limited_total', 'counter'],
      ['devmesh_audit_events_total', 'counter'],
      ['devmesh_active_sessions', 'gauge'],
    ]) {
      expect(res.text, name).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(res.text, name).toMatch(new RegExp(`^# TYPE ${name} ${type}$`, 'm'));
    }
    expect(has(res.samples, 'devmesh_process_cpu_user_seconds_total')).toBe(true);
    expect(value(res.samples, 'devmesh_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(value(res.samples, 'devmesh_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(has(res.samples, 'devmesh_nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('counts requests by server, route pattern (never raw ids or paths), method and status, with latency buckets', async () => {
    const t = await startTestMesh();
    const key = t.apiKey('admin');
    const metrics = await adminScraper(t);
    const created = await t.request('POST', '/api/v1/contexts', { apiKey: key, body: { name: 'metrics test' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (let i = 0; i < 3; i += 1) expect((await t.request('GET', `/api/v1/contexts/${id}`, { apiKey: key })).status).toBe(200);
    const missing = '00000000-0000-4000-8000-00000000beef';
    expect((await t.request('GET', `/api/v1/contexts/${missing}`, { apiKey: key })).status).toBe(404);
    expect((await t.request('GET', '/secret-admin-panel-31337')).status).toBe(404);
    await fetch(`${t.mcp}/health`);

    const samples = await metrics();
    const byRoute = { name: 'devmesh_http_requests_total', server: 'api', route: '/api/v1/contexts/:id', method: 'GET' };
    expect(value(samples, byRoute.name, { server: 'api', route: byRoute.route, method: 'GET', status: '200' })).toBe(3);
    expect(value(samples, byRoute.name, { server: 'api', route: byRoute.route, method: 'GET', status: '404' })).toBe(1);
    expect(value(samples, byRoute.name, { server: 'api', route: '/api/v1/contexts', method: 'POST', status: '201' })).toBe(1);
    expect(value(samples, byRoute.name, { server: 'mcp', route: '/health', method: 'GET', status: '200' })).toBe(1);
    // Label values never carry what a client typed: ids and unknown paths would make the label set unbounded.
    for (const s of samples) {
      for (const label of Object.values(s.labels)) {
        expect(label).not.toContain(id);
        expect(label).not.toContain(missing);
        expect(label).not.toContain('secret-admin-panel');
      }
    }
    const buckets = samples.filter((s) => s.name === 'devmesh_http_request_duration_seconds_bucket' && s.labels.route === byRoute.route && s.labels.method === 'GET');
    expect(buckets.length).toBeGreaterThan(5);
    expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(4);
    expect(value(samples, 'devmesh_http_request_duration_seconds_count', { route: byRoute.route, method: 'GET' })).toBe(4);
    expect(value(samples, 'devmesh_http_request_duration_seconds_sum', { route: byRoute.route, method: 'GET' })).toBeGreaterThan(0);
  });

  it('counts authentication attempts by method and result', async () => {
    const t = await startTestMesh();
    const metrics = await adminScraper(t);
    const key = t.apiKey('viewer');
    const before = await metrics();
    for (let i = 0; i < 3; i += 1) expect((await t.request('GET', '/api/v1/whoami', { apiKey: key })).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await t.request('GET', '/api/v1/whoami', { apiKey: `dmk_${'A'.repeat(16)}_${'b'.repeat(43)}` })).status).toBe(401);
    expect((await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'not the password' } })).status).toBe(401);
    await t.login('admin', ADMIN_PASSWORD);
    const after = await metrics();
    const delta = (labels: Record<string, string>) => value(after, 'devmesh_auth_attempts_total', labels) - value(before, 'devmesh_auth_attempts_total', labels);
    expect(delta({ method: 'api_key', result: 'success' })).toBe(3);
    expect(delta({ method: 'api_key', result: 'failure' })).toBe(2);
    expect(delta({ method: 'password', result: 'failure' })).toBe(1);
    expect(delta({ method: 'password', result: 'success' })).toBe(1);
  });

  it('counts authorization decisions and audit events by type', async () => {
    const t = await startTestMesh();
    const metrics = await adminScraper(t);
    const viewer = t.apiKey('viewer');
    const before = await metrics();
    for (let i = 0; i < 2; i += 1) expect((await t.request('POST', '/api/v1/contexts', { apiKey: viewer, body: { name: 'nope' } })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/contexts', { apiKey: viewer })).status).toBe(200);
    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
    expect(delta('devmesh_authz_decisions_total', { result: 'denied' })).toBe(2);
    // The viewer's read, and the admin's second scrape.
    expect(delta('devmesh_authz_decisions_total', { result: 'allowed' })).toBe(2);
    expect(delta('devmesh_audit_events_total', { type: 'authz_decision' })).toBe(4);
    expect(value(after, 'devmesh_audit_events_total', { type: 'auth_success' })).toBeGreaterThanOrEqual(1);
  });

  it('counts rate-limit refusals by scope, and knocks from blocked addresses', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'], rateLimit: { ipRps: 1, ipBurst: 5, userRps: 1, userBurst: 3 } });
    const metrics = await adminScraper(t);
    const before = await metrics();
    const limited = { 'x-forwarded-for': '203.0.113.1' };
    const codes: number[] = [];
    for (let i = 0; i < 10; i += 1) codes.push((await t.request('GET', '/health', { headers: limited })).status);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(4);
    const key = t.apiKey('viewer');
    for (let i = 0; i < 4; i += 1) await t.request('GET', '/api/v1/whoami', { apiKey: key, headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } });
    t.mesh.services.blocklist.add('192.0.2.0/24', 'test', 'test');
    for (let i = 0; i < 2; i += 1) expect((await t.request('GET', '/health', { headers: { 'x-forwarded-for': '192.0.2.9' } })).status).toBe(403);
    // The admin's login and scrapes come from 127.0.0.1, within that address's and that user's own budgets.
    const after = await metrics('mcp');
    const delta = (scope: string) => value(after, 'devmesh_rate_limited_total', { scope }) - value(before, 'devmesh_rate_limited_total', { scope });
    expect(delta('ip')).toBe(codes.filter((c) => c === 429).length);
    expect(delta('subject')).toBe(1);
    expect(delta('blocked')).toBe(2);
    expect(value(after, 'devmesh_http_requests_total', { route: '/health', status: '429' })).toBe(codes.filter((c) => c === 429).length);
  });

  it('counts login refusals by the login limit under their own scope', async () => {
    const t = await startTestMesh({ auth: { ...DEFAULT_AUTH_CONFIG, loginAttemptsPerMinute: 2 } });
    const scrapeKey = t.apiKey('admin');
    for (let i = 0; i < 5; i += 1) await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'wrong password!' } });
    const res = await scrape(t.api, { 'x-api-key': scrapeKey });
    expect(value(res.samples, 'devmesh_rate_limited_total', { scope: 'login_ip' })).toBe(3);
  });

  it('reports active refresh sessions as a gauge that follows logins and logouts', async () => {
    const t = await startTestMesh({ metricsPublic: true });
    const sessions = async () => value((await scrape(t.mcp)).samples, 'devmesh_active_sessions', { kind: 'refresh' });
    expect(await sessions()).toBe(0);
    const first = await t.login('admin', ADMIN_PASSWORD);
    await t.login('admin', ADMIN_PASSWORD);
    await t.userWithToken('alice', 'user');
    expect(await sessions()).toBe(3);
    // Refreshing keeps it one session.
    const rotated = await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    expect(rotated.status).toBe(200);
    expect(await sessions()).toBe(3);
    expect((await t.request('POST', '/api/v1/auth/logout', { body: { refresh_token: rotated.body.refresh_token } })).status).toBe(204);
    expect(await sessions()).toBe(2);
    await t.request('POST', '/api/v1/admin/lockdown', { apiKey: t.apiKey('admin'), body: {} });
    expect(await sessions()).toBe(0);
  });
});
