// `devmesh lockdown`, `devmesh block-ip` and `devmesh unblock-ip` as an operator runs them during an incident: real child processes next to a running `devmesh serve`.
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, auditEvents, CLI_SUBJECT, loggedIn, login, meshEnv, ok, post, refused, serve, SLOW, stopServes } from '../helpers/cli-mesh';

afterEach(stopServes);

const ALICE_PASSWORD = 'correct horse battery staple';

async function status(res: Promise<Response>): Promise<number> {
  const r = await res;
  await r.body?.cancel();
  return r.status;
}

function whoami(apiUrl: string, credential: string): Promise<number> {
  return status(fetch(`${apiUrl}/api/v1/whoami`, { headers: { authorization: `Bearer ${credential}` } }));
}

/** GET /health as seen from `ip` through the trusted proxy 127.0.0.1 (serve runs with TRUST_PROXY=127.0.0.1). */
async function healthFrom(url: string, ip: string): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(`${url}/health`, { headers: { 'x-forwarded-for': ip } });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code };
}

describe('devmesh lockdown while serve runs', () => {
  it('--yes: an API key and a login token that worked before get 401 from the running serve; new logins work', async () => {
    const env = meshEnv();
    const s = await serve(env);
    const key = (await ok(env, ['keys', 'create', '--name', 'ci', '--role', 'viewer'])).stdout.trimEnd();
    const before = await loggedIn(s.apiUrl, 'admin', ADMIN_PASSWORD);
    expect(await whoami(s.apiUrl, key)).toBe(200);
    expect(await whoami(s.apiUrl, before.access_token)).toBe(200);

    const result = await ok(env, ['lockdown', '--yes']);
    expect(result.stdout).toMatch(/^lockdown: 1 API keys? and 1 sessions? revoked; every access token is now invalid\n$/);

    // The very next request, served by the other process.
    expect(await whoami(s.apiUrl, key)).toBe(401);
    expect(await whoami(s.apiUrl, before.access_token)).toBe(401);
    expect(await status(post(`${s.apiUrl}/api/v1/auth/refresh`, { refresh_token: before.refresh_token }))).toBe(401);

    const after = await loggedIn(s.apiUrl, 'admin', ADMIN_PASSWORD);
    expect(await whoami(s.apiUrl, after.access_token)).toBe(200);

    const [event, ...more] = auditEvents(env.DEVMESH_DATA_DIR, ['lockdown']);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ subject: CLI_SUBJECT, resource: 'mesh', result: 'success', metadata: { admins_only: false, signing_key_rotated: true } });
  }, SLOW);

  it('--admins-only: afterwards only admins can log in', async () => {
    const env = meshEnv();
    const s = await serve(env);
    await ok(env, ['users', 'create', 'alice', '--role', 'user', '--password-stdin'], `${ALICE_PASSWORD}\n`);
    expect((await login(s.apiUrl, 'alice', ALICE_PASSWORD)).status).toBe(200);

    const result = await ok(env, ['lockdown', '--yes', '--admins-only']);
    expect(result.stdout).toMatch(/; only admins can log in\n$/);
    expect((await login(s.apiUrl, 'alice', ALICE_PASSWORD)).status).toBe(403);
    await loggedIn(s.apiUrl, 'admin', ADMIN_PASSWORD);
  }, SLOW);

  it('without --yes and without a terminal, refuses in one clean line and changes nothing', async () => {
    const env = meshEnv();
    const s = await serve(env);
    const key = (await ok(env, ['keys', 'create', '--name', 'ci', '--role', 'viewer'])).stdout.trimEnd();
    const session = await loggedIn(s.apiUrl, 'admin', ADMIN_PASSWORD);

    // stdin is a pipe, not a terminal: even a "y" on it is no confirmation.
    const line = await refused(env, ['lockdown'], 'y\n');
    expect(line).toBe('devmesh: lockdown needs confirmation: run it at a terminal, or add --yes');

    expect(await whoami(s.apiUrl, key)).toBe(200);
    expect(await whoami(s.apiUrl, session.access_token)).toBe(200);
    expect(await status(post(`${s.apiUrl}/api/v1/auth/refresh`, { refresh_token: session.refresh_token }))).toBe(200);
    expect(auditEvents(env.DEVMESH_DATA_DIR, ['lockdown'])).toEqual([]);
  }, SLOW);
});

describe('devmesh block-ip and unblock-ip while serve runs', () => {
  it('blocks a range for the running serve, lists it, and lifts it', async () => {
    const env = meshEnv({ TRUST_PROXY: '127.0.0.1' });
    const s = await serve(env);
    expect(await healthFrom(s.apiUrl, '10.1.2.3')).toEqual({ status: 200, code: undefined });

    expect((await ok(env, ['block-ip', '10.0.0.0/8', '--reason', 'test'])).stdout).toBe('blocked 10.0.0.0/8\n');
    expect(await healthFrom(s.apiUrl, '10.1.2.3')).toEqual({ status: 403, code: 'IP_BLOCKED' });
    expect(await healthFrom(s.mcpUrl, '10.200.0.1')).toEqual({ status: 403, code: 'IP_BLOCKED' });
    expect(await healthFrom(s.apiUrl, '192.168.1.1')).toEqual({ status: 200, code: undefined });

    const table = await ok(env, ['unblock-ip']);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^CIDR\s+REASON\s+CREATED_BY\s+CREATED_AT$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 3))).toEqual([['10.0.0.0/8', 'test', CLI_SUBJECT]]);
    const json = JSON.parse((await ok(env, ['unblock-ip', '--json'])).stdout) as Record<string, unknown>[];
    expect(json).toEqual([{ cidr: '10.0.0.0/8', reason: 'test', created_by: CLI_SUBJECT, created_at: expect.any(String) }]);
    // Listing changed nothing.
    expect((await healthFrom(s.apiUrl, '10.1.2.3')).status).toBe(403);

    expect((await ok(env, ['unblock-ip', '10.0.0.0/8'])).stdout).toBe('unblocked 10.0.0.0/8\n');
    expect(await healthFrom(s.apiUrl, '10.1.2.3')).toEqual({ status: 200, code: undefined });
    expect((await ok(env, ['unblock-ip'])).stdout).toBe('(none)\n');
    expect(await refused(env, ['unblock-ip', '10.0.0.0/8'])).toBe('devmesh: 10.0.0.0/8 is not blocked; see `devmesh unblock-ip` for the list');

    const events = auditEvents(env.DEVMESH_DATA_DIR, ['ip_block_added', 'ip_block_removed', 'ip_blocked']);
    expect(events.map((e) => `${e.event_type} ${e.resource} ${e.subject}`)).toEqual([
      `ip_block_added ip:10.0.0.0/8 ${CLI_SUBJECT}`,
      'ip_blocked rate_limit:blocked ip:10.1.2.3',
      'ip_blocked rate_limit:blocked ip:10.200.0.1',
      `ip_block_removed ip:10.0.0.0/8 ${CLI_SUBJECT}`,
    ]);
    expect(events[0]?.metadata).toEqual({ cidr: '10.0.0.0/8', reason: 'test' });
  }, SLOW);

  it('refuses a bad address or range in one clean line and blocks nothing', async () => {
    const env = meshEnv();
    // The first command creates the data dir; the others, which write nothing, can then run side by side.
    const word = await refused(env, ['block-ip', 'not-a-cidr', '--reason', 'test']);
    const [tooWide, badOctet, unblockWord] = await Promise.all([
      refused(env, ['block-ip', '10.0.0.0/33']),
      refused(env, ['block-ip', '300.1.2.3']),
      refused(env, ['unblock-ip', 'not-a-cidr']),
    ]);
    expect(word).toBe('devmesh: "not-a-cidr" is not an IP address or CIDR range (e.g. 203.0.113.7 or 203.0.113.0/24)');
    expect(tooWide).toMatch(/^devmesh: "10\.0\.0\.0\/33" is not an IP address or CIDR range/);
    expect(badOctet).toMatch(/^devmesh: "300\.1\.2\.3" is not an IP address or CIDR range/);
    expect(unblockWord).toMatch(/^devmesh: "not-a-cidr" is not an IP address or CIDR range/);
    expect((await ok(env, ['unblock-ip'])).stdout).toBe('(none)\n');
    expect(auditEvents(env.DEVMESH_DATA_DIR, ['ip_block_added'])).toEqual([]);
  }, SLOW);
});
