// /api/v1/api-keys over real HTTP: the raw key shown once, Bearer and X-API-Key use, expiry, immediate revocation, no escalation, ownership, tenants, audit and last use.
import { describe, expect, it } from 'vitest';
import { startTestMesh, type ApiResponse, type TestMesh } from '../../helpers/mesh';

const KEY_FORMAT = /^dmk_([0-9A-Za-z]{16})_([0-9A-Za-z]{43})$/;
const DTO_FIELDS = ['created_at', 'created_by', 'expires_at', 'id', 'last_used_at', 'name', 'owner', 'revoked_at', 'role', 'tenant'];
const DAY_MS = 86_400_000;

interface KeyDto {
  id: string;
  name: string;
  role: string;
  tenant: string;
  owner: string | null;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The id part of a raw dmk_ key (what the API calls the key's id). */
function idOf(key: string): string {
  const match = KEY_FORMAT.exec(key);
  if (match === null) throw new Error(`not an API key: ${key}`);
  return match[1] as string;
}

async function createKey(t: TestMesh, token: string, body: Record<string, unknown>): Promise<{ res: ApiResponse; key: string; id: string }> {
  const res = await t.request('POST', '/api/v1/api-keys', { token, body });
  if (res.status !== 201) throw new Error(`creating a key failed: ${res.status} ${res.text}`);
  return { res, key: res.body.key as string, id: res.body.id as string };
}

async function listKeys(t: TestMesh, credential: { token?: string; apiKey?: string }): Promise<KeyDto[]> {
  const res = await t.request('GET', '/api/v1/api-keys', credential);
  expect(res.status).toBe(200);
  return res.body.api_keys as KeyDto[];
}

async function whoami(t: TestMesh, credential: { token?: string; apiKey?: string; headers?: Record<string, string> }): Promise<ApiResponse> {
  return t.request('GET', '/api/v1/whoami', credential);
}

function expectInvalidCredential(res: ApiResponse): void {
  expect(res.status).toBe(401);
  expect(res.body.error.code).toBe('AUTH_INVALID');
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="devmesh", error="invalid_token"$/);
}

function userIdOf(t: TestMesh, username: string): string {
  return t.mesh.services.users.require(username).id;
}

describe('creating an API key', () => {
  it('returns the raw dmk_ key exactly once; listings and the database never show it or its hash', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const { res, key, id } = await createKey(t, token, { name: 'ci deploy', role: 'user' });

    expect(key).toMatch(KEY_FORMAT);
    expect(idOf(key)).toBe(id);
    expect(Object.keys(res.body).sort()).toEqual([...DTO_FIELDS, 'key'].sort());
    expect(res.body).toMatchObject({ name: 'ci deploy', role: 'user', tenant: 'default', owner: 'admin', created_by: 'user:admin', expires_at: null, last_used_at: null, revoked_at: null });
    const secret = key.split('_')[2] as string;

    const list = await t.request('GET', '/api/v1/api-keys', { token });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(key);
    expect(list.text).not.toContain(secret);
    const listed = (list.body.api_keys as KeyDto[]).find((k) => k.id === id);
    expect(listed).toBeDefined();
    expect(Object.keys(listed as KeyDto).sort()).toEqual(DTO_FIELDS);

    const row = t.mesh.core.db.prepare<[string], { key_hash: Buffer }>('SELECT key_hash FROM api_keys WHERE id = ?').get(id);
    expect(row).toBeDefined();
    const hash = (row as { key_hash: Buffer }).key_hash;
    for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(list.text).not.toContain(hash.toString(encoding));
    // Stored as a keyed hash: neither the key nor its secret is anywhere in the row.
    const stored = t.mesh.core.db.prepare<[string], Record<string, unknown>>('SELECT * FROM api_keys WHERE id = ?').get(id) as Record<string, unknown>;
    const storedText = Object.values(stored).map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : String(value))).join('\n');
    expect(storedText).not.toContain(secret);
    expect(hash).toHaveLength(32);
  });

  it('works as Authorization: Bearer and as X-API-Key, and a wrong secret for a real id does not', async () => {
    const t = await startTestMesh();
    const { key, id } = await createKey(t, await t.adminToken(), { name: 'both ways', role: 'viewer' });

    const bearer = await whoami(t, { token: key });
    expect(bearer.status).toBe(200);
    expect(bearer.body).toMatchObject({ subject: `key:${id}`, kind: 'api_key', role: 'viewer', auth_method: 'api_key' });

    const header = await whoami(t, { apiKey: key });
    expect(header.status).toBe(200);
    expect(header.body).toMatchObject({ subject: `key:${id}`, kind: 'api_key', role: 'viewer', auth_method: 'api_key' });

    const forged = `dmk_${id}_${'A'.repeat(43)}`;
    expectInvalidCredential(await whoami(t, { token: forged }));
    expectInvalidCredential(await whoami(t, { apiKey: forged }));
  });

  it('sets expires_at from expires_in given as "30d", "12h" or a number of seconds', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    for (const [expiresIn, ms] of [['30d', 30 * DAY_MS], ['12h', 12 * 3_600_000], [3600, 3_600_000]] as const) {
      const { res } = await createKey(t, token, { name: `expires ${expiresIn}`, role: 'viewer', expires_in: expiresIn });
      expect(res.body.expires_at).not.toBeNull();
      expect(Date.parse(res.body.expires_at as string) - Date.parse(res.body.created_at as string)).toBe(ms);
    }
    const { res } = await createKey(t, token, { name: 'no expiry', role: 'viewer' });
    expect(res.body.expires_at).toBeNull();
  });

  it('refuses expires_in that is not a duration, or shorter than a minute as a number, naming the field', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    for (const expiresIn of ['tomorrow', '30 days', 30, 0, -3600, 1.5, '0d', true]) {
      const res = await t.request('POST', '/api/v1/api-keys', { token, body: { name: 'bad expiry', role: 'viewer', expires_in: expiresIn } });
      expect(res.status, `expires_in ${JSON.stringify(expiresIn)}`).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toContain('expires_in');
    }
    expect(await listKeys(t, { token })).toEqual([]);
  });

  it('caps expires_in at ten years whether it is written as seconds or as a duration string', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const tenYears = 10 * 366 * 86400;
    const asSeconds = await t.request('POST', '/api/v1/api-keys', { token, body: { name: 'too long', role: 'viewer', expires_in: tenYears + 1 } });
    expect(asSeconds.status).toBe(400);
    // The same lifetime (and far more) written as days must be refused too, not turned into a key valid for centuries.
    for (const expiresIn of ['3661d', '999999d']) {
      const asString = await t.request('POST', '/api/v1/api-keys', { token, body: { name: 'too long', role: 'viewer', expires_in: expiresIn } });
      expect(asString.status, `expires_in ${expiresIn} answered ${asString.status} with expires_at ${String(asString.body?.expires_at)}`).toBe(400);
      expect(asString.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('refuses an expired key with 401 AUTH_INVALID, through the API and from the CLI alike', async () => {
    const t = await startTestMesh();
    const { key, id } = await createKey(t, await t.adminToken(), { name: 'short lived', role: 'viewer', expires_in: '1h' });
    const cliKey = t.apiKey('viewer', { expiresInSeconds: 60 });
    expect((await whoami(t, { token: key })).status).toBe(200);
    expect((await whoami(t, { apiKey: cliKey })).status).toBe(200);

    // The services use real time: move the expiry into the past instead of waiting.
    const past = new Date(Date.now() - 1000).toISOString();
    t.mesh.core.db.prepare('UPDATE api_keys SET expires_at = ? WHERE id IN (?, ?)').run(past, id, idOf(cliKey));

    expectInvalidCredential(await whoami(t, { token: key }));
    expectInvalidCredential(await whoami(t, { apiKey: key }));
    expectInvalidCredential(await whoami(t, { apiKey: cliKey }));
    expectInvalidCredential(await t.request('GET', '/api/v1/contexts', { apiKey: cliKey }));
  });
});

describe('revoking an API key', () => {
  it('DELETE is effective on the very next request and is idempotent', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const { key, id } = await createKey(t, token, { name: 'to revoke', role: 'user' });
    expect((await t.request('GET', '/api/v1/contexts', { token: key })).status).toBe(200);

    const revoked = await t.request('DELETE', `/api/v1/api-keys/${id}`, { token });
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');

    const next = await t.request('GET', '/api/v1/contexts', { token: key });
    expectInvalidCredential(next);
    expect(next.text).not.toContain(key);
    expectInvalidCredential(await whoami(t, { apiKey: key }));

    const listed = (await listKeys(t, { token })).find((k) => k.id === id);
    expect(listed?.revoked_at).not.toBeNull();
    const again = await t.request('DELETE', `/api/v1/api-keys/${id}`, { token });
    expect(again.status).toBe(204);
    expect((await listKeys(t, { token })).find((k) => k.id === id)?.revoked_at).toBe(listed?.revoked_at);
  });

  it('a key can revoke itself, and cannot be used afterwards', async () => {
    const t = await startTestMesh();
    const userToken = await t.userWithToken('u1', 'user');
    const { key, id } = await createKey(t, userToken, { name: 'self', role: 'user' });
    expect((await t.request('DELETE', `/api/v1/api-keys/${id}`, { apiKey: key })).status).toBe(204);
    expectInvalidCredential(await whoami(t, { apiKey: key }));
  });

  it('a revocation made outside the server (the CLI, through the service) is effective on the next request', async () => {
    const t = await startTestMesh();
    const { key, id } = await createKey(t, await t.adminToken(), { name: 'cli revoked', role: 'viewer' });
    const cliKey = t.apiKey('admin');
    expect((await whoami(t, { token: key })).status).toBe(200);
    expect((await whoami(t, { apiKey: cliKey })).status).toBe(200);

    expect(t.mesh.services.apiKeys.revoke(id)).toBe(true);
    expect(t.mesh.services.apiKeys.revoke(idOf(cliKey))).toBe(true);

    expectInvalidCredential(await whoami(t, { token: key }));
    expectInvalidCredential(await t.request('GET', '/api/v1/api-keys', { apiKey: cliKey }));
  });

  it('answers 404 for an id that does not exist and 400 for one that cannot be an id', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const missing = await t.request('DELETE', `/api/v1/api-keys/${'Z'.repeat(16)}`, { token });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const malformed = await t.request('DELETE', '/api/v1/api-keys/not-a-key!', { token });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    expect(malformed.body.error.message).toContain('id');
  });
});

describe('nobody creates a key stronger than themselves', () => {
  it('a user cannot create an admin key: 403 FORBIDDEN naming both roles, and no key is made', async () => {
    const t = await startTestMesh();
    const userToken = await t.userWithToken('u1', 'user');
    const res = await t.request('POST', '/api/v1/api-keys', { token: userToken, body: { name: 'escalate', role: 'admin' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(res.body.error.message).toContain('admin');
    expect(res.body.error.message).toContain('user');
    expect(res.text).not.toMatch(/dmk_/);
    expect(t.mesh.services.apiKeys.list({ tenantId: 'default' })).toEqual([]);
  });

  it('a user can create user and viewer keys, owned by that user', async () => {
    const t = await startTestMesh();
    const userToken = await t.userWithToken('u1', 'user');
    for (const role of ['user', 'viewer']) {
      const { res, key } = await createKey(t, userToken, { name: `${role} key`, role });
      expect(res.body).toMatchObject({ role, owner: 'u1', created_by: 'user:u1', tenant: 'default' });
      expect((await whoami(t, { apiKey: key })).body.role).toBe(role);
    }
  });

  it('a viewer cannot create keys at all: 403 naming the missing permission', async () => {
    const t = await startTestMesh();
    const viewerToken = await t.userWithToken('v1', 'viewer');
    for (const role of ['viewer', 'user', 'admin']) {
      const res = await t.request('POST', '/api/v1/api-keys', { token: viewerToken, body: { name: 'nope', role } });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(res.body.error.message).toContain('api_keys:write');
    }
    expect(t.mesh.services.apiKeys.list({})).toEqual([]);
  });

  it('a key is bounded by its own role, not its owner’s: an admin’s user-role key cannot mint an admin key', async () => {
    const t = await startTestMesh();
    const { key } = await createKey(t, await t.adminToken(), { name: 'limited', role: 'user' });
    const res = await t.request('POST', '/api/v1/api-keys', { apiKey: key, body: { name: 'escalate', role: 'admin' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    const viewerKey = t.apiKey('viewer');
    expect((await t.request('POST', '/api/v1/api-keys', { apiKey: viewerKey, body: { name: 'escalate', role: 'viewer' } })).status).toBe(403);
  });

  it('an unknown role is 400 VALIDATION_FAILED naming it and the roles that exist', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const unknown = await t.request('POST', '/api/v1/api-keys', { token, body: { name: 'x', role: 'superuser' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    expect(unknown.body.error.message).toContain('superuser');
    expect(unknown.body.error.message).toMatch(/admin.*user.*viewer/);

    const badSpelling = await t.request('POST', '/api/v1/api-keys', { token, body: { name: 'x', role: 'Admin!' } });
    expect(badSpelling.status).toBe(400);
    expect(badSpelling.body.error.code).toBe('VALIDATION_FAILED');
    expect(badSpelling.body.error.message).toContain('role');
    expect(t.mesh.services.apiKeys.list({})).toEqual([]);
  });
});

describe('whose keys', () => {
  it('users see and revoke only their own keys (someone else’s is 404, not 403); admins see and revoke all', async () => {
    const t = await startTestMesh();
    const adminToken = await t.adminToken();
    const aliceToken = await t.userWithToken('alice', 'user');
    const bobToken = await t.userWithToken('bob', 'user');
    const alice = await createKey(t, aliceToken, { name: 'alice key', role: 'user' });
    const bob = await createKey(t, bobToken, { name: 'bob key', role: 'viewer' });
    const adminKey = await createKey(t, adminToken, { name: 'admin key', role: 'admin' });
    const cliKeyId = idOf(t.apiKey('viewer'));

    expect((await listKeys(t, { token: aliceToken })).map((k) => k.id)).toEqual([alice.id]);
    expect((await listKeys(t, { token: bobToken })).map((k) => k.id)).toEqual([bob.id]);
    // Alice's key acts for Alice: it sees Alice's keys, nobody else's.
    expect((await listKeys(t, { apiKey: alice.key })).map((k) => k.id)).toEqual([alice.id]);

    for (const credential of [{ token: aliceToken }, { apiKey: alice.key }]) {
      for (const id of [bob.id, adminKey.id, cliKeyId]) {
        const res = await t.request('DELETE', `/api/v1/api-keys/${id}`, credential);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }
    }
    expect((await whoami(t, { apiKey: bob.key })).status).toBe(200);
    expect((await whoami(t, { apiKey: adminKey.key })).status).toBe(200);

    expect((await listKeys(t, { token: adminToken })).map((k) => k.id).sort()).toEqual([alice.id, bob.id, adminKey.id, cliKeyId].sort());
    expect((await t.request('DELETE', `/api/v1/api-keys/${alice.id}`, { token: adminToken })).status).toBe(204);
    expect((await t.request('DELETE', `/api/v1/api-keys/${bob.id}`, { apiKey: adminKey.key })).status).toBe(204);
    expectInvalidCredential(await whoami(t, { apiKey: alice.key }));
    expectInvalidCredential(await whoami(t, { apiKey: bob.key }));
  });

  it('a key without an owner (made by the CLI) lists itself and nothing else', async () => {
    const t = await startTestMesh();
    const cliKey = t.apiKey('viewer', { name: 'cli viewer' });
    t.apiKey('viewer', { name: 'another cli key' });
    await createKey(t, await t.adminToken(), { name: 'admin key', role: 'viewer' });

    const listed = await listKeys(t, { apiKey: cliKey });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: idOf(cliKey), name: 'cli viewer', owner: null, created_by: 'test' });
  });

  it('keys of a disabled owner stop working on the next request, and work again when the owner is re-enabled', async () => {
    const t = await startTestMesh();
    const userToken = await t.userWithToken('u1', 'user');
    const { key } = await createKey(t, userToken, { name: 'u1 key', role: 'user' });
    expect((await t.request('GET', '/api/v1/contexts', { apiKey: key })).status).toBe(200);

    t.mesh.services.users.setDisabled(userIdOf(t, 'u1'), true);
    expectInvalidCredential(await t.request('GET', '/api/v1/contexts', { apiKey: key }));
    expectInvalidCredential(await t.request('GET', '/api/v1/contexts', { token: key }));
    expectInvalidCredential(await t.request('GET', '/api/v1/contexts', { token: userToken }));

    t.mesh.services.users.setDisabled(userIdOf(t, 'u1'), false);
    expect((await t.request('GET', '/api/v1/contexts', { apiKey: key })).status).toBe(200);
  });

  it('a key never outranks its owner: demoting the owner takes the key’s extra rights away on the next request', async () => {
    const t = await startTestMesh();
    const aliceToken = await t.userWithToken('alice', 'user');
    const { key } = await createKey(t, aliceToken, { name: 'alice writer', role: 'user' });
    expect((await t.request('POST', '/api/v1/contexts', { apiKey: key, body: { name: 'before demotion' } })).status).toBe(201);

    t.mesh.services.users.setRole(userIdOf(t, 'alice'), 'viewer');
    // Alice's own token is cut down at once; a key she made must not keep rights she no longer holds.
    expect((await t.request('POST', '/api/v1/contexts', { token: aliceToken, body: { name: 'token after demotion' } })).status).toBe(403);
    const viaKey = await t.request('POST', '/api/v1/contexts', { apiKey: key, body: { name: 'key after demotion' } });
    expect([401, 403], `the demoted owner's user-role key answered ${viaKey.status}`).toContain(viaKey.status);
    expect(t.mesh.services.contexts.list('default').contexts.map((c) => c.name)).toEqual(['before demotion']);
  });
});

describe('tenants', () => {
  it('a user or key in tenant acme cannot see or revoke default-tenant keys, and the reverse', async () => {
    const t = await startTestMesh();
    const adminToken = await t.adminToken();
    const defaultKey = await createKey(t, adminToken, { name: 'default key', role: 'viewer' });
    const acmeAdminToken = await t.userWithToken('acme-admin', 'admin', 'acme');
    const acmeKey = await createKey(t, acmeAdminToken, { name: 'acme key', role: 'user' });
    expect(acmeKey.res.body.tenant).toBe('acme');
    const acmeCliKey = t.apiKey('admin', { tenant: 'acme' });

    expect((await listKeys(t, { token: acmeAdminToken })).map((k) => k.id).sort()).toEqual([acmeKey.id, idOf(acmeCliKey)].sort());
    expect((await listKeys(t, { apiKey: acmeCliKey })).every((k) => k.tenant === 'acme')).toBe(true);
    expect((await listKeys(t, { token: adminToken })).map((k) => k.id)).toEqual([defaultKey.id]);

    for (const credential of [{ token: acmeAdminToken }, { apiKey: acmeCliKey }, { apiKey: acmeKey.key }]) {
      const res = await t.request('DELETE', `/api/v1/api-keys/${defaultKey.id}`, credential);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await whoami(t, { apiKey: defaultKey.key })).status).toBe(200);

    const reverse = await t.request('DELETE', `/api/v1/api-keys/${acmeKey.id}`, { token: adminToken });
    expect(reverse.status).toBe(404);
    expect((await whoami(t, { apiKey: acmeKey.key })).body).toMatchObject({ tenant: 'acme', role: 'user' });
  });
});

describe('audit trail', () => {
  it('records every create, every revoke and every denied escalation, with the trace id and never the raw key', async () => {
    const t = await startTestMesh();
    const { audit } = t.mesh.services.core;
    const userToken = await t.userWithToken('u1', 'user');
    const viewerToken = await t.userWithToken('v1', 'viewer');

    const created = await createKey(t, userToken, { name: 'audited', role: 'viewer', expires_in: '7d' });
    const denied = await t.request('POST', '/api/v1/api-keys', { token: userToken, body: { name: 'escalate', role: 'admin' } });
    expect(denied.status).toBe(403);
    const viewerDenied = await t.request('POST', '/api/v1/api-keys', { token: viewerToken, body: { name: 'nope', role: 'viewer' } });
    expect(viewerDenied.status).toBe(403);
    const revoked = await t.request('DELETE', `/api/v1/api-keys/${created.id}`, { token: userToken });
    expect(revoked.status).toBe(204);
    t.mesh.services.apiKeys.revoke(idOf(t.apiKey('viewer')));

    const creates = audit.query({ event_type: 'api_key_created' }).events;
    const success = creates.find((e) => e.result === 'success');
    expect(success).toMatchObject({ subject: 'user:u1', action: 'create', resource: `api_key:${created.id}`, tenant_id: 'default', trace_id: created.res.headers.get('x-trace-id') });
    expect(success?.metadata).toMatchObject({ name: 'audited', role: 'viewer', expires_at: created.res.body.expires_at });

    const escalation = creates.find((e) => e.result === 'denied');
    expect(escalation).toMatchObject({ subject: 'user:u1', action: 'create', trace_id: denied.headers.get('x-trace-id') });
    expect(escalation?.metadata).toMatchObject({ requested_role: 'admin', creator_role: 'user' });

    const authz = audit.query({ event_type: 'authz_decision', result: 'denied', subject: 'user:v1' }).events;
    expect(authz).toHaveLength(1);
    expect(authz[0]).toMatchObject({ action: 'write', trace_id: viewerDenied.headers.get('x-trace-id') });
    expect(authz[0]?.metadata).toMatchObject({ permission: 'api_keys:write', role: 'viewer' });

    const revokes = audit.query({ event_type: 'api_key_revoked' }).events;
    expect(revokes.some((e) => e.resource === `api_key:${created.id}` && e.subject === 'user:u1' && e.result === 'success' && e.trace_id === revoked.headers.get('x-trace-id'))).toBe(true);

    const everything = JSON.stringify(audit.query({ limit: 1000 }).events);
    expect(everything).not.toContain(created.key);
    expect(everything).not.toContain(created.key.split('_')[2] as string);
  });

  it('audits creations and revocations in tenant acme under that tenant', async () => {
    const t = await startTestMesh();
    const acmeToken = await t.userWithToken('acme-user', 'user', 'acme');
    const { id } = await createKey(t, acmeToken, { name: 'acme audited', role: 'viewer' });
    expect((await t.request('DELETE', `/api/v1/api-keys/${id}`, { token: acmeToken })).status).toBe(204);
    const { audit } = t.mesh.services.core;
    expect(audit.query({ tenant_id: 'acme', event_type: 'api_key_created' }).events.map((e) => e.resource)).toEqual([`api_key:${id}`]);
    expect(audit.query({ tenant_id: 'acme', event_type: 'api_key_revoked' }).events.map((e) => e.resource)).toEqual([`api_key:${id}`]);
    expect(audit.query({ event_type: 'api_key_created' }).events).toEqual([]);
  });
});

describe('last use', () => {
  it('last_used_at is null until the key is used, then listed at once and stored by the flush', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const { id, key, res } = await createKey(t, token, { name: 'used', role: 'viewer' });
    const unused = await createKey(t, token, { name: 'unused', role: 'viewer' });
    expect(res.body.last_used_at).toBeNull();

    const before = new Date().toISOString();
    expect((await whoami(t, { apiKey: key })).status).toBe(200);
    const after = new Date().toISOString();

    const listed = (await listKeys(t, { token })).find((k) => k.id === id);
    expect(listed?.last_used_at).not.toBeNull();
    expect((listed?.last_used_at as string) >= before && (listed?.last_used_at as string) <= after).toBe(true);
    expect((await listKeys(t, { token })).find((k) => k.id === unused.id)?.last_used_at).toBeNull();

    t.mesh.services.apiKeys.flushLastUsed();
    const stored = t.mesh.core.db.prepare<[string], { last_used_at: string | null }>('SELECT last_used_at FROM api_keys WHERE id = ?').get(id);
    expect(stored?.last_used_at).toBe(listed?.last_used_at);
    expect((await listKeys(t, { token })).find((k) => k.id === id)?.last_used_at).toBe(listed?.last_used_at);
  });

  it('a refused request does not count as a use', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const { id, key } = await createKey(t, token, { name: 'revoked before use', role: 'viewer' });
    t.mesh.services.apiKeys.revoke(id);
    expectInvalidCredential(await whoami(t, { apiKey: key }));
    t.mesh.services.apiKeys.flushLastUsed();
    expect((await listKeys(t, { token })).find((k) => k.id === id)?.last_used_at).toBeNull();
  });
});
