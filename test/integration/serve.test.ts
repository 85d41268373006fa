// `devmesh serve` as a user runs it: start, health, graceful stop, and every start-up failure as one clear line with data untouched.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditService } from '../../src/main/core/audit/audit-service';
import { openStorage } from '../../src/main/core/storage/database';
import { cleanEnv, expectOneCleanLine, rawGet, runCli } from '../helpers/cli';
import { serve, stopped, stopServes } from '../helpers/cli-mesh';
import { osKeychainStatus } from '../helpers/os-keychain';
import { tempDir } from '../helpers/temp-dir';

afterEach(stopServes);

function key(): string {
  return randomBytes(32).toString('base64');
}

/**
 * A fingerprint of the data in the data dir, to prove a failed start changed nothing. SQLite's shared-memory index
 * (-shm) and an empty write-ahead log are bookkeeping a read-only look at a WAL database may leave; they hold no data.
 */
function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    const bytes = readFileSync(join(dir, name));
    if (name === 'devmesh.lock' || name.endsWith('-shm') || (name.endsWith('-wal') && bytes.length === 0)) continue;
    hash.update(name).update(bytes);
  }
  return hash.digest('hex');
}

function healthOf(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return rawGet(`${url}/health`, headers);
}

describe('devmesh serve', () => {
  it('starts both servers, prints one ready line naming both URLs, and shuts down gracefully on SIGINT', async () => {
    const dataDir = join(tempDir(), 'data');
    const s = await serve({ DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: key() });
    expect(s.mcpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(String(s.readyLine.msg)).toContain(s.mcpUrl);
    expect(String(s.readyLine.msg)).toContain(s.apiUrl);
    expect(await healthOf(s.mcpUrl)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await healthOf(s.apiUrl)).toEqual({ status: 200, body: { status: 'ok' } });

    expect(await stopped(s)).toBe(0);
    const { stdout } = s.output();
    const events = stdout.split('\n').filter((l) => l.includes('audit_event')).map((l) => JSON.parse(l) as { event_type: string; resource: string });
    expect(events.map((e) => `${e.event_type} ${e.resource}`)).toEqual([
      'user_created user:admin', // first run: the initial admin
      'server_started server:mcp',
      'server_started server:api',
      'server_stopped server:mcp',
      'server_stopped server:api',
    ]);
    expect(existsSync(join(dataDir, 'devmesh.lock'))).toBe(false);

    // Everything appended before the clean shutdown is on disk, and the chain holds.
    const storage = openStorage({ file: join(dataDir, 'devmesh.db'), readOnly: true });
    const verify = createAuditService({ db: storage.db }).verify();
    storage.close();
    expect(verify).toEqual({ ok: true, checked: 5, first_bad_seq: null });
  });

  it('shuts down gracefully on SIGTERM too, and starts again on the same data', async () => {
    const env = { DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: key() };
    expect(await stopped(await serve(env), 'SIGTERM')).toBe(0);
    const again = await serve(env);
    expect((await healthOf(again.apiUrl)).status).toBe(200);
    expect(await stopped(again)).toBe(0);
  });

  it('refuses a foreign Host header and a foreign Origin on both listeners', async () => {
    const s = await serve({ DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: key() });
    for (const url of [s.mcpUrl, s.apiUrl]) {
      const rebinding = await healthOf(url, { host: 'attacker.example' });
      expect(rebinding.status).toBe(421);
      expect(rebinding.body).toMatchObject({ error: { code: 'HOST_NOT_ALLOWED' } });
      const crossSite = await healthOf(url, { origin: 'https://attacker.example' });
      expect(crossSite.status).toBe(403);
    }
  });

  it('answers an unknown route with a JSON 404 in the error shape', async () => {
    const s = await serve({ DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: key() });
    const response = await fetch(`${s.apiUrl}/nope`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; trace_id: string } };
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.trace_id).toBe(response.headers.get('x-trace-id'));
  });
});

describe('devmesh serve refuses to start, in one clear line, leaving data untouched', () => {
  it('when a second instance uses the same data dir', async () => {
    const env = { DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: key() };
    const first = await serve(env);
    const second = await runCli(['serve'], { env: { ...env, MCP_PORT: '0', API_PORT: '0' } });
    expect(second.code).not.toBe(0);
    expect(expectOneCleanLine(second.stderr)).toMatch(new RegExp(`another Developer Mesh instance \\(pid ${first.child.pid}\\) is already using`));
    expect((await healthOf(first.apiUrl)).status).toBe(200);
  });

  it('when a port is busy, naming the port and its variable', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dataDir = join(tempDir(), 'data');
      const result = await runCli(['serve'], { env: { DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: key(), MCP_PORT: '0', API_PORT: String(port) } });
      expect(result.code).toBe(1);
      expect(expectOneCleanLine(result.stderr)).toBe(`devmesh: port ${port} (API_PORT) is already in use on 127.0.0.1; stop the program using it or set API_PORT to a free port`);
      expect(existsSync(join(dataDir, 'devmesh.lock'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('with a wrong master key', async () => {
    const dataDir = join(tempDir(), 'data');
    const right = key();
    const s = await serve({ DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: right });
    expect(await stopped(s)).toBe(0);
    const before = fingerprint(dataDir);
    const result = await runCli(['serve'], { env: { DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: key(), MCP_PORT: '0', API_PORT: '0' } });
    expect(result.code).toBe(1);
    expect(expectOneCleanLine(result.stderr)).toMatch(/master key from ENCRYPTION_MASTER_KEY is not the key this data was encrypted with; nothing was changed/);
    expect(fingerprint(dataDir)).toBe(before);
  });

  it('with a weak master key, creating nothing', async () => {
    const dataDir = join(tempDir(), 'data');
    for (const weak of ['password123', randomBytes(16).toString('base64'), '00'.repeat(32)]) {
      const result = await runCli(['serve'], { env: { DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: weak, MCP_PORT: '0', API_PORT: '0' } });
      expect(result.code).toBe(1);
      expect(expectOneCleanLine(result.stderr)).toMatch(/ENCRYPTION_MASTER_KEY.*openssl rand -base64 32/);
    }
    expect(existsSync(join(dataDir, 'devmesh.db'))).toBe(false);
  });

  it('with neither a keychain nor ENCRYPTION_MASTER_KEY, explaining both fixes', async () => {
    const dataDir = join(tempDir(), 'data');
    const result = await runCli(['serve'], { env: { DEVMESH_DATA_DIR: dataDir, MCP_PORT: '0', API_PORT: '0', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', DISPLAY: undefined } });
    expect(result.code).toBe(1);
    const line = expectOneCleanLine(result.stderr);
    expect(line).toMatch(/no master key/);
    expect(line).toMatch(/keychain/);
    expect(line).toMatch(/ENCRYPTION_MASTER_KEY=\$\(openssl rand -base64 32\)/);
    expect(existsSync(join(dataDir, 'devmesh.db'))).toBe(false);
  });

  it('with a corrupt database file', async () => {
    const dataDir = join(tempDir(), 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'devmesh.db'), randomBytes(8192));
    const before = fingerprint(dataDir);
    const result = await runCli(['serve'], { env: { DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: key(), MCP_PORT: '0', API_PORT: '0' } });
    expect(result.code).toBe(1);
    expect(expectOneCleanLine(result.stderr)).toMatch(/is not a readable Developer Mesh database.*nothing was changed/);
    expect(fingerprint(dataDir)).toBe(before);
  });

  it("with another program's SQLite database", async () => {
    const dataDir = join(tempDir(), 'data');
    mkdirSync(dataDir);
    const foreign = new Database(join(dataDir, 'devmesh.db'));
    foreign.exec("CREATE TABLE photos (path TEXT); INSERT INTO photos VALUES ('a.jpg')");
    foreign.close();
    const before = fingerprint(dataDir);
    const result = await runCli(['serve'], { env: { DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: key(), MCP_PORT: '0', API_PORT: '0' } });
    expect(result.code).toBe(1);
    expect(expectOneCleanLine(result.stderr)).toMatch(/SQLite database of another program/);
    expect(fingerprint(dataDir)).toBe(before);
  });

  it('with a database written by a newer version', async () => {
    const dataDir = join(tempDir(), 'data');
    const env = { DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: key() };
    expect(await stopped(await serve(env))).toBe(0);
    const db = new Database(join(dataDir, 'devmesh.db'));
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'from-the-future', 'later')").run();
    db.close();
    const before = fingerprint(dataDir);
    const result = await runCli(['serve'], { env: { ...env, MCP_PORT: '0', API_PORT: '0' } });
    expect(result.code).toBe(1);
    expect(expectOneCleanLine(result.stderr)).toMatch(/newer Developer Mesh Console \(schema 99.*read-only.*cannot serve/);
    expect(fingerprint(dataDir)).toBe(before);
  });

  it('when the data dir is a file', async () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const result = await runCli(['serve'], { env: { DEVMESH_DATA_DIR: file, ENCRYPTION_MASTER_KEY: key() } });
    expect(result.code).toBe(1);
    expect(expectOneCleanLine(result.stderr)).toMatch(/data directory .* is not a folder; .*DEVMESH_DATA_DIR/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('when the data dir is not readable by the user', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'keep.txt'), 'precious');
    chmodSync(dataDir, 0o000);
    // root reads everything, so as root run the CLI as an unprivileged user.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const home = join(root, 'home');
    mkdirSync(home);
    if (process.getuid?.() === 0) chownSync(home, 65534, 65534);
    chmodSync(root, 0o755);
    try {
      const result = await runCli(['serve'], { env: { DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: key(), HOME: home }, ...asNobody });
      expect(result.code).toBe(1);
      expect(expectOneCleanLine(result.stderr)).toMatch(/data directory .* is not readable and writable by this user/);
    } finally {
      chmodSync(dataDir, 0o700);
    }
    expect(readFileSync(join(dataDir, 'keep.txt'), 'utf8')).toBe('precious');
  });

  it('with an invalid variable, naming it and the fix', async () => {
    const result = await runCli(['serve'], { env: { API_PORT: 'eighty-eighty', ENCRYPTION_MASTER_KEY: key() } });
    expect(result.code).toBe(1);
    expect(expectOneCleanLine(result.stderr)).toMatch(/API_PORT="eighty-eighty" is not a port; use a whole number from 1 to 65535/);
  });
});

const keychain = osKeychainStatus();

describe.runIf(keychain.available)('devmesh serve with the OS keychain', () => {
  it('creates the master key in the keychain on first run and uses it on the next', async () => {
    const env = { DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: undefined };
    const first = await serve(env);
    expect(first.readyLine.master_key).toBe('keychain');
    expect(await stopped(first)).toBe(0);
    const created = first.output().stdout.split('\n').filter((l) => l.includes('"master_key_created"'));
    expect(created).toHaveLength(1);

    const second = await serve(env);
    expect(second.readyLine.master_key).toBe('keychain');
    expect(second.output().stdout).not.toContain('master_key_created');
    expect(await stopped(second)).toBe(0);
  });
});

describe('devmesh --help', () => {
  it('lists the commands', async () => {
    const result = await runCli(['--help'], { env: cleanEnv() });
    expect(result.code).toBe(0);
    for (const command of ['serve', 'doctor', 'rotate-master-key']) expect(result.stdout).toContain(command);
  });

  it('reports an unknown command without a stack trace', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
