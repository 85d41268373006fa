// `devmesh roles list|create|grant|revoke|delete` as an operator runs them: real child processes, alone and next to a running `devmesh serve`.
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { ADMIN_PASSWORD, auditEvents, CLI_SUBJECT, loggedIn, meshEnv, ok, refused, serve, SLOW, stopServes, type Env } from '../helpers/cli-mesh';

afterEach(stopServes);

const WES_PASSWORD = 'correct horse battery staple';

interface RoleRow {
  name: string;
  builtin: boolean;
  version: number;
  permissions: string[];
  users: number;
  api_keys: number;
  description: string;
}

async function rolesJson(env: Env): Promise<RoleRow[]> {
  return JSON.parse((await ok(env, ['roles', 'list', '--json'])).stdout) as RoleRow[];
}

async function call(apiUrl: string, method: string, path: string, token: string, body?: unknown): Promise<number> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await response.body?.cancel();
  return response.status;
}

describe('devmesh roles', () => {
  it('creates, lists, grants, revokes and deletes a custom role, each change a new version in the audit trail', async () => {
    const env = meshEnv();
    const created = await ok(env, ['roles', 'create', 'auditor', '-p', 'audit:read', '--permission', 'contexts:read', '--description', 'Reads the trail']);
    expect(created.stdout).toBe('created role auditor: audit:read contexts:read\n');

    const listed = await rolesJson(env);
    expect(listed.map((r) => [r.name, r.builtin, r.version])).toEqual([
      ['admin', true, 1],
      ['user', true, 1],
      ['viewer', true, 1],
      ['auditor', false, 1],
    ]);
    expect(listed.find((r) => r.name === 'auditor')).toEqual({ name: 'auditor', builtin: false, version: 1, permissions: ['audit:read', 'contexts:read'], users: 0, api_keys: 0, description: 'Reads the trail' });
    expect(listed.find((r) => r.name === 'viewer')?.permissions).toEqual(['contexts:read', 'tools:read', 'api_keys:read']);

    const table = (await ok(env, ['roles', 'list'])).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^NAME\s+BUILTIN\s+VERSION\s+USERS\s+API_KEYS\s+PERMISSIONS$/);
    expect(table.find((l) => l.startsWith('auditor'))).toMatch(/^auditor\s+false\s+1\s+0\s+0\s+audit:read contexts:read$/);

    // Granting what it already has does not list it twice.
    expect((await ok(env, ['roles', 'grant', 'auditor', 'metrics:read', 'audit:read', 'tools:execute:context_get'])).stdout).toBe('auditor (version 2): audit:read contexts:read metrics:read tools:execute:context_get\n');
    expect((await ok(env, ['roles', 'revoke', 'auditor', 'contexts:read', 'tools:execute:context_get'])).stdout).toBe('auditor (version 3): audit:read metrics:read\n');
    expect((await rolesJson(env)).find((r) => r.name === 'auditor')).toMatchObject({ version: 3, permissions: ['audit:read', 'metrics:read'] });

    expect((await ok(env, ['roles', 'delete', 'auditor'])).stdout).toBe('deleted role auditor\n');
    expect((await rolesJson(env)).map((r) => r.name)).toEqual(['admin', 'user', 'viewer']);

    const events = auditEvents(env.DEVMESH_DATA_DIR, ['role_created', 'role_updated', 'role_deleted']);
    expect(events.map((e) => [e.event_type, e.subject, e.resource, e.metadata])).toEqual([
      ['role_created', CLI_SUBJECT, 'role:auditor', { before: null, after: { permissions: ['audit:read', 'contexts:read'], description: 'Reads the trail', version: 1 } }],
      ['role_updated', CLI_SUBJECT, 'role:auditor', { before: { permissions: ['audit:read', 'contexts:read'], description: 'Reads the trail', version: 1 }, after: { permissions: ['audit:read', 'contexts:read', 'metrics:read', 'tools:execute:context_get'], description: 'Reads the trail', version: 2 } }],
      ['role_updated', CLI_SUBJECT, 'role:auditor', { before: { permissions: ['audit:read', 'contexts:read', 'metrics:read', 'tools:execute:context_get'], description: 'Reads the trail', version: 2 }, after: { permissions: ['audit:read', 'metrics:read'], description: 'Reads the trail', version: 3 } }],
      ['role_deleted', CLI_SUBJECT, 'role:auditor', { before: { permissions: ['audit:read', 'metrics:read'], description: 'Reads the trail', version: 3 }, after: null }],
    ]);
  }, SLOW);

  it('refuses bad permissions, built-in roles, unknown roles and taken or bad names in one clean line each, changing nothing', async () => {
    const env = meshEnv();
    await ok(env, ['roles', 'create', 'auditor', '-p', 'audit:read']);

    // None of these changes a role, so they can run side by side (the refused changes to built-in roles are recorded).
    const [badCreate, badGrant, targetOnNonTool, builtinGrant, builtinRevoke, builtinDelete, unknownGrant, unknownDelete, duplicate, badName] = await Promise.all([
      refused(env, ['roles', 'create', 'broken', '-p', 'contexts:read', '-p', 'contexts:fly']),
      refused(env, ['roles', 'grant', 'auditor', 'kitchen:read']),
      refused(env, ['roles', 'grant', 'auditor', 'audit:read:all']),
      refused(env, ['roles', 'grant', 'viewer', 'contexts:write']),
      refused(env, ['roles', 'revoke', 'user', 'contexts:write']),
      refused(env, ['roles', 'delete', 'admin']),
      refused(env, ['roles', 'grant', 'ghost', 'contexts:read']),
      refused(env, ['roles', 'delete', 'ghost']),
      refused(env, ['roles', 'create', 'auditor', '-p', 'contexts:read']),
      refused(env, ['roles', 'create', 'Bad Name', '-p', 'contexts:read']),
    ]);
    expect(badCreate).toMatch(/^devmesh: permission "contexts:fly" names an unknown action "fly"; write resource:action/);
    expect(badGrant).toMatch(/^devmesh: permission "kitchen:read" names an unknown resource "kitchen"/);
    expect(targetOnNonTool).toMatch(/^devmesh: permission "audit:read:all" names a target, which only tools have/);
    expect(builtinGrant).toBe('devmesh: viewer is a built-in role and cannot be changed; create a custom role instead');
    expect(builtinRevoke).toBe('devmesh: user is a built-in role and cannot be changed; create a custom role instead');
    expect(builtinDelete).toBe('devmesh: admin is a built-in role and cannot be deleted');
    expect(unknownGrant).toBe('devmesh: no role "ghost"');
    expect(unknownDelete).toBe('devmesh: no role "ghost"');
    expect(duplicate).toBe('devmesh: role auditor already exists');
    expect(badName).toMatch(/^devmesh: role name "Bad Name": a role is lower-case letters, digits, - and _/);

    const roles = await rolesJson(env);
    expect(roles.map((r) => `${r.name} v${r.version} ${r.permissions.join(',')}`)).toEqual(['admin v1 *:*', 'user v1 contexts:read,contexts:write,contexts:delete,tools:read,tools:execute,api_keys:read,api_keys:write,api_keys:delete', 'viewer v1 contexts:read,tools:read,api_keys:read', 'auditor v1 audit:read']);
    expect(auditEvents(env.DEVMESH_DATA_DIR, ['role_updated', 'role_deleted'])).toEqual([]);
    expect(auditEvents(env.DEVMESH_DATA_DIR, ['role_created']).map((e) => e.resource)).toEqual(['role:auditor']);
    // Changing a built-in role is a refused security decision, recorded as the REST API and the console record it.
    const denied = auditEvents(env.DEVMESH_DATA_DIR, ['role_change_denied']).map((e) => `${e.subject} ${e.action} ${e.resource} ${e.result}`);
    expect(denied.sort()).toEqual([`${CLI_SUBJECT} delete role:admin denied`, `${CLI_SUBJECT} update role:user denied`, `${CLI_SUBJECT} update role:viewer denied`]);
  }, SLOW);

  it('refuses a name taken by a built-in role as "already exists", like any other taken name', async () => {
    const env = meshEnv();
    expect(await refused(env, ['roles', 'create', 'user', '-p', 'contexts:read'])).toBe('devmesh: role user already exists');
    // The operator acts with every right, so "you hold role admin" would be a wrong reason as well as a wrong code.
    expect(await refused(env, ['roles', 'create', 'admin', '-p', 'contexts:read'])).toBe('devmesh: role admin already exists');
  }, SLOW);

  it('refuses to delete a role in use, naming its users and keys; it goes once nobody holds it', async () => {
    const env = meshEnv();
    await ok(env, ['roles', 'create', 'ops', '-p', 'contexts:read']);
    await ok(env, ['users', 'create', 'ivy', '--role', 'ops', '--password-stdin'], `${WES_PASSWORD}\n`);
    const key = (await ok(env, ['keys', 'create', '--name', 'ops bot', '--role', 'ops'])).stdout.trimEnd();
    const keyId = key.split('_')[1] as string;
    expect((await rolesJson(env)).find((r) => r.name === 'ops')).toMatchObject({ users: 1, api_keys: 1 });

    const line = await refused(env, ['roles', 'delete', 'ops']);
    expect(line).toBe(`devmesh: role ops is in use by user ivy, API key ${keyId}; give them another role (or revoke the keys) first`);
    expect((await rolesJson(env)).map((r) => r.name)).toContain('ops');

    await ok(env, ['users', 'set-role', 'ivy', 'viewer']);
    await ok(env, ['keys', 'revoke', keyId]);
    expect((await rolesJson(env)).find((r) => r.name === 'ops')).toMatchObject({ users: 0, api_keys: 0 });
    expect((await ok(env, ['roles', 'delete', 'ops'])).stdout).toBe('deleted role ops\n');
    expect(auditEvents(env.DEVMESH_DATA_DIR, ['role_deleted']).map((e) => e.resource)).toEqual(['role:ops']);
  }, SLOW);

  it('explains the group and its subcommands in --help', async () => {
    const help = await runCli(['roles', '--help']);
    expect(help.code).toBe(0);
    for (const sub of ['list', 'create', 'grant', 'revoke', 'delete']) expect(help.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
    const create = await runCli(['roles', 'create', '--help']);
    expect(create.stdout).toMatch(/-p, --permission <permission>/);
    expect(create.stdout).toMatch(/--description <text>/);
  });
});

describe('devmesh roles while serve runs', () => {
  it("a change made by the CLI counts on the holder's very next HTTP request", async () => {
    const env = meshEnv();
    const s = await serve(env);
    await ok(env, ['roles', 'create', 'writer', '-p', 'contexts:read']);
    await ok(env, ['users', 'create', 'wes', '--role', 'writer', '--password-stdin'], `${WES_PASSWORD}\n`);
    const wes = (await loggedIn(s.apiUrl, 'wes', WES_PASSWORD)).access_token;

    expect(await call(s.apiUrl, 'GET', '/api/v1/contexts', wes)).toBe(200);
    expect(await call(s.apiUrl, 'POST', '/api/v1/contexts', wes, { name: 'before the grant' })).toBe(403);

    await ok(env, ['roles', 'grant', 'writer', 'contexts:write']);
    // The same token, no waiting and no re-login.
    expect(await call(s.apiUrl, 'POST', '/api/v1/contexts', wes, { name: 'after the grant' })).toBe(201);

    await ok(env, ['roles', 'revoke', 'writer', 'contexts:write']);
    expect(await call(s.apiUrl, 'POST', '/api/v1/contexts', wes, { name: 'after the revoke' })).toBe(403);
    expect(await call(s.apiUrl, 'GET', '/api/v1/contexts', wes)).toBe(200);
  }, SLOW);

  it('serve knows a role the CLI just created, and the CLI sees one made over REST', async () => {
    const env = meshEnv();
    const s = await serve(env);
    const admin = (await loggedIn(s.apiUrl, 'admin', ADMIN_PASSWORD)).access_token;
    await ok(env, ['roles', 'create', 'ops', '-p', 'contexts:read']);
    expect(await call(s.apiUrl, 'POST', '/api/v1/users', admin, { username: 'olga', password: WES_PASSWORD, role: 'ops' })).toBe(201);
    expect(await call(s.apiUrl, 'GET', '/api/v1/roles/ops', admin)).toBe(200);

    expect(await call(s.apiUrl, 'POST', '/api/v1/roles', admin, { name: 'auditor', permissions: ['audit:read'] })).toBe(201);
    const roles = await rolesJson(env);
    expect(roles.find((r) => r.name === 'ops')).toMatchObject({ users: 1, version: 1 });
    expect(roles.find((r) => r.name === 'auditor')).toMatchObject({ permissions: ['audit:read'], version: 1, builtin: false });
    expect(await refused(env, ['roles', 'delete', 'ops'])).toBe('devmesh: role ops is in use by user olga; give them another role (or revoke the keys) first');
    expect(await call(s.apiUrl, 'DELETE', '/api/v1/roles/ops', admin)).toBe(409);
  }, SLOW);
});
