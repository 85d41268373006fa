// `devmesh users|keys|tenants|rotate-jwt-key` as an operator runs them: real child processes, alone and next to a running `devmesh serve`.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { expectOneCleanLine, runCli } from '../helpers/cli';
import { ADMIN_PASSWORD, auditEvents, cli, CLI_SUBJECT, loggedIn, login, meshEnv, ok, post, refused, serve, SLOW, stopServes, tokensOf, type Env, type MeshEnv, type Tokens } from '../helpers/cli-mesh';

afterEach(stopServes);

const ALICE_PASSWORD = 'correct horse battery staple';
const ALICE_NEW_PASSWORD = 'a brand new passphrase, 2nd';
const RAW_KEY = /^dmk_[0-9A-Za-z]{16}_[0-9A-Za-z]{43}$/;
const BCRYPT_HASH = /\$2[aby]\$\d\d\$/;

/** A fresh mesh where three wrong passwords lock an account (five by default): fewer slow bcrypt rounds in the lockout test. */
function adminEnv(): MeshEnv {
  return meshEnv({ LOGIN_MAX_FAILURES: '3' });
}

async function refresh(apiUrl: string, refreshToken: string): Promise<{ status: number; tokens: Tokens | undefined }> {
  return tokensOf(await post(`${apiUrl}/api/v1/auth/refresh`, { refresh_token: refreshToken }));
}

async function whoami(apiUrl: string, credential: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${apiUrl}/api/v1/whoami`, { headers: { authorization: `Bearer ${credential}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function createContext(apiUrl: string, token: string, name: string): Promise<number> {
  const response = await post(`${apiUrl}/api/v1/contexts`, { name }, token);
  await response.body?.cancel();
  return response.status;
}

/** An API key the user creates for themselves over REST (so it has an owner, unlike `devmesh keys create`). */
async function ownKey(apiUrl: string, token: string, role: string): Promise<string> {
  const response = await post(`${apiUrl}/api/v1/api-keys`, { name: 'laptop', role }, token);
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

function kidOf(jwt: string): string {
  const header = JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString('utf8')) as { kid?: string };
  return String(header.kid);
}

interface DoctorReport {
  ok: boolean;
  checks: { name: string; status: string; detail: string }[];
}

async function auditChainCheck(env: Env): Promise<{ status: string; detail: string }> {
  const result = await cli(env, ['doctor', '--json']);
  const report = JSON.parse(result.stdout) as DoctorReport;
  const check = report.checks.find((c) => c.name === 'audit chain');
  if (check === undefined) throw new Error(`no audit chain check in ${result.stdout}`);
  return check;
}

describe('devmesh users and tenants', () => {
  it('creates users with the password on stdin, and refuses bad input in one clean line each', async () => {
    const env = adminEnv();
    const created = await ok(env, ['users', 'create', 'alice', '--role', 'user', '--password-stdin'], `${ALICE_PASSWORD}\n`);
    expect(created.stdout).toBe('created user alice (role user, tenant default)\n');

    // None of these writes anything, so they can run side by side.
    const [noStdinFlag, shortPassword, duplicate, unknownRole, unknownTenant] = await Promise.all([
      refused(env, ['users', 'create', 'bob', '--role', 'user'], `${ALICE_PASSWORD}\n`),
      refused(env, ['users', 'create', 'bob', '--role', 'user', '--password-stdin'], 'short\n'),
      refused(env, ['users', 'create', 'alice', '--role', 'user', '--password-stdin'], `${ALICE_PASSWORD}\n`),
      refused(env, ['users', 'create', 'bob', '--role', 'superuser', '--password-stdin'], `${ALICE_PASSWORD}\n`),
      refused(env, ['users', 'create', 'bob', '--role', 'user', '--tenant', 'acme', '--password-stdin'], `${ALICE_PASSWORD}\n`),
    ]);
    expect(noStdinFlag).toMatch(/^devmesh: .*never taken from the command line.*--password-stdin/);
    expect(shortPassword).toMatch(/^devmesh: the password is too short: use at least 12 characters/);
    expect(duplicate).toBe('devmesh: user alice already exists');
    expect(unknownRole).toMatch(/^devmesh: role "superuser" does not exist; use one of .*admin.*user.*viewer/);
    expect(unknownTenant).toBe('devmesh: no tenant "acme"; create it with `devmesh tenants create acme`');

    expect((await ok(env, ['tenants', 'create', 'acme'])).stdout).toBe('created tenant acme\n');
    expect((await ok(env, ['users', 'create', 'bob', '--role', 'viewer', '--tenant', 'acme', '--password-stdin'], `${ALICE_PASSWORD}\n`)).stdout).toBe(
      'created user bob (role viewer, tenant acme)\n',
    );

    const [table, json, tenants] = await Promise.all([ok(env, ['users', 'list']), ok(env, ['users', 'list', '--json']), ok(env, ['tenants', 'list', '--json'])]);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^USERNAME\s+ROLE\s+TENANT\s+DISABLED\s+LOCKED_UNTIL\s+CREATED_AT$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 4))).toEqual([
      ['alice', 'user', 'default', 'false'],
      ['bob', 'viewer', 'acme', 'false'],
    ]);
    const users = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(users.map((u) => ({ username: u.username, role: u.role, tenant: u.tenant, disabled: u.disabled }))).toEqual([
      { username: 'alice', role: 'user', tenant: 'default', disabled: false },
      { username: 'bob', role: 'viewer', tenant: 'acme', disabled: false },
    ]);
    for (const output of [table.stdout, table.stderr, json.stdout, json.stderr]) {
      expect(output).not.toMatch(BCRYPT_HASH);
      expect(output).not.toMatch(/password/i);
    }
    expect(users.every((u) => !('password_hash' in u) && !('failed_logins' in u))).toBe(true);

    const tenantRows = JSON.parse(tenants.stdout) as { name: string; created_at: string }[];
    expect(tenantRows.map((t) => t.name).sort()).toEqual(['acme', 'default']);
    expect(tenantRows.every((t) => !Number.isNaN(Date.parse(t.created_at)))).toBe(true);

    // Only the successful changes are in the trail, each by the shell user.
    const events = auditEvents(env.DEVMESH_DATA_DIR, ['user_created', 'tenant_created']);
    expect(events.map((e) => `${e.event_type} ${e.resource} ${e.subject}`).sort()).toEqual([
      `tenant_created tenant:acme ${CLI_SUBJECT}`,
      `user_created user:alice ${CLI_SUBJECT}`,
      `user_created user:bob ${CLI_SUBJECT}`,
    ]);
  }, SLOW);
});

describe('devmesh users while serve runs', () => {
  it('role changes, disable/enable and password resets take effect on the next request', async () => {
    const env = adminEnv();
    const s = await serve(env);
    await ok(env, ['users', 'create', 'alice', '--role', 'user', '--password-stdin'], `${ALICE_PASSWORD}\n`);

    const first = await loggedIn(s.apiUrl, 'alice', ALICE_PASSWORD);
    expect(await createContext(s.apiUrl, first.access_token, 'as user')).toBe(201);
    const aliceKey = await ownKey(s.apiUrl, first.access_token, 'viewer');

    expect((await ok(env, ['users', 'set-role', 'alice', 'viewer'])).stdout).toBe('alice: role user -> viewer\n');
    // Same token, new role: the server reads the user's record, not the role baked into the token.
    expect(await createContext(s.apiUrl, first.access_token, 'as viewer')).toBe(403);
    expect((await whoami(s.apiUrl, first.access_token)).body).toMatchObject({ subject: 'user:alice', role: 'viewer' });

    expect((await ok(env, ['users', 'disable', 'alice'])).stdout).toBe('alice: disabled\n');
    expect((await whoami(s.apiUrl, first.access_token)).status).toBe(401);
    expect((await whoami(s.apiUrl, aliceKey)).status).toBe(401);
    expect((await login(s.apiUrl, 'alice', ALICE_PASSWORD)).status).toBe(401);
    expect((await refresh(s.apiUrl, first.refresh_token)).status).toBe(401);

    expect((await ok(env, ['users', 'enable', 'alice'])).stdout).toBe('alice: enabled\n');
    const second = await loggedIn(s.apiUrl, 'alice', ALICE_PASSWORD);
    expect((await whoami(s.apiUrl, second.access_token)).body).toMatchObject({ subject: 'user:alice', role: 'viewer' });
    expect((await whoami(s.apiUrl, aliceKey)).status).toBe(200);

    // Locked out by wrong passwords: even the right one is refused until the reset below lifts the lockout.
    for (let i = 0; i < 3; i += 1) expect((await login(s.apiUrl, 'alice', 'not her password at all')).status).toBe(401);
    expect((await login(s.apiUrl, 'alice', ALICE_PASSWORD)).status).toBe(401);
    const locked = JSON.parse((await ok(env, ['users', 'list', '--json'])).stdout) as { username: string; locked_until: string | null }[];
    expect(locked.find((u) => u.username === 'alice')?.locked_until).not.toBeNull();

    expect(await refused(env, ['users', 'reset-password', 'alice', '--password-stdin'], 'too short\n')).toMatch(/too short/);
    const reset = await ok(env, ['users', 'reset-password', 'alice', '--password-stdin'], `${ALICE_NEW_PASSWORD}\n`);
    expect(reset.stdout).toBe('alice: password reset; 1 session ended\n');
    expect((await login(s.apiUrl, 'alice', ALICE_PASSWORD)).status).toBe(401);
    expect((await refresh(s.apiUrl, second.refresh_token)).status).toBe(401);
    await loggedIn(s.apiUrl, 'alice', ALICE_NEW_PASSWORD);

    expect(await refused(env, ['users', 'reset-password', 'alice'], `${ALICE_NEW_PASSWORD}\n`)).toMatch(/--password-stdin/);
    expect(await refused(env, ['users', 'set-role', 'nobody', 'viewer'])).toBe('devmesh: no user "nobody"');

    const listed = JSON.parse((await ok(env, ['users', 'list', '--json'])).stdout) as { username: string; role: string; disabled: boolean; locked_until: string | null }[];
    expect(listed.map((u) => [u.username, u.role, u.disabled, u.locked_until])).toEqual([
      ['admin', 'admin', false, null],
      ['alice', 'viewer', false, null],
    ]);

    const chain = await auditChainCheck(env);
    expect(chain.status).toBe('ok');
    const events = auditEvents(env.DEVMESH_DATA_DIR, ['user_created', 'user_role_changed', 'user_disabled', 'user_enabled', 'user_password_reset']);
    expect(events.map((e) => `${e.event_type} ${e.resource} ${e.subject}`).sort()).toEqual([
      `user_created user:admin system`, // first run of serve
      `user_created user:alice ${CLI_SUBJECT}`,
      `user_disabled user:alice ${CLI_SUBJECT}`,
      `user_enabled user:alice ${CLI_SUBJECT}`,
      `user_password_reset user:alice ${CLI_SUBJECT}`,
      `user_role_changed user:alice ${CLI_SUBJECT}`,
    ]);
    expect(events.find((e) => e.event_type === 'user_role_changed')?.metadata).toEqual({ before: { role: 'user' }, after: { role: 'viewer' } });
    // A password never reaches the trail, not even hashed.
    expect(JSON.stringify(events)).not.toMatch(BCRYPT_HASH);
    expect(JSON.stringify(events)).not.toContain(ALICE_NEW_PASSWORD);
  }, SLOW);

  it("a demotion also limits the user's own API keys: none keeps a role above its owner's", async () => {
    const env = adminEnv();
    const s = await serve(env);
    await ok(env, ['users', 'create', 'alice', '--role', 'user', '--password-stdin'], `${ALICE_PASSWORD}\n`);
    const alice = await loggedIn(s.apiUrl, 'alice', ALICE_PASSWORD);
    const key = await ownKey(s.apiUrl, alice.access_token, 'user');
    expect(await createContext(s.apiUrl, key, 'with her key, as user')).toBe(201);

    await ok(env, ['users', 'set-role', 'alice', 'viewer']);
    // The operator made alice read-only; the key she made while she could write must not keep writing for her:
    // it outranks its owner now, so it stops working altogether (a new key with her new rights is one command away).
    expect(await createContext(s.apiUrl, alice.access_token, 'with her token, as viewer')).toBe(403);
    expect(await createContext(s.apiUrl, key, 'with her key, as viewer')).toBe(401);
  }, SLOW);

  it('refuses to demote or disable the last active admin, and changes nothing', async () => {
    const env = adminEnv();
    const s = await serve(env);
    const [demote, disable] = await Promise.all([refused(env, ['users', 'set-role', 'admin', 'user']), refused(env, ['users', 'disable', 'admin'])]);
    expect(demote).toBe('devmesh: admin is the last active admin and cannot be demoted; make another user admin first');
    expect(disable).toBe('devmesh: admin is the last active admin and cannot be disabled; make another user admin first');

    const admin = await loggedIn(s.apiUrl, 'admin', ADMIN_PASSWORD);
    expect((await whoami(s.apiUrl, admin.access_token)).body).toMatchObject({ subject: 'user:admin', role: 'admin' });
    expect(auditEvents(env.DEVMESH_DATA_DIR, ['user_role_changed', 'user_disabled'])).toEqual([]);
  }, SLOW);
});

describe('devmesh keys while serve runs', () => {
  it('creates a key printed alone on stdout, lists it without its secret, and revokes it for the very next request', async () => {
    const env = adminEnv();
    const s = await serve(env);

    const created = await ok(env, ['keys', 'create', '--name', 'ci', '--role', 'viewer', '--expires-in', '30d']);
    expect(created.stdout).toMatch(/^dmk_\S+\n$/);
    const key = created.stdout.trimEnd();
    expect(key).toMatch(RAW_KEY);
    expect(created.stderr).toBe('');
    const id = key.split('_')[1] as string;

    expect(await whoami(s.apiUrl, key)).toEqual({ status: 200, body: expect.objectContaining({ subject: `key:${id}`, kind: 'api_key', role: 'viewer', auth_method: 'api_key' }) });

    const [badDuration, tooShort, badRole] = await Promise.all([
      refused(env, ['keys', 'create', '--name', 'ci', '--role', 'viewer', '--expires-in', 'soon']),
      refused(env, ['keys', 'create', '--name', 'ci', '--role', 'viewer', '--expires-in', '10s']),
      refused(env, ['keys', 'create', '--name', 'ci', '--role', 'root']),
    ]);
    expect(badDuration).toBe('devmesh: --expires-in "soon" must be a duration from 1 minute to 10 years, like 30d, 12h or 90m');
    expect(tooShort).toMatch(/--expires-in "10s" must be a duration from 1 minute to 10 years/);
    expect(badRole).toMatch(/^devmesh: role "root" does not exist; use one of .*viewer/);

    const listed = await ok(env, ['keys', 'list', '--json']);
    expect(listed.stdout).not.toContain(key);
    expect(listed.stdout).not.toContain(key.split('_')[2] as string);
    const keys = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ id, name: 'ci', role: 'viewer', tenant: 'default', status: 'active', revoked_at: null, created_by: CLI_SUBJECT });
    const expiresInDays = (Date.parse(String(keys[0]?.expires_at)) - Date.parse(String(keys[0]?.created_at))) / 86_400_000;
    expect(expiresInDays).toBe(30);

    expect((await ok(env, ['keys', 'revoke', id])).stdout).toBe(`revoked ${id} (ci)\n`);
    expect((await whoami(s.apiUrl, key)).status).toBe(401);
    expect(await refused(env, ['keys', 'revoke', 'NoSuchKey0000000'])).toMatch(/^devmesh: no API key NoSuchKey0000000; see `devmesh keys list`/);

    const table = await ok(env, ['keys', 'list']);
    expect(table.stdout).toMatch(new RegExp(`^${id}\\s+ci\\s+viewer\\s+default\\s+revoked\\b`, 'm'));
    expect(table.stdout).not.toContain(key);

    const events = auditEvents(env.DEVMESH_DATA_DIR, ['api_key_created', 'api_key_revoked']);
    expect(events.map((e) => `${e.event_type} ${e.resource} ${e.subject}`).sort()).toEqual([`api_key_created api_key:${id} ${CLI_SUBJECT}`, `api_key_revoked api_key:${id} ${CLI_SUBJECT}`]);
    expect(JSON.stringify(events)).not.toContain(key.split('_')[2] as string);
    expect((await auditChainCheck(env)).status).toBe('ok');
  }, SLOW);
});

describe('devmesh keys create --expires-in', () => {
  it('refuses a lifetime too long to represent, in one clean line', async () => {
    expect(await refused(adminEnv(), ['keys', 'create', '--name', 'forever', '--role', 'viewer', '--expires-in', '999999999d'])).toMatch(/^devmesh: --expires-in "999999999d"/);
  });

  it('never prints a key that is dead on arrival', async () => {
    const env = adminEnv();
    // 3,000,000 days ends after the year 9999: refuse it, or issue a key that works.
    const far = await cli(env, ['keys', 'create', '--name', 'far', '--role', 'viewer', '--expires-in', '3000000d']);
    if (far.code === 1) {
      expect(expectOneCleanLine(far.stderr)).toMatch(/^devmesh: --expires-in "3000000d"/);
      return;
    }
    expect(far.code, far.stderr).toBe(0);
    const keys = JSON.parse((await ok(env, ['keys', 'list', '--json'])).stdout) as { name: string; status: string; expires_at: string }[];
    expect(keys.find((k) => k.name === 'far')).toMatchObject({ status: 'active' });
  });
});

describe('devmesh rotate-jwt-key', () => {
  it('while serve runs: tokens from before stay valid, and serve signs with the new key within a second or so', async () => {
    const env = adminEnv();
    const s = await serve(env);
    const before = await loggedIn(s.apiUrl, 'admin', ADMIN_PASSWORD);
    const oldKid = kidOf(before.access_token);

    const rotated = await ok(env, ['rotate-jwt-key']);
    const match = /^JWT signing key rotated \(kid ([0-9A-Za-z]+)\); tokens signed before stay valid until (\S+) at the latest\n$/.exec(rotated.stdout);
    expect(match, rotated.stdout).not.toBeNull();
    const newKid = match?.[1] as string;
    expect(newKid).not.toBe(oldKid);
    // Grace of one access-token lifetime (15 min by default), never longer.
    const graceMs = Date.parse(match?.[2] as string) - Date.now();
    expect(graceMs).toBeGreaterThan(14 * 60_000);
    expect(graceMs).toBeLessThanOrEqual(15 * 60_000);

    expect((await whoami(s.apiUrl, before.access_token)).status).toBe(200);

    // serve re-reads the key ring at most once a second: refresh until a token carries the new kid.
    let current = before;
    const deadline = Date.now() + 3000;
    for (;;) {
      const next = await refresh(s.apiUrl, current.refresh_token);
      expect(next.status).toBe(200);
      current = next.tokens as Tokens;
      if (kidOf(current.access_token) === newKid || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(kidOf(current.access_token)).toBe(newKid);
    expect((await whoami(s.apiUrl, current.access_token)).status).toBe(200);
    // And the old key still verifies after serve has switched to the new ring.
    expect((await whoami(s.apiUrl, before.access_token)).status).toBe(200);
    const fresh = await loggedIn(s.apiUrl, 'admin', ADMIN_PASSWORD);
    expect(kidOf(fresh.access_token)).toBe(newKid);
    expect((await whoami(s.apiUrl, fresh.access_token)).status).toBe(200);

    const events = auditEvents(env.DEVMESH_DATA_DIR, ['jwt_key_rotated']);
    expect(events.map((e) => [e.subject, e.metadata?.kid])).toEqual([[CLI_SUBJECT, newKid]]);
    expect((await auditChainCheck(env)).status).toBe('ok');
  }, SLOW);

  it('refuses when the signing key comes from JWT_SECRET, saying where to rotate it', async () => {
    const env = { ...adminEnv(), JWT_SECRET: randomBytes(32).toString('base64') };
    expect(await refused(env, ['rotate-jwt-key'])).toMatch(/^devmesh: the signing key comes from JWT_SECRET, so rotate it there/);
  });
});

describe('devmesh --help', () => {
  it('lists the admin commands', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['users', 'keys', 'tenants', 'rotate-jwt-key']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('explains each admin group with its subcommands', async () => {
    const [users, keys, tenants] = await Promise.all([runCli(['users', '--help']), runCli(['keys', '--help']), runCli(['tenants', '--help'])]);
    for (const sub of ['create', 'list', 'set-role', 'reset-password', 'disable', 'enable']) expect(users.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
    for (const sub of ['create', 'list', 'revoke']) expect(keys.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
    for (const sub of ['create', 'list']) expect(tenants.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
  });
});
