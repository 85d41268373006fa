// `devmesh connect <client>` as a user runs it: a key per client, created once and then reused, the snippet on stdout, the key once on stderr.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createOsKeychain } from '../../src/main/core/keychain/keychain';
import { BRIDGE_KEY_ACCOUNT } from '../../src/shared/mcp-clients';
import { auditEvents, CLI_SUBJECT, meshEnv, ok, refused, serve, SLOW, stopServes, type Env } from '../helpers/cli-mesh';
import { osKeychainStatus } from '../helpers/os-keychain';

afterEach(stopServes);

const URL = 'http://127.0.0.1:8080/mcp';
const RAW_KEY = /dmk_[0-9A-Za-z]{16}_[0-9A-Za-z]{43}/;
const KEY_LINE = /^DEVMESH_API_KEY=(dmk_[0-9A-Za-z]{16}_[0-9A-Za-z]{43})$/m;
const BIN = realpathSync(fileURLToPath(new globalThis.URL('../../bin/devmesh.js', import.meta.url)));

interface KeyRow {
  id: string;
  name: string;
  role: string;
  status: string;
  expires_at: string | null;
}

interface ConnectJson {
  client: string;
  key_id: string;
  key_name: string;
  role: string;
  key_created: boolean;
  key_in_keychain: boolean;
  api_key?: string;
  url: string;
  file: string;
  snippet: string;
  steps: string[];
}

async function keys(env: Env): Promise<KeyRow[]> {
  return JSON.parse((await ok(env, ['keys', 'list', '--json'])).stdout) as KeyRow[];
}

async function connectJson(env: Env, args: string[]): Promise<ConnectJson> {
  return JSON.parse((await ok(env, ['connect', ...args, '--json'])).stdout) as ConnectJson;
}

describe('devmesh connect', () => {
  it('creates a user key for the client, shows it once, reuses it on the next run, and the key works against a running mesh', async () => {
    const env = meshEnv();
    const s = await serve(env);

    const first = await ok(env, ['connect', 'cursor']);
    // stdout is the config alone, so `> mcp.json` works; the key is on stderr, on a line of its own, and nowhere else.
    expect(JSON.parse(first.stdout)).toEqual({ mcpServers: { devmesh: { url: URL, headers: { Authorization: 'Bearer ${env:DEVMESH_API_KEY}' } } } });
    expect(first.stdout).not.toMatch(RAW_KEY);
    const key = KEY_LINE.exec(first.stderr)?.[1];
    expect(key, first.stderr).toBeDefined();
    expect(first.stderr.match(new RegExp(RAW_KEY.source, 'g'))).toHaveLength(1);
    expect(first.stderr).toContain('~/.cursor/mcp.json');

    const [created] = await keys(env);
    expect(await keys(env)).toHaveLength(1);
    expect(created).toMatchObject({ name: 'mcp-cursor', role: 'user', status: 'active', expires_at: null });
    expect(key?.startsWith(`dmk_${created?.id}_`)).toBe(true);

    // The mesh accepts the key at once (connect ran beside serve, on the same data).
    const whoami = await fetch(`${s.apiUrl}/api/v1/whoami`, { headers: { authorization: `Bearer ${key}` } });
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({ role: 'user' });

    const second = await ok(env, ['connect', 'cursor']);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).not.toMatch(RAW_KEY);
    expect(second.stderr).toContain(`Reusing API key ${created?.id} "mcp-cursor"`);
    expect(second.stderr).toContain(`devmesh keys revoke ${created?.id}, then run devmesh connect cursor again`);
    const again = await connectJson(env, ['cursor']);
    expect(again).toMatchObject({ client: 'cursor', key_id: created?.id, key_created: false, url: URL, file: '~/.cursor/mcp.json' });
    expect(again).not.toHaveProperty('api_key');
    expect(await keys(env)).toHaveLength(1);

    const events = auditEvents(env.DEVMESH_DATA_DIR, ['api_key_created']);
    expect(events.map((e) => ({ subject: e.subject, resource: e.resource, metadata: e.metadata }))).toEqual([
      { subject: CLI_SUBJECT, resource: `api_key:${created?.id}`, metadata: { name: 'mcp-cursor', role: 'user', expires_at: null, client: 'cursor' } },
    ]);

    // A revoked key is not reused: the next run makes a new one.
    await ok(env, ['keys', 'revoke', created?.id ?? '']);
    const fresh = await connectJson(env, ['cursor']);
    expect(fresh.key_created).toBe(true);
    expect(fresh.key_id).not.toBe(created?.id);
    expect(fresh.api_key?.startsWith(`dmk_${fresh.key_id}_`)).toBe(true);
  }, SLOW);

  it('takes --key-name, --role and --expires-in for a new key, and refuses bad input without creating anything', async () => {
    const env = meshEnv();
    const made = await connectJson(env, ['claude-code', '--key-name', 'claude on laptop', '--role', 'viewer', '--expires-in', '90d']);
    expect(made).toMatchObject({ client: 'claude-code', key_name: 'claude on laptop', role: 'viewer', key_created: true, key_in_keychain: false, url: URL, file: '~/.claude.json' });
    expect(made.api_key).toMatch(RAW_KEY);
    expect(made.snippet).toBe(`claude mcp add --transport http --scope user devmesh ${URL} --header "Authorization: Bearer $DEVMESH_API_KEY"`);
    expect(made.snippet).not.toMatch(RAW_KEY);

    const [row] = await keys(env);
    expect(row).toMatchObject({ id: made.key_id, name: 'claude on laptop', role: 'viewer', status: 'active' });
    const days = (Date.parse(row?.expires_at ?? '') - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);

    // None of these writes anything, so they can run side by side.
    const [unknownClient, unknownRole, otherRole, badLifetime, badName, ephemeralPort] = await Promise.all([
      refused(env, ['connect', 'windsurf']),
      refused(env, ['connect', 'vscode', '--role', 'nosuch']),
      refused(env, ['connect', 'claude-code', '--key-name', 'claude on laptop', '--role', 'admin']),
      refused(env, ['connect', 'vscode', '--expires-in', 'soon']),
      refused(env, ['connect', 'vscode', '--key-name', ' ']),
      refused({ ...env, MCP_PORT: '0' }, ['connect', 'vscode']),
    ]);
    expect(unknownClient).toBe('devmesh: unknown client "windsurf"; use one of claude-code, cursor, vscode, claude-desktop');
    expect(unknownRole).toMatch(/^devmesh: role "nosuch" does not exist; use one of .*admin.*user.*viewer/);
    expect(otherRole).toBe(`devmesh: API key "claude on laptop" (${made.key_id}) already exists with role viewer; revoke it first (devmesh keys revoke ${made.key_id}) or pick another --key-name`);
    expect(badLifetime).toMatch(/^devmesh: --expires-in "soon" must be a duration/);
    expect(badName).toBe('devmesh: --key-name must be 1 to 100 characters');
    expect(ephemeralPort).toMatch(/^devmesh: MCP_PORT=0 picks a different free port/);
    expect((await keys(env)).map((k) => k.id)).toEqual([made.key_id]);
    expect(auditEvents(env.DEVMESH_DATA_DIR, ['api_key_created'])).toHaveLength(1);
  }, SLOW);

  it('builds the URL from DEVMESH_HOST and MCP_PORT as serve reads them, IPv6 in brackets', async () => {
    const env = meshEnv({ DEVMESH_HOST: '::1', MCP_PORT: '9123' });
    const setup = await connectJson(env, ['vscode']);
    expect(setup.url).toBe('http://[::1]:9123/mcp');
    expect(JSON.parse(setup.snippet)).toMatchObject({ servers: { devmesh: { type: 'http', url: 'http://[::1]:9123/mcp' } } });
  }, SLOW);
});

describe.runIf(process.platform === 'linux')('devmesh connect claude-desktop without a keychain', () => {
  it('prints the key with the DEVMESH_API_KEY instruction instead of storing it', async () => {
    // No reachable Secret Service for this command only (the master key comes from ENCRYPTION_MASTER_KEY).
    const env = meshEnv({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/devmesh-test-bus' });
    const result = await ok(env, ['connect', 'claude-desktop']);
    expect(JSON.parse(result.stdout)).toEqual({ mcpServers: { devmesh: { command: process.execPath, args: [BIN, 'mcp-bridge', '--url', URL] } } });
    expect(result.stderr).toMatch(/Could not store the key in the OS keychain \(.+\); give it to the bridge through DEVMESH_API_KEY instead\./);
    expect(result.stderr).toMatch(KEY_LINE);

    const json = await connectJson(env, ['claude-desktop', '--key-name', 'desktop 2']);
    expect(json).toMatchObject({ key_created: true, key_in_keychain: false });
    expect(json.api_key).toMatch(RAW_KEY);
  }, SLOW);
});

const keychain = osKeychainStatus();

// Writes the bridge's real keychain entry, so only inside `npm test`'s throwaway keyring, never a developer's own.
describe.runIf(keychain.available && process.env.DEVMESH_TEST_KEYRING === 'isolated')('devmesh connect claude-desktop with the OS keychain', () => {
  it('stores the new key in the keychain for the bridge without showing it, and says so when reusing it', async () => {
    const env = meshEnv();
    const store = createOsKeychain();
    store.delete(BRIDGE_KEY_ACCOUNT);
    try {
      const first = await ok(env, ['connect', 'claude-desktop']);
      expect(`${first.stdout}${first.stderr}`).not.toMatch(RAW_KEY);
      expect(first.stderr).toContain('stored it in the OS keychain for the bridge; it is not shown');
      const [row] = await keys(env);
      expect(store.get(BRIDGE_KEY_ACCOUNT)?.startsWith(`dmk_${row?.id}_`)).toBe(true);

      const second = await connectJson(env, ['claude-desktop']);
      expect(second).toMatchObject({ key_id: row?.id, key_created: false, key_in_keychain: true });
      expect(second).not.toHaveProperty('api_key');
    } finally {
      store.delete(BRIDGE_KEY_ACCOUNT);
    }
  }, SLOW);
});
