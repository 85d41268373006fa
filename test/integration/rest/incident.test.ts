// Incident response over real HTTP: POST /api/v1/admin/lockdown (every credential dead at once, admins-only logins) and the IP blocklist (403 IP_BLOCKED before anything else).
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/main/core/audit/types';
import { rawGet } from '../../helpers/cli';
import { ADMIN_PASSWORD, startTestMesh, type ApiResponse, type TestMesh } from '../../helpers/mesh';

const TRACE_ID = /^[0-9a-f]{32}$/;

function events(t: TestMesh, event_type: string, tenant_id?: string): AuditEvent[] {
  return t.mesh.services.core.audit.query({ event_type, tenant_id, limit: 1000 }).events.reverse();
}

function keyId(key: string): string {
  return key.split('_')[1] as string;
}

function kidOf(jwt: string): string {
  const header = JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString('utf8')) as { kid?: string };
  return String(header.kid);
}

async function whoami(t: TestMesh, credential: string): Promise<number> {
  return (await t.request('GET', '/api/v1/whoami', { token: credential })).status;
}

async function refresh(t: TestMesh, refreshToken: string): Promise<ApiResponse> {
  return t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: refreshToken } });
}

async function loginStatus(t: TestMesh, username: string, password: string): Promise<ApiResponse> {
  return t.request('POST', '/api/v1/auth/login', { body: { username, password } });
}

/** Seen from this address through the trusted proxy 127.0.0.1 (only meaningful with trustProxy: ['127.0.0.1']). */
function from(ip: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'x-forwarded-for': ip, ...extra };
}

/** The standard 403 IP_BLOCKED body with its trace id and security headers. */
function expectBlocked(res: ApiResponse): void {
  expect(res.status).toBe(403);
  expect(res.body).toEqual({ error: { code: 'IP_BLOCKED', message: expect.any(String), trace_id: res.headers.get('x-trace-id') } });
  expect(res.body.error.trace_id).toMatch(TRACE_ID);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
}

describe('POST /api/v1/admin/lockdown', () => {
  it('kills every API key, access token and refresh token on the next request; new logins work', async () => {
    const t = await startTestMesh();
    const adminKey = t.apiKey('admin');
    const viewerKey = t.apiKey('viewer');
    const aliceToken = await t.userWithToken('alice', 'user');
    const aliceSession = await t.login('alice', 'alice password 123');
    const aliceOwnKey = (await t.request('POST', '/api/v1/api-keys', { token: aliceToken, body: { name: 'laptop', role: 'viewer' } })).body.key as string;
    const adminSession = await t.login('admin', ADMIN_PASSWORD);
    const oldCredentials = [adminKey, viewerKey, aliceOwnKey, aliceToken, aliceSession.access_token, adminSession.access_token];
    for (const credential of oldCredentials) expect(await whoami(t, credential)).toBe(200);

    const res = await t.request('POST', '/api/v1/admin/lockdown', { token: adminSession.access_token, body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ api_keys_revoked: 3, refresh_tokens_revoked: 3, jwt_kid: expect.any(String), admins_only: false });
    expect(res.body.jwt_kid).not.toBe(kidOf(adminSession.access_token));

    for (const credential of oldCredentials) {
      const after = await t.request('GET', '/api/v1/whoami', { token: credential });
      expect(after.status, credential.slice(0, 12)).toBe(401);
      expect(after.body.error.code).toBe('AUTH_INVALID');
    }
    // X-API-Key is no way around it either.
    expect((await t.request('GET', '/api/v1/whoami', { apiKey: adminKey })).status).toBe(401);
    for (const session of [aliceSession, adminSession]) expect((await refresh(t, session.refresh_token)).status).toBe(401);

    // Everyone can log in again, with tokens signed by the new key.
    const alice = await t.login('alice', 'alice password 123');
    expect(kidOf(alice.access_token)).toBe(res.body.jwt_kid);
    expect(await whoami(t, alice.access_token)).toBe(200);
    expect((await refresh(t, alice.refresh_token)).status).toBe(200);
    const admin = await t.login('admin', ADMIN_PASSWORD);
    expect(await whoami(t, admin.access_token)).toBe(200);
    // And new keys work.
    expect(await whoami(t, t.apiKey('viewer'))).toBe(200);
  });

  it('reports how many live sessions it ended, not how many spent refresh tokens it touched', async () => {
    const t = await startTestMesh();
    const session = await t.login('admin', ADMIN_PASSWORD);
    // One session, refreshed twice: its first two refresh tokens are already spent.
    const second = (await refresh(t, session.refresh_token)).body.refresh_token as string;
    const third = (await refresh(t, second)).body;
    const res = await t.request('POST', '/api/v1/admin/lockdown', { token: third.access_token as string, body: {} });
    expect(res.status).toBe(200);
    expect(res.body.refresh_tokens_revoked).toBe(1);
  });

  it('with admins_only, a non-admin with the right password gets 403 while an admin logs in; PATCH login.admins_only false lifts it', async () => {
    const t = await startTestMesh();
    await t.userWithToken('alice', 'user');
    const adminToken = await t.adminToken();
    const res = await t.request('POST', '/api/v1/admin/lockdown', { token: adminToken, body: { admins_only: true } });
    expect(res.status).toBe(200);
    expect(res.body.admins_only).toBe(true);

    const refused = await loginStatus(t, 'alice', 'alice password 123');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(refused.body.error.message).toMatch(/lockdown/);
    expect(refused.body.access_token).toBeUndefined();
    // Without the password nobody learns about the lockdown: the usual 401.
    const wrong = await loginStatus(t, 'alice', 'not her password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe('invalid username or password');
    expect((await loginStatus(t, 'nobody', 'whatever password')).status).toBe(401);

    const admin = await t.login('admin', ADMIN_PASSWORD);
    const settings = await t.request('GET', '/api/v1/settings', { token: admin.access_token });
    expect(settings.body.settings['login.admins_only']).toBe(true);
    expect(settings.body.overridden).toContain('login.admins_only');

    const lifted = await t.request('PATCH', '/api/v1/settings', { token: admin.access_token, body: { 'login.admins_only': false } });
    expect(lifted.status).toBe(200);
    expect((await loginStatus(t, 'alice', 'alice password 123')).status).toBe(200);

    const reasons = events(t, 'auth_failed').filter((e) => e.subject === 'user:alice').map((e) => e.metadata?.reason);
    expect(reasons).toEqual(['lockdown', 'bad_password']);
  });

  it('is audited with who did it and what it revoked', async () => {
    const t = await startTestMesh();
    t.apiKey('viewer');
    const adminKey = t.apiKey('admin');
    const res = await t.request('POST', '/api/v1/admin/lockdown', { apiKey: adminKey, body: { admins_only: true }, headers: { 'user-agent': 'incident-runbook/1.0' } });
    expect(res.status).toBe(200);
    const [lockdown, ...more] = events(t, 'lockdown');
    expect(more).toEqual([]);
    expect(lockdown).toMatchObject({
      subject: `key:${keyId(adminKey)}`,
      resource: 'mesh',
      result: 'success',
      ip: '127.0.0.1',
      user_agent: 'incident-runbook/1.0',
      metadata: { keys_revoked: 2, sessions_ended: 0, admins_only: true, signing_key_rotated: true, actor_tenant: 'default' },
    });
    expect(lockdown?.trace_id).toBe(res.headers.get('x-trace-id'));
  });

  it('a viewer or a user cannot lock the mesh down (403), and nothing is revoked', async () => {
    const t = await startTestMesh();
    const adminKey = t.apiKey('admin');
    const userKey = t.apiKey('user');
    const viewerToken = await t.userWithToken('vera', 'viewer');
    for (const res of [
      await t.request('POST', '/api/v1/admin/lockdown', { apiKey: userKey, body: {} }),
      await t.request('POST', '/api/v1/admin/lockdown', { token: viewerToken, body: { admins_only: true } }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await t.request('POST', '/api/v1/admin/lockdown', { body: {} })).status).toBe(401);
    for (const credential of [adminKey, userKey, viewerToken]) expect(await whoami(t, credential)).toBe(200);
    expect(events(t, 'lockdown')).toEqual([]);
    expect(t.mesh.services.settings.get()['login.admins_only']).toBe(false);
  });

  it('refuses an unknown field in the body with 400 and does nothing', async () => {
    const t = await startTestMesh();
    const adminKey = t.apiKey('admin');
    const res = await t.request('POST', '/api/v1/admin/lockdown', { apiKey: adminKey, body: { admins_only: true, everyone: true } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/everyone/);
    expect(await whoami(t, adminKey)).toBe(200);
  });

  it("an admin of another tenant cannot revoke the default tenant's credentials", async () => {
    const t = await startTestMesh();
    const defaultKey = t.apiKey('user');
    const defaultAdmin = await t.login('admin', ADMIN_PASSWORD);
    const acmeAdmin = await t.userWithToken('acme-admin', 'admin', 'acme');
    // Everything else a tenant admin does stays in its tenant (other tenants' keys and users are a 404 to it).
    expect((await t.request('DELETE', `/api/v1/api-keys/${keyId(defaultKey)}`, { token: acmeAdmin })).status).toBe(404);
    await t.request('POST', '/api/v1/admin/lockdown', { token: acmeAdmin, body: {} });
    expect(await whoami(t, defaultKey)).toBe(200);
    expect(await whoami(t, defaultAdmin.access_token)).toBe(200);
    expect((await refresh(t, defaultAdmin.refresh_token)).status).toBe(200);
  });
});

describe('the IP blocklist over REST', () => {
  it('blocks an address before anything else: /health, a valid key, a foreign Host, an unknown route, both servers', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'] });
    const adminKey = t.apiKey('admin');
    const added = await t.request('POST', '/api/v1/admin/blocklist', { apiKey: adminKey, body: { cidr: '203.0.113.7', reason: 'scanner' } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ cidr: '203.0.113.7/32', reason: 'scanner', created_by: `key:${keyId(adminKey)}`, created_at: expect.any(String) });
    expect(Math.abs(Date.parse(added.body.created_at as string) - Date.now())).toBeLessThan(60_000);

    const blocked = from('203.0.113.7');
    expectBlocked(await t.request('GET', '/health', { headers: blocked }));
    expectBlocked(await t.request('GET', '/api/v1/whoami', { apiKey: adminKey, headers: blocked }));
    expectBlocked(await t.request('POST', '/api/v1/auth/login', { headers: blocked, body: { username: 'admin', password: ADMIN_PASSWORD } }));
    expectBlocked(await t.request('GET', '/no/such/route', { headers: blocked }));
    expectBlocked(await t.request('GET', '/health', { headers: from('203.0.113.7', { origin: 'https://evil.example' }) }));
    const foreignHost = await rawGet(`${t.api}/health`, from('203.0.113.7', { host: 'evil.example' }));
    expect(foreignHost).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'IP_BLOCKED' }) } });
    const mcp = await fetch(`${t.mcp}/health`, { headers: blocked });
    expect(mcp.status).toBe(403);
    expect(((await mcp.json()) as { error: { code: string } }).error.code).toBe('IP_BLOCKED');

    // Nothing behind the block ran: no authentication, no authorization, no login.
    expect(events(t, 'auth_success')).toEqual([]);
    expect(events(t, 'authz_decision').filter((e) => e.ip === '203.0.113.7')).toEqual([]);

    // Other addresses are fine.
    expect((await t.request('GET', '/health', { headers: from('203.0.113.8') })).status).toBe(200);
    expect((await t.request('GET', '/api/v1/whoami', { apiKey: adminKey, headers: from('203.0.113.6') })).status).toBe(200);
    expect((await t.request('GET', '/api/v1/whoami', { apiKey: adminKey })).status).toBe(200);
  });

  it('blocks whole ranges, IPv4 and IPv6', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'] });
    const adminKey = t.apiKey('admin');
    for (const cidr of ['10.0.0.0/8', '2001:db8::/32']) expect((await t.request('POST', '/api/v1/admin/blocklist', { apiKey: adminKey, body: { cidr } })).status).toBe(201);
    const status = async (ip: string) => (await t.request('GET', '/health', { headers: from(ip) })).status;
    expect(await status('10.0.0.1')).toBe(403);
    expect(await status('10.255.255.254')).toBe(403);
    expect(await status('11.0.0.1')).toBe(200);
    expect(await status('9.255.255.255')).toBe(200);
    expect(await status('2001:db8::1')).toBe(403);
    expect(await status('2001:db8:ffff::1')).toBe(403);
    expect(await status('2001:db9::1')).toBe(200);
    // An IPv4 client reported in IPv6-mapped form is still the same client.
    expect(await status('::ffff:10.1.2.3')).toBe(403);

    const list = await t.request('GET', '/api/v1/admin/blocklist', { apiKey: adminKey });
    expect(list.status).toBe(200);
    expect(list.body.blocked.map((b: { cidr: string }) => b.cidr).sort()).toEqual(['10.0.0.0/8', '2001:db8::/32']);
  });

  it('unblocking restores access; unblocking what is not blocked is 404', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'] });
    const adminKey = t.apiKey('admin');
    await t.request('POST', '/api/v1/admin/blocklist', { apiKey: adminKey, body: { cidr: '10.0.0.0/8', reason: 'noisy lab' } });
    await t.request('POST', '/api/v1/admin/blocklist', { apiKey: adminKey, body: { cidr: '203.0.113.7' } });
    expect((await t.request('GET', '/health', { headers: from('10.1.2.3') })).status).toBe(403);

    const removed = await t.request('DELETE', `/api/v1/admin/blocklist?cidr=${encodeURIComponent('10.0.0.0/8')}`, { apiKey: adminKey });
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect((await t.request('GET', '/health', { headers: from('10.1.2.3') })).status).toBe(200);
    // A single address can be lifted the way it was given.
    expect((await t.request('DELETE', '/api/v1/admin/blocklist?cidr=203.0.113.7', { apiKey: adminKey })).status).toBe(204);
    expect((await t.request('GET', '/health', { headers: from('203.0.113.7') })).status).toBe(200);

    const again = await t.request('DELETE', `/api/v1/admin/blocklist?cidr=${encodeURIComponent('10.0.0.0/8')}`, { apiKey: adminKey });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('NOT_FOUND');
    expect((await t.request('GET', '/api/v1/admin/blocklist', { apiKey: adminKey })).body).toEqual({ blocked: [] });
  });

  it('refuses an invalid address or range with 400 and blocks nothing', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'] });
    const adminKey = t.apiKey('admin');
    for (const cidr of ['not-an-ip', '10.0.0.0/33', '300.1.1.1', '10.0.0.0/8/1', '10.0.0.0/-1', '2001:db8::/129', 'localhost', '']) {
      const res = await t.request('POST', '/api/v1/admin/blocklist', { apiKey: adminKey, body: { cidr } });
      expect(res.status, cidr).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const bad = await t.request('DELETE', '/api/v1/admin/blocklist?cidr=not-an-ip', { apiKey: adminKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not an IP address or CIDR range/);
    expect((await t.request('GET', '/api/v1/admin/blocklist', { apiKey: adminKey })).body).toEqual({ blocked: [] });
    expect(events(t, 'ip_block_added')).toEqual([]);
  });

  it('without TRUST_PROXY, X-Forwarded-For neither gets a blocked client out nor gets another client blocked', async () => {
    const t = await startTestMesh();
    t.mesh.services.blocklist.add('203.0.113.7', 'test', 'test');
    // The mesh sees the socket address (127.0.0.1): a header claiming to be the blocked address changes nothing.
    expect((await t.request('GET', '/health', { headers: from('203.0.113.7') })).status).toBe(200);
    t.mesh.services.blocklist.add('127.0.0.1', 'test', 'test');
    expectBlocked(await t.request('GET', '/health', { headers: from('198.51.100.1') }));
  });

  it('viewers and users can neither read nor change the blocklist', async () => {
    const t = await startTestMesh();
    for (const role of ['viewer', 'user']) {
      const key = t.apiKey(role);
      expect((await t.request('GET', '/api/v1/admin/blocklist', { apiKey: key })).status, role).toBe(403);
      expect((await t.request('POST', '/api/v1/admin/blocklist', { apiKey: key, body: { cidr: '203.0.113.0/24' } })).status, role).toBe(403);
      t.mesh.services.blocklist.add('198.51.100.0/24', '', 'test');
      expect((await t.request('DELETE', '/api/v1/admin/blocklist?cidr=198.51.100.0/24', { apiKey: key })).status, role).toBe(403);
    }
    expect(t.mesh.services.blocklist.list().map((b) => b.cidr)).toEqual(['198.51.100.0/24']);
  });

  it('audits additions and removals under the same resource, and samples the blocked knocks', async () => {
    const t = await startTestMesh({ trustProxy: ['127.0.0.1'] });
    const adminKey = t.apiKey('admin');
    await t.request('POST', '/api/v1/admin/blocklist', { apiKey: adminKey, body: { cidr: '203.0.113.7', reason: 'scanner' } });
    for (let i = 0; i < 20; i += 1) await t.request('GET', '/health', { headers: from('203.0.113.7') });
    await t.request('DELETE', '/api/v1/admin/blocklist?cidr=203.0.113.7', { apiKey: adminKey });

    const knocks = events(t, 'ip_blocked');
    expect(knocks).toHaveLength(1);
    expect(knocks[0]).toMatchObject({ subject: 'ip:203.0.113.7', ip: '203.0.113.7', result: 'denied', metadata: { scope: 'blocked' } });

    const [added] = events(t, 'ip_block_added');
    expect(added).toMatchObject({ subject: `key:${keyId(adminKey)}`, resource: 'ip:203.0.113.7/32', result: 'success', metadata: { cidr: '203.0.113.7/32', reason: 'scanner' } });
    const [removed] = events(t, 'ip_block_removed');
    expect(removed).toMatchObject({ subject: `key:${keyId(adminKey)}`, result: 'success' });
    // Searching the trail for the range finds both the block and its removal.
    expect(removed?.resource).toBe(added?.resource);
  });

  it('spells every range one way: host bits masked, IPv6 compressed, so unblock finds what block stored', async () => {
    const t = await startTestMesh();
    const adminKey = t.apiKey('admin');
    const added = await t.request('POST', '/api/v1/admin/blocklist', { apiKey: adminKey, body: { cidr: '10.1.2.3/8' } });
    expect(added.body.cidr).toBe('10.0.0.0/8');
    const v6 = await t.request('POST', '/api/v1/admin/blocklist', { apiKey: adminKey, body: { cidr: '2001:DB8:0:0:0:0:0:1' } });
    expect(v6.body.cidr).toBe('2001:db8::1/128');
    expect((await t.request('DELETE', '/api/v1/admin/blocklist?cidr=10.200.0.0/8', { apiKey: adminKey })).status).toBe(204);
    expect((await t.request('DELETE', `/api/v1/admin/blocklist?cidr=${encodeURIComponent('2001:db8:0::1')}`, { apiKey: adminKey })).status).toBe(204);
    expect(t.mesh.services.blocklist.list()).toEqual([]);
    expect(events(t, 'ip_block_removed').map((e) => e.resource)).toEqual(['ip:10.0.0.0/8', 'ip:2001:db8::1/128']);
  });
});

describe('mesh-wide switches belong to the default tenant', () => {
  it("another tenant's admin cannot lock down, block, unblock or change settings (403), nothing changes, and the refusal is audited", async () => {
    const t = await startTestMesh();
    const defaultKey = t.apiKey('user');
    const acmeAdmin = t.apiKey('admin', { tenant: 'acme' });
    t.mesh.services.blocklist.add('198.51.100.0/24', 'existing', 'test');
    const before = t.mesh.services.settings.get();

    expect((await t.request('POST', '/api/v1/admin/lockdown', { apiKey: acmeAdmin, body: {} })).status).toBe(403);
    expect((await t.request('POST', '/api/v1/admin/blocklist', { apiKey: acmeAdmin, body: { cidr: '203.0.113.0/24' } })).status).toBe(403);
    expect((await t.request('DELETE', '/api/v1/admin/blocklist?cidr=198.51.100.0/24', { apiKey: acmeAdmin })).status).toBe(403);
    const patch = await t.request('PATCH', '/api/v1/settings', { apiKey: acmeAdmin, body: { 'rate_limit.ip_burst': 1 } });
    expect(patch.status).toBe(403);
    expect(patch.body.error.code).toBe('FORBIDDEN');

    // Still working: the default tenant's key, the old blocklist, the old settings.
    expect(await whoami(t, defaultKey)).toBe(200);
    expect(t.mesh.services.blocklist.list().map((b) => b.cidr)).toEqual(['198.51.100.0/24']);
    expect(t.mesh.services.settings.get()).toEqual(before);
    const denied = events(t, 'admin_action_denied', 'acme');
    expect(denied.map((e) => e.action)).toEqual(['lockdown', 'block-ip', 'unblock-ip', 'settings change']);
    expect(denied[0]).toMatchObject({ subject: `key:${keyId(acmeAdmin)}`, result: 'denied', resource: 'mesh' });
  });

  it("the default tenant's admin files the change under the default tenant, naming its own tenant", async () => {
    const t = await startTestMesh();
    const adminKey = t.apiKey('admin');
    await t.request('POST', '/api/v1/admin/blocklist', { apiKey: adminKey, body: { cidr: '203.0.113.9' } });
    const [added] = events(t, 'ip_block_added', 'default');
    expect(added).toMatchObject({ tenant_id: 'default', metadata: { cidr: '203.0.113.9/32', actor_tenant: 'default' } });
  });
});
