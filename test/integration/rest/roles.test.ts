// /api/v1/roles, /api/v1/users and /api/v1/authz/check over real HTTP: custom roles that count at once, no self-escalation, the last-admin guard, the policy simulator, and the audit trail of every change.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/main/core/audit/types';
import { startTestMesh, type ApiResponse, type TestMesh } from '../../helpers/mesh';

interface RoleDto {
  name: string;
  description: string;
  permissions: string[];
  builtin: boolean;
  version: number;
  updated_by: string;
  updated_at: string;
}

interface UserDto {
  id: string;
  username: string;
  role: string;
  tenant: string;
  disabled: boolean;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

const USER_FIELDS = ['created_at', 'disabled', 'id', 'locked_until', 'role', 'tenant', 'updated_at', 'username'];
/** Enough for the `viewer` role, so a role holding these may hand viewer out. */
const VIEWER_PERMISSIONS = ['contexts:read', 'tools:read', 'api_keys:read'];

const passwordOf = (username: string) => `${username} password 123`;

function expectError(res: ApiResponse, status: number, code: string): string {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error.code).toBe(code);
  return res.body.error.message as string;
}

async function createRole(t: TestMesh, token: string, body: { name: string; permissions: string[]; description?: string }): Promise<RoleDto> {
  const res = await t.request('POST', '/api/v1/roles', { token, body });
  if (res.status !== 201) throw new Error(`creating role ${body.name} failed: ${res.status} ${res.text}`);
  return res.body as RoleDto;
}

async function getRole(t: TestMesh, token: string, name: string): Promise<RoleDto> {
  const res = await t.request('GET', `/api/v1/roles/${name}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body as RoleDto;
}

/** Creates a user over REST (as `token`) and logs them in. */
async function createUser(t: TestMesh, token: string, username: string, role: string): Promise<{ id: string; token: string }> {
  const res = await t.request('POST', '/api/v1/users', { token, body: { username, password: passwordOf(username), role } });
  if (res.status !== 201) throw new Error(`creating user ${username} failed: ${res.status} ${res.text}`);
  return { id: (res.body as UserDto).id, token: (await t.login(username, passwordOf(username))).access_token };
}

function userId(t: TestMesh, username: string): string {
  return t.mesh.services.users.require(username).id;
}

async function check(t: TestMesh, token: string, body: Record<string, unknown>): Promise<ApiResponse> {
  return t.request('POST', '/api/v1/authz/check', { token, body });
}

async function postContext(t: TestMesh, credential: { token?: string; apiKey?: string }, name = 'notes'): Promise<ApiResponse> {
  return t.request('POST', '/api/v1/contexts', { ...credential, body: { name } });
}

/** An API key the user makes for themselves over REST, so it has an owner. */
async function ownKey(t: TestMesh, token: string, role: string): Promise<{ key: string; id: string }> {
  const res = await t.request('POST', '/api/v1/api-keys', { token, body: { name: 'laptop', role } });
  if (res.status !== 201) throw new Error(`creating a key failed: ${res.status} ${res.text}`);
  return { key: res.body.key as string, id: res.body.id as string };
}

function keyIdOf(key: string): string {
  return key.split('_')[1] as string;
}

function events(t: TestMesh, event_type: string, tenant_id?: string): AuditEvent[] {
  return t.mesh.services.core.audit.query({ event_type, tenant_id, limit: 1000 }).events;
}

function roleVersions(t: TestMesh, name: string): { version: number; permissions: string; deleted: number }[] {
  return t.mesh.core.db.prepare<[string], { version: number; permissions: string; deleted: number }>('SELECT version, permissions, deleted FROM role_versions WHERE name = ? ORDER BY version').all(name);
}

describe('/api/v1/roles', () => {
  it('lists the built-ins, creates a custom role at version 1, reads it, changes it (a new version each time) and deletes it', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();

    const initial = await t.request('GET', '/api/v1/roles', { token });
    expect(initial.status).toBe(200);
    const builtins = (initial.body.roles as RoleDto[]).map((r) => ({ name: r.name, builtin: r.builtin }));
    expect(builtins).toEqual([
      { name: 'admin', builtin: true },
      { name: 'user', builtin: true },
      { name: 'viewer', builtin: true },
    ]);
    expect((initial.body.roles as RoleDto[]).find((r) => r.name === 'admin')?.permissions).toEqual(['*:*']);
    expect((initial.body.roles as RoleDto[]).find((r) => r.name === 'viewer')?.permissions).toEqual(VIEWER_PERMISSIONS);

    const created = await t.request('POST', '/api/v1/roles', { token, body: { name: 'auditor', description: 'Reads the trail', permissions: ['audit:read', 'contexts:read'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'auditor', description: 'Reads the trail', permissions: ['audit:read', 'contexts:read'], builtin: false, version: 1, updated_by: 'user:admin' });
    expect(Number.isNaN(Date.parse(created.body.updated_at as string))).toBe(false);

    const listed = await t.request('GET', '/api/v1/roles', { token });
    expect((listed.body.roles as RoleDto[]).map((r) => `${r.name}:${String(r.builtin)}`)).toEqual(['admin:true', 'user:true', 'viewer:true', 'auditor:false']);
    expect(await getRole(t, token, 'auditor')).toEqual(created.body);
    expect(await getRole(t, token, 'viewer')).toMatchObject({ name: 'viewer', builtin: true, permissions: VIEWER_PERMISSIONS });

    const changed = await t.request('PUT', '/api/v1/roles/auditor', { token, body: { permissions: ['audit:read', 'contexts:read', 'metrics:read'], description: 'Reads the trail and metrics' } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ name: 'auditor', permissions: ['audit:read', 'contexts:read', 'metrics:read'], description: 'Reads the trail and metrics', version: 2 });

    const described = await t.request('PUT', '/api/v1/roles/auditor', { token, body: { description: 'Only the description changes' } });
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ permissions: ['audit:read', 'contexts:read', 'metrics:read'], description: 'Only the description changes', version: 3 });
    expect(await getRole(t, token, 'auditor')).toEqual(described.body);

    const deleted = await t.request('DELETE', '/api/v1/roles/auditor', { token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectError(await t.request('GET', '/api/v1/roles/auditor', { token }), 404, 'NOT_FOUND');
    expectError(await t.request('DELETE', '/api/v1/roles/auditor', { token }), 404, 'NOT_FOUND');
    expectError(await t.request('PUT', '/api/v1/roles/auditor', { token, body: { description: 'gone' } }), 404, 'NOT_FOUND');
    expect(((await t.request('GET', '/api/v1/roles', { token })).body.roles as RoleDto[]).map((r) => r.name)).toEqual(['admin', 'user', 'viewer']);
  });

  it('refuses to change or delete a built-in role, with a clear 403, and the role stays as it was', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    for (const name of ['admin', 'user', 'viewer']) {
      const put = expectError(await t.request('PUT', `/api/v1/roles/${name}`, { token, body: { permissions: ['contexts:read'] } }), 403, 'FORBIDDEN');
      expect(put).toMatch(new RegExp(`^${name} is a built-in role and cannot be changed`));
      const del = expectError(await t.request('DELETE', `/api/v1/roles/${name}`, { token }), 403, 'FORBIDDEN');
      expect(del).toMatch(new RegExp(`^${name} is a built-in role and cannot be deleted`));
    }
    expect((await getRole(t, token, 'viewer')).permissions).toEqual(VIEWER_PERMISSIONS);
    expect((await getRole(t, token, 'admin')).permissions).toEqual(['*:*']);
    // The viewer still cannot write: nothing about the policy moved.
    const viewer = await t.userWithToken('vera', 'viewer');
    expect((await postContext(t, { token: viewer })).status).toBe(403);
  });

  it.each([
    ['contexts:fly', 'unknown action'],
    ['kitchen:read', 'unknown resource'],
    ['contexts:re*d', 'malformed wildcard action'],
    ['con*:read', 'malformed wildcard resource'],
    ['**:*', 'malformed double wildcard'],
    ['audit:read:all', 'a target on a non-tool resource'],
    ['contexts:read:x', 'a target on a non-tool resource'],
    ['tools:execute:Bad Tool', 'a malformed tool name'],
    ['tools:execute:', 'an empty target'],
    ['contexts', 'no action'],
    ['a:b:c:d', 'too many parts'],
  ])('refuses %s (%s) with a 400 VALIDATION_FAILED naming it, creating nothing', async (bad) => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const message = expectError(await t.request('POST', '/api/v1/roles', { token, body: { name: 'broken', permissions: ['contexts:read', bad] } }), 400, 'VALIDATION_FAILED');
    expect(message).toContain(JSON.stringify(bad));
    expectError(await t.request('GET', '/api/v1/roles/broken', { token }), 404, 'NOT_FOUND');
    expect(roleVersions(t, 'broken')).toEqual([]);
  });

  it('applies nothing of a PUT that has one bad permission: same permissions, same version, no new version row, no audit event', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const before = await createRole(t, token, { name: 'ops', description: 'operators', permissions: ['contexts:read'] });
    const holder = await createUser(t, token, 'oscar', 'ops');

    const message = expectError(
      await t.request('PUT', '/api/v1/roles/ops', { token, body: { description: 'should not stick', permissions: ['contexts:read', 'contexts:write', 'contexts:obliterate'] } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(message).toContain('"contexts:obliterate"');
    expect(await getRole(t, token, 'ops')).toEqual(before);
    expect(roleVersions(t, 'ops').map((v) => v.version)).toEqual([1]);
    expect(events(t, 'role_updated')).toEqual([]);
    // The valid permission in the same request did not slip through either.
    expect((await postContext(t, { token: holder.token })).status).toBe(403);

    expectError(await t.request('PUT', '/api/v1/roles/ops', { token, body: {} }), 400, 'VALIDATION_FAILED');
    expect((await getRole(t, token, 'ops')).version).toBe(1);
  });

  it('refuses a name that is taken by a custom role (409) or badly spelled (400)', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    await createRole(t, token, { name: 'auditor', permissions: ['audit:read'] });
    const duplicate = expectError(await t.request('POST', '/api/v1/roles', { token, body: { name: 'auditor', permissions: ['contexts:read'] } }), 409, 'CONFLICT');
    expect(duplicate).toMatch(/auditor already exists/);
    expect((await getRole(t, token, 'auditor')).permissions).toEqual(['audit:read']);

    for (const name of ['Auditor', '1st', 'has space', 'dots.not.allowed', '', 'x'.repeat(65)]) {
      const res = await t.request('POST', '/api/v1/roles', { token, body: { name, permissions: ['contexts:read'] } });
      expect(res.status, `name ${JSON.stringify(name)}: ${res.text}`).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(((await t.request('GET', '/api/v1/roles', { token })).body.roles as RoleDto[]).map((r) => r.name)).toEqual(['admin', 'user', 'viewer', 'auditor']);
  });

  it('refuses a custom role named like a built-in with 409 "already exists", whoever asks', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    for (const name of ['user', 'viewer', 'admin']) {
      const res = await t.request('POST', '/api/v1/roles', { token, body: { name, permissions: ['contexts:read'] } });
      expect(expectError(res, 409, 'CONFLICT'), `name ${name}`).toBe(`role ${name} already exists`);
    }
  });

  it('refuses to delete a role in use (409), naming its users and API keys; once nobody holds it, it goes', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    await createRole(t, token, { name: 'ops', permissions: ['contexts:read'] });
    const carol = await createUser(t, token, 'carol', 'ops');
    await createUser(t, token, 'dave', 'ops');
    const key = t.apiKey('ops', { name: 'ops bot' });
    const keyId = keyIdOf(key);

    const message = expectError(await t.request('DELETE', '/api/v1/roles/ops', { token }), 409, 'CONFLICT');
    expect(message).toContain('user carol');
    expect(message).toContain('user dave');
    expect(message).toContain(`API key ${keyId}`);
    expect((await getRole(t, token, 'ops')).version).toBe(1);
    expect((await t.request('GET', '/api/v1/contexts', { token: carol.token })).status).toBe(200);

    expect((await t.request('PUT', `/api/v1/users/${carol.id}/role`, { token, body: { role: 'viewer' } })).status).toBe(200);
    expect((await t.request('DELETE', `/api/v1/api-keys/${keyId}`, { token })).status).toBe(204);
    const still = expectError(await t.request('DELETE', '/api/v1/roles/ops', { token }), 409, 'CONFLICT');
    expect(still).toContain('user dave');
    expect(still).not.toContain('carol');
    expect(still).not.toContain(keyId);

    expect((await t.request('PUT', `/api/v1/users/${userId(t, 'dave')}/role`, { token, body: { role: 'viewer' } })).status).toBe(200);
    expect((await t.request('DELETE', '/api/v1/roles/ops', { token })).status).toBe(204);
  });
});

describe('roles and tenants', () => {
  /** A custom role held in the default tenant, and the admin of another tenant. */
  async function heldInDefault() {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    await createRole(t, admin, { name: 'ops', permissions: ['contexts:read'] });
    const carol = await createUser(t, admin, 'carol', 'ops');
    const keyId = keyIdOf(t.apiKey('ops', { name: 'ops bot' }));
    const acme = await t.userWithToken('acme-admin', 'admin', 'acme');
    return { t, admin, carol, keyId, acme };
  }

  it("an admin of another tenant cannot widen a role held in the default tenant, and so cannot raise that tenant's users", async () => {
    const { t, admin, carol, acme } = await heldInDefault();
    await t.request('PUT', '/api/v1/roles/ops', { token: acme, body: { permissions: ['*:*'] } });
    expect((await getRole(t, admin, 'ops')).permissions).toEqual(['contexts:read']);
    expect((await postContext(t, { token: carol.token })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/users', { token: carol.token })).status).toBe(403);
  });

  it("a refusal to delete a role in use never names another tenant's users or keys", async () => {
    const { t, acme, keyId } = await heldInDefault();
    const res = await t.request('DELETE', '/api/v1/roles/ops', { token: acme });
    expect(res.status).not.toBe(204);
    expect(res.text).not.toContain('carol');
    expect(res.text).not.toContain(keyId);
  });
});

describe('a custom role counts at once', () => {
  it('grants exactly its permissions, and a change applies to the same token on its next request (no re-login)', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    await createRole(t, admin, { name: 'auditor', permissions: ['audit:read', 'contexts:read'] });
    const created = await t.request('POST', '/api/v1/users', { token: admin, body: { username: 'dana', password: passwordOf('dana'), role: 'auditor' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'dana', role: 'auditor', tenant: 'default', disabled: false });
    const dana = (await t.login('dana', passwordOf('dana'))).access_token;

    expect((await t.request('GET', '/api/v1/contexts', { token: dana })).status).toBe(200);
    expect((await t.request('GET', '/api/v1/audit', { token: dana })).status).toBe(200);
    expect(expectError(await postContext(t, { token: dana }), 403, 'FORBIDDEN')).toContain('contexts:write');
    expect((await t.request('GET', '/api/v1/users', { token: dana })).status).toBe(403);

    const granted = await t.request('PUT', '/api/v1/roles/auditor', { token: admin, body: { permissions: ['audit:read', 'contexts:read', 'contexts:write'] } });
    expect(granted.status).toBe(200);
    expect((await postContext(t, { token: dana }, 'after the grant')).status).toBe(201);

    await t.request('PUT', '/api/v1/roles/auditor', { token: admin, body: { permissions: ['contexts:read'] } });
    expect((await t.request('GET', '/api/v1/audit', { token: dana })).status).toBe(403);
    expect((await postContext(t, { token: dana }, 'after the revoke')).status).toBe(403);
    expect((await t.request('GET', '/api/v1/contexts', { token: dana })).status).toBe(200);
  });

  it('accepts per-tool grants and the simulator shows exactly which tool they cover', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const role = await createRole(t, admin, { name: 'runner', permissions: ['tools:read', 'tools:execute:context_get'] });
    expect(role.permissions).toEqual(['tools:read', 'tools:execute:context_get']);

    const one = await check(t, admin, { subject: 'role:runner', resource: 'tools', action: 'execute', target: 'context_get' });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ allowed: true, reason: 'role runner grants tools:execute:context_get', matched_permission: 'tools:execute:context_get', role: 'runner' });
    const other = await check(t, admin, { subject: 'role:runner', resource: 'tools', action: 'execute', target: 'context_search' });
    expect(other.body).toMatchObject({ allowed: false, matched_permission: null, role: 'runner' });
    expect(other.body.reason).toContain('tools:execute:context_search');
    // A grant for one tool is not a grant for every tool.
    expect((await check(t, admin, { subject: 'role:runner', resource: 'tools', action: 'execute' })).body.allowed).toBe(false);

    await t.request('PUT', '/api/v1/roles/runner', { token: admin, body: { permissions: ['tools:read', 'tools:execute:*'] } });
    expect((await check(t, admin, { subject: 'role:runner', resource: 'tools', action: 'execute', target: 'context_search' })).body).toMatchObject({ allowed: true, matched_permission: 'tools:execute:*' });
  });
});

describe('no self-escalation', () => {
  /** A delegated administrator: may manage roles and users, but holds little else. */
  const MANAGER = ['roles:read', 'roles:write', 'users:read', 'users:write', ...VIEWER_PERMISSIONS];

  async function withManager() {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    await createRole(t, admin, { name: 'manager', permissions: MANAGER });
    const mia = await createUser(t, admin, 'mia', 'manager');
    return { t, admin, mia };
  }

  it('cannot create or widen a role beyond its own permissions (403 naming them); within them it can', async () => {
    const { t, admin, mia } = await withManager();

    const message = expectError(
      await t.request('POST', '/api/v1/roles', { token: mia.token, body: { name: 'snoop', permissions: ['contexts:read', 'audit:read', 'settings:write'] } }),
      403,
      'FORBIDDEN',
    );
    expect(message).toContain('audit:read');
    expect(message).toContain('settings:write');
    expect(message).not.toMatch(/cannot grant[^:]*contexts:read/);
    expectError(await t.request('GET', '/api/v1/roles/snoop', { token: admin }), 404, 'NOT_FOUND');
    // Wildcards are judged by what they cover: contexts:* is more than contexts:read.
    expect(expectError(await t.request('POST', '/api/v1/roles', { token: mia.token, body: { name: 'wide', permissions: ['contexts:*'] } }), 403, 'FORBIDDEN')).toContain('contexts:*');
    expect(expectError(await t.request('POST', '/api/v1/roles', { token: mia.token, body: { name: 'root', permissions: ['*:*'] } }), 403, 'FORBIDDEN')).toContain('*:*');

    expect((await t.request('POST', '/api/v1/roles', { token: mia.token, body: { name: 'reader', permissions: ['contexts:read'] } })).status).toBe(201);
    expect(expectError(await t.request('PUT', '/api/v1/roles/reader', { token: mia.token, body: { permissions: ['contexts:read', 'audit:read'] } }), 403, 'FORBIDDEN')).toContain('audit:read');
    expect((await getRole(t, admin, 'reader')).permissions).toEqual(['contexts:read']);

    // A role stronger than hers is not hers to reshape, not even to narrow it.
    await createRole(t, admin, { name: 'power', permissions: ['contexts:read', 'audit:read'] });
    expectError(await t.request('PUT', '/api/v1/roles/power', { token: mia.token, body: { permissions: ['contexts:read'] } }), 403, 'FORBIDDEN');
    expect((await getRole(t, admin, 'power')).permissions).toEqual(['contexts:read', 'audit:read']);
  });

  it('cannot edit the role it holds, not even its description', async () => {
    const { t, admin, mia } = await withManager();
    const before = await getRole(t, admin, 'manager');
    expect(expectError(await t.request('PUT', '/api/v1/roles/manager', { token: mia.token, body: { permissions: [...MANAGER, 'audit:read'] } }), 403, 'FORBIDDEN')).toMatch(/you hold role manager/);
    expectError(await t.request('PUT', '/api/v1/roles/manager', { token: mia.token, body: { permissions: MANAGER.slice(0, 4) } }), 403, 'FORBIDDEN');
    expectError(await t.request('PUT', '/api/v1/roles/manager', { token: mia.token, body: { description: 'mine now' } }), 403, 'FORBIDDEN');
    expect(await getRole(t, admin, 'manager')).toEqual(before);
    expect((await t.request('GET', '/api/v1/audit', { token: mia.token })).status).toBe(403);
  });

  it('cannot give a role stronger than its own, change its own role, or touch a user whose role is stronger', async () => {
    const { t, admin, mia } = await withManager();

    for (const role of ['admin', 'user']) {
      const message = expectError(await t.request('POST', '/api/v1/users', { token: mia.token, body: { username: `new-${role}`, password: passwordOf('new'), role } }), 403, 'FORBIDDEN');
      expect(message).toContain(`role ${role}`);
      expect(t.mesh.services.users.byUsername(`new-${role}`)).toBeUndefined();
    }
    const vic = await createUser(t, mia.token, 'vic', 'viewer');

    expect(expectError(await t.request('PUT', `/api/v1/users/${mia.id}/role`, { token: mia.token, body: { role: 'admin' } }), 403, 'FORBIDDEN')).toMatch(/your own role/);
    expectError(await t.request('PUT', `/api/v1/users/${mia.id}/role`, { token: mia.token, body: { role: 'viewer' } }), 403, 'FORBIDDEN');
    expectError(await t.request('PUT', `/api/v1/users/${vic.id}/role`, { token: mia.token, body: { role: 'user' } }), 403, 'FORBIDDEN');
    expectError(await t.request('PUT', `/api/v1/users/${vic.id}/role`, { token: mia.token, body: { role: 'admin' } }), 403, 'FORBIDDEN');

    const adminId = userId(t, 'admin');
    expectError(await t.request('PATCH', `/api/v1/users/${adminId}`, { token: mia.token, body: { disabled: true } }), 403, 'FORBIDDEN');
    expectError(await t.request('PUT', `/api/v1/users/${adminId}/role`, { token: mia.token, body: { role: 'viewer' } }), 403, 'FORBIDDEN');
    const uma = await t.userWithToken('uma', 'user');
    expectError(await t.request('PUT', `/api/v1/users/${userId(t, 'uma')}/role`, { token: mia.token, body: { role: 'viewer' } }), 403, 'FORBIDDEN');
    expectError(await t.request('PATCH', `/api/v1/users/${userId(t, 'uma')}`, { token: mia.token, body: { disabled: true } }), 403, 'FORBIDDEN');

    // Nothing moved: mia is still a manager, the admin and uma still work with their roles.
    expect((await t.request('GET', '/api/v1/whoami', { token: mia.token })).body).toMatchObject({ role: 'manager' });
    expect((await t.request('GET', '/api/v1/whoami', { token: admin })).body).toMatchObject({ role: 'admin' });
    expect((await postContext(t, { token: uma })).status).toBe(201);
    expect(t.mesh.services.users.require('vic').role).toBe('viewer');

    // Within her rights she may act: a viewer she can disable.
    expect((await t.request('PATCH', `/api/v1/users/${vic.id}`, { token: mia.token, body: { disabled: true } })).status).toBe(200);
  });
});

describe('the last active admin', () => {
  it('cannot be disabled (by itself) or demoted (by a *:* custom role): 409, and nothing changes', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const adminId = userId(t, 'admin');

    expect(expectError(await t.request('PATCH', `/api/v1/users/${adminId}`, { token: admin, body: { disabled: true } }), 409, 'CONFLICT')).toMatch(/last active admin/);
    expect(expectError(await t.request('PUT', `/api/v1/users/${adminId}/role`, { token: admin, body: { role: 'user' } }), 403, 'FORBIDDEN')).toMatch(/own role/);

    // Someone as strong as an admin without being one may touch the admin, but still not remove the last one.
    await createRole(t, admin, { name: 'root', permissions: ['*:*'] });
    const rooty = await createUser(t, admin, 'rooty', 'root');
    expect(expectError(await t.request('PUT', `/api/v1/users/${adminId}/role`, { token: rooty.token, body: { role: 'user' } }), 409, 'CONFLICT')).toMatch(/last active admin/);
    expect(expectError(await t.request('PATCH', `/api/v1/users/${adminId}`, { token: rooty.token, body: { disabled: true } }), 409, 'CONFLICT')).toMatch(/last active admin/);

    expect((await t.request('GET', '/api/v1/whoami', { token: admin })).body).toMatchObject({ role: 'admin' });
    expect(t.mesh.services.users.require('admin')).toMatchObject({ role: 'admin', disabled: false });
    expect(events(t, 'user_role_changed')).toEqual([]);
    expect(events(t, 'user_disabled')).toEqual([]);
  });

  it('with two admins, one can be demoted and one disabled; then the remaining one is the last', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const ada = await createUser(t, admin, 'ada', 'admin');
    const ben = await createUser(t, admin, 'ben', 'admin');
    const adminId = userId(t, 'admin');

    const demoted = await t.request('PUT', `/api/v1/users/${adminId}/role`, { token: ada.token, body: { role: 'user' } });
    expect(demoted.status, demoted.text).toBe(200);
    expect(demoted.body).toMatchObject({ username: 'admin', role: 'user' });
    expect((await t.request('GET', '/api/v1/roles', { token: admin })).status).toBe(403);

    const disabled = await t.request('PATCH', `/api/v1/users/${ben.id}`, { token: ada.token, body: { disabled: true } });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ username: 'ben', disabled: true });
    expect((await t.request('GET', '/api/v1/whoami', { token: ben.token })).status).toBe(401);

    // ada is the last active admin now (ben is disabled).
    expectError(await t.request('PATCH', `/api/v1/users/${ada.id}`, { token: ada.token, body: { disabled: true } }), 409, 'CONFLICT');
  });
});

describe('/api/v1/users', () => {
  it("lists only the caller's tenant, creates users there, and treats other tenants' users as nobody", async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    await createUser(t, admin, 'carol', 'viewer');
    const acme = await t.userWithToken('acme-admin', 'admin', 'acme');
    await t.userWithToken('bob', 'viewer', 'acme');

    const ours = await t.request('GET', '/api/v1/users', { token: admin });
    expect(ours.status).toBe(200);
    expect((ours.body.users as UserDto[]).map((u) => `${u.username}@${u.tenant}`)).toEqual(['admin@default', 'carol@default']);
    for (const u of ours.body.users as UserDto[]) expect(Object.keys(u).sort()).toEqual(USER_FIELDS);
    expect(ours.text).not.toMatch(/password|\$2[aby]\$/);

    const created = await t.request('POST', '/api/v1/users', { token: acme, body: { username: 'zed', password: passwordOf('zed'), role: 'viewer' } });
    expect(created.status).toBe(201);
    expect(created.body.tenant).toBe('acme');
    const theirs = await t.request('GET', '/api/v1/users', { token: acme });
    expect((theirs.body.users as UserDto[]).map((u) => `${u.username}@${u.tenant}`)).toEqual(['acme-admin@acme', 'bob@acme', 'zed@acme']);

    const carolId = userId(t, 'carol');
    expectError(await t.request('PATCH', `/api/v1/users/${carolId}`, { token: acme, body: { disabled: true } }), 404, 'NOT_FOUND');
    expectError(await t.request('PUT', `/api/v1/users/${carolId}/role`, { token: acme, body: { role: 'user' } }), 404, 'NOT_FOUND');
    expect(t.mesh.services.users.require('carol')).toMatchObject({ role: 'viewer', disabled: false });
  });

  it('creates a user (201, no secret in the answer) and refuses a weak password, a taken name and an unknown role', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const res = await t.request('POST', '/api/v1/users', { token: admin, body: { username: 'erin', password: passwordOf('erin'), role: 'user' } });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body as object).sort()).toEqual(USER_FIELDS);
    expect(res.body).toMatchObject({ username: 'erin', role: 'user', tenant: 'default', disabled: false, locked_until: null });
    expect(res.text).not.toContain(passwordOf('erin'));
    await t.login('erin', passwordOf('erin'));

    expect(expectError(await t.request('POST', '/api/v1/users', { token: admin, body: { username: 'weak', password: 'short', role: 'user' } }), 400, 'VALIDATION_FAILED')).toMatch(/too short/);
    expect(expectError(await t.request('POST', '/api/v1/users', { token: admin, body: { username: 'erin', password: passwordOf('other'), role: 'viewer' } }), 409, 'CONFLICT')).toMatch(/erin already exists/);
    expect(expectError(await t.request('POST', '/api/v1/users', { token: admin, body: { username: 'nobody', password: passwordOf('nobody'), role: 'superuser' } }), 400, 'VALIDATION_FAILED')).toMatch(/role "superuser" does not exist/);
    expectError(await t.request('POST', '/api/v1/users', { token: admin, body: { username: 'extra', password: passwordOf('extra'), role: 'user', admin: true } }), 400, 'VALIDATION_FAILED');
    for (const username of ['weak', 'nobody', 'extra']) expect(t.mesh.services.users.byUsername(username)).toBeUndefined();
    expect(t.mesh.services.users.require('erin').role).toBe('user');
  });

  it('disabling stops the user’s token and API keys on the very next request; enabling brings the keys back', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const erin = await createUser(t, admin, 'erin', 'user');
    const { key } = await ownKey(t, erin.token, 'user');
    expect((await postContext(t, { token: erin.token })).status).toBe(201);
    expect((await postContext(t, { apiKey: key })).status).toBe(201);

    const disabled = await t.request('PATCH', `/api/v1/users/${erin.id}`, { token: admin, body: { disabled: true } });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ username: 'erin', disabled: true });
    expect((await t.request('GET', '/api/v1/whoami', { token: erin.token })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/whoami', { apiKey: key })).status).toBe(401);
    expect((await t.request('POST', '/api/v1/auth/login', { body: { username: 'erin', password: passwordOf('erin') } })).status).toBe(401);
    expect(((await t.request('GET', '/api/v1/users', { token: admin })).body.users as UserDto[]).find((u) => u.username === 'erin')?.disabled).toBe(true);

    const enabled = await t.request('PATCH', `/api/v1/users/${erin.id}`, { token: admin, body: { disabled: false } });
    expect(enabled.status).toBe(200);
    expect(enabled.body.disabled).toBe(false);
    expect((await t.request('GET', '/api/v1/whoami', { apiKey: key })).status).toBe(200);
    await t.login('erin', passwordOf('erin'));
  });

  it("changes a user's role for their very next request, and refuses an unknown role or user", async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const fay = await createUser(t, admin, 'fay', 'user');
    expect((await postContext(t, { token: fay.token })).status).toBe(201);

    const changed = await t.request('PUT', `/api/v1/users/${fay.id}/role`, { token: admin, body: { role: 'viewer' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ username: 'fay', role: 'viewer' });
    expect((await postContext(t, { token: fay.token })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/whoami', { token: fay.token })).body).toMatchObject({ subject: 'user:fay', role: 'viewer' });

    expectError(await t.request('PUT', `/api/v1/users/${fay.id}/role`, { token: admin, body: { role: 'ghost' } }), 400, 'VALIDATION_FAILED');
    expectError(await t.request('PUT', `/api/v1/users/${randomUUID()}/role`, { token: admin, body: { role: 'viewer' } }), 404, 'NOT_FOUND');
    expect(t.mesh.services.users.require('fay').role).toBe('viewer');
  });
});

describe('POST /api/v1/authz/check', () => {
  it('answers what a real request gets, for roles, users and keys', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const vic = await t.userWithToken('vic', 'viewer');
    const key = t.apiKey('user', { name: 'writer bot' });

    const viewerWrite = await check(t, admin, { subject: 'role:viewer', resource: 'contexts', action: 'write' });
    expect(viewerWrite.status).toBe(200);
    expect(viewerWrite.body).toEqual({ allowed: false, reason: 'role viewer lacks contexts:write', matched_permission: null, role: 'viewer' });
    expect((await postContext(t, { token: vic })).status).toBe(403);

    expect((await check(t, admin, { subject: 'user:vic', resource: 'contexts', action: 'write' })).body).toMatchObject({ allowed: false, role: 'viewer' });
    expect((await check(t, admin, { subject: 'user:vic', resource: 'contexts', action: 'read' })).body).toEqual({ allowed: true, reason: 'role viewer grants contexts:read', matched_permission: 'contexts:read', role: 'viewer' });
    expect((await t.request('GET', '/api/v1/contexts', { token: vic })).status).toBe(200);

    expect((await check(t, admin, { subject: 'user:admin', resource: 'settings', action: 'write' })).body).toEqual({ allowed: true, reason: 'role admin grants *:*', matched_permission: '*:*', role: 'admin' });
    expect((await check(t, admin, { subject: `key:${keyIdOf(key)}`, resource: 'contexts', action: 'write' })).body).toMatchObject({ allowed: true, matched_permission: 'contexts:write', role: 'user' });
    expect((await postContext(t, { apiKey: key })).status).toBe(201);
    expect((await check(t, admin, { subject: `key:${keyIdOf(key)}`, resource: 'users', action: 'read' })).body).toMatchObject({ allowed: false, role: 'user' });
    expect((await t.request('GET', '/api/v1/users', { apiKey: key })).status).toBe(403);

    // Asking needs roles:read.
    expectError(await check(t, vic, { subject: 'role:viewer', resource: 'contexts', action: 'read' }), 403, 'FORBIDDEN');
  });

  it('says no, with the reason, where a real request would be refused before any permission is looked at', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const dis = await createUser(t, admin, 'dis', 'user');
    await t.request('PATCH', `/api/v1/users/${dis.id}`, { token: admin, body: { disabled: true } });
    const disabled = await check(t, admin, { subject: 'user:dis', resource: 'contexts', action: 'read' });
    expect(disabled.body).toMatchObject({ allowed: false, matched_permission: null });
    expect(disabled.body.reason).toMatch(/disabled/);

    const revokedKey = t.apiKey('viewer', { name: 'old' });
    await t.request('DELETE', `/api/v1/api-keys/${keyIdOf(revokedKey)}`, { token: admin });
    expect((await t.request('GET', '/api/v1/whoami', { apiKey: revokedKey })).status).toBe(401);
    const revoked = await check(t, admin, { subject: `key:${keyIdOf(revokedKey)}`, resource: 'contexts', action: 'read' });
    expect(revoked.body).toMatchObject({ allowed: false, matched_permission: null });
    expect(revoked.body.reason).toMatch(/revoked/);

    const expiredKey = t.apiKey('viewer', { name: 'expired', expiresInSeconds: -60 });
    expect((await t.request('GET', '/api/v1/whoami', { apiKey: expiredKey })).status).toBe(401);
    const expired = await check(t, admin, { subject: `key:${keyIdOf(expiredKey)}`, resource: 'contexts', action: 'read' });
    expect(expired.body).toMatchObject({ allowed: false });
    expect(expired.body.reason).toMatch(/expired/);

    // A key made while its owner could write outranks her once she is demoted: refused, though the key's own role would allow it.
    const kim = await createUser(t, admin, 'kim', 'user');
    const { key, id } = await ownKey(t, kim.token, 'user');
    expect((await check(t, admin, { subject: `key:${id}`, resource: 'contexts', action: 'write' })).body.allowed).toBe(true);
    await t.request('PUT', `/api/v1/users/${kim.id}/role`, { token: admin, body: { role: 'viewer' } });
    const outranks = await check(t, admin, { subject: `key:${id}`, resource: 'contexts', action: 'read' });
    expect(outranks.body).toMatchObject({ allowed: false, matched_permission: null, role: 'user' });
    expect(outranks.body.reason).toMatch(/outranks its owner kim/);
    expect((await t.request('GET', '/api/v1/contexts', { apiKey: key })).status).toBe(401);
  });

  it('refuses a malformed question (400) and hides what is not in the caller’s tenant (404)', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const acme = await t.userWithToken('acme-admin', 'admin', 'acme');
    await createUser(t, admin, 'carol', 'viewer');
    const defaultKey = t.apiKey('viewer');

    for (const subject of ['group:ops', 'carol', 'tenant:acme']) {
      expect(expectError(await check(t, admin, { subject, resource: 'contexts', action: 'read' }), 400, 'VALIDATION_FAILED'), subject).toMatch(/user:<username>, key:<API key id> or role:<role name>/);
    }
    expect(expectError(await check(t, admin, { subject: 'role:viewer', resource: 'kitchen', action: 'read' }), 400, 'VALIDATION_FAILED')).toContain('"kitchen"');
    expect(expectError(await check(t, admin, { subject: 'role:viewer', resource: 'contexts', action: 'fly' }), 400, 'VALIDATION_FAILED')).toContain('"fly"');
    expectError(await check(t, admin, { subject: 'role:viewer', resource: 'contexts' }), 400, 'VALIDATION_FAILED');

    expectError(await check(t, admin, { subject: 'user:ghost', resource: 'contexts', action: 'read' }), 404, 'NOT_FOUND');
    expectError(await check(t, admin, { subject: 'key:NoSuchKey0000000', resource: 'contexts', action: 'read' }), 404, 'NOT_FOUND');
    expectError(await check(t, acme, { subject: 'user:carol', resource: 'contexts', action: 'read' }), 404, 'NOT_FOUND');
    expectError(await check(t, acme, { subject: `key:${keyIdOf(defaultKey)}`, resource: 'contexts', action: 'read' }), 404, 'NOT_FOUND');
    expect((await check(t, admin, { subject: 'user:carol', resource: 'contexts', action: 'read' })).body.allowed).toBe(true);

    const ghost = await check(t, admin, { subject: 'role:ghost', resource: 'contexts', action: 'read' });
    expect(ghost.body).toMatchObject({ allowed: false, matched_permission: null });
    expect(ghost.body.reason).toMatch(/does not exist/);
  });
});

describe('audit of policy changes and role assignments', () => {
  it('records each with who did it and before/after (description included), and nothing for a change refused as invalid', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    await createRole(t, admin, { name: 'auditor', permissions: ['audit:read'] });
    await t.request('PUT', '/api/v1/roles/auditor', { token: admin, body: { permissions: ['audit:read', 'contexts:read'] } });
    await t.request('PUT', '/api/v1/roles/auditor', { token: admin, body: { permissions: ['audit:read', 'nonsense:read'] } });
    const gus = await createUser(t, admin, 'gus', 'auditor');
    await t.request('PUT', `/api/v1/users/${gus.id}/role`, { token: admin, body: { role: 'viewer' } });
    await t.request('PATCH', `/api/v1/users/${gus.id}`, { token: admin, body: { disabled: true } });
    await t.request('PATCH', `/api/v1/users/${gus.id}`, { token: admin, body: { disabled: false } });
    expect((await t.request('DELETE', '/api/v1/roles/auditor', { token: admin })).status).toBe(204);

    const summary = (type: string) => events(t, type).map((e) => ({ subject: e.subject, resource: e.resource, result: e.result, metadata: e.metadata }));
    expect(summary('role_created')).toEqual([{ subject: 'user:admin', resource: 'role:auditor', result: 'success', metadata: { before: null, after: { permissions: ['audit:read'], description: '', version: 1 } } }]);
    expect(summary('role_updated')).toEqual([
      { subject: 'user:admin', resource: 'role:auditor', result: 'success', metadata: { before: { permissions: ['audit:read'], description: '', version: 1 }, after: { permissions: ['audit:read', 'contexts:read'], description: '', version: 2 } } },
    ]);
    expect(summary('role_deleted')).toEqual([{ subject: 'user:admin', resource: 'role:auditor', result: 'success', metadata: { before: { permissions: ['audit:read', 'contexts:read'], description: '', version: 2 }, after: null } }]);
    expect(summary('user_created').filter((e) => e.resource === 'user:gus')).toEqual([{ subject: 'user:admin', resource: 'user:gus', result: 'success', metadata: { role: 'auditor' } }]);
    expect(summary('user_role_changed')).toEqual([{ subject: 'user:admin', resource: 'user:gus', result: 'success', metadata: { before: { role: 'auditor' }, after: { role: 'viewer' } } }]);
    expect(summary('user_disabled')).toEqual([{ subject: 'user:admin', resource: 'user:gus', result: 'success', metadata: { before: { disabled: false }, after: { disabled: true }, sessions_ended: 1 } }]);
    expect(summary('user_enabled')).toEqual([{ subject: 'user:admin', resource: 'user:gus', result: 'success', metadata: { before: { disabled: true }, after: { disabled: false }, sessions_ended: 0 } }]);
    expect(JSON.stringify(events(t, 'user_created'))).not.toContain(passwordOf('gus'));

    // The trail and role_versions agree on the history, deletion included.
    expect(roleVersions(t, 'auditor').map((v) => [v.version, JSON.parse(v.permissions) as string[], v.deleted])).toEqual([
      [1, ['audit:read'], 0],
      [2, ['audit:read', 'contexts:read'], 0],
      [3, ['audit:read', 'contexts:read'], 1],
    ]);
  });

  it("files a change made in another tenant under that tenant's trail", async () => {
    const t = await startTestMesh();
    const acme = await t.userWithToken('acme-admin', 'admin', 'acme');
    const hal = await createUser(t, acme, 'hal', 'viewer');
    await t.request('PATCH', `/api/v1/users/${hal.id}`, { token: acme, body: { disabled: true } });
    expect(events(t, 'user_created', 'acme').map((e) => `${e.subject} ${e.resource}`)).toEqual(['user:acme-admin user:hal']);
    expect(events(t, 'user_disabled', 'acme').map((e) => `${e.subject} ${e.resource}`)).toEqual(['user:acme-admin user:hal']);
    expect(events(t, 'user_disabled')).toEqual([]);
  });
});
