// `devmesh doctor` and `devmesh rotate-master-key` as an operator runs them.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectOneCleanLine, runCli, startServe, type RunningServe } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';
import { LATEST_SCHEMA_VERSION } from '../../src/main/core/storage/migrations/index';

const running: RunningServe[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
});

interface Report {
  ok: boolean;
  checks: { name: string; status: 'ok' | 'warn' | 'fail'; detail: string }[];
}

async function doctor(env: Record<string, string | undefined>): Promise<{ code: number | null; report: Report }> {
  const result = await runCli(['doctor', '--json'], { env });
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

function check(report: Report, name: string) {
  const found = report.checks.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no check ${name} in ${JSON.stringify(report)}`);
  return found;
}

async function serveOnce(env: Record<string, string | undefined>): Promise<void> {
  const s = await startServe({ env });
  expect(await s.stop()).toBe(0);
}

describe('devmesh doctor', () => {
  it('reports a fresh setup: nothing created yet, ports free', async () => {
    const env = { DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64'), MCP_PORT: '0', API_PORT: '0' };
    const { code, report } = await doctor(env);
    expect(code).toBe(0);
    expect(check(report, 'data dir')).toMatchObject({ status: 'warn' });
    expect(check(report, 'database').detail).toMatch(/does not exist yet/);
    expect(check(report, 'master key')).toMatchObject({ status: 'ok' });
    expect(check(report, 'keychain').status).not.toBe('fail');
  });

  it('reports schema version, key check, audit chain, a running mesh and its ports', async () => {
    const dataDir = join(tempDir(), 'data');
    const env = { DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64') };
    const s = await startServe({ env });
    running.push(s);
    const ports = { MCP_PORT: new URL(s.mcpUrl).port, API_PORT: new URL(s.apiUrl).port };
    const { code, report } = await doctor({ ...env, ...ports });
    expect(code).toBe(0);
    expect(check(report, 'data dir')).toMatchObject({ status: 'ok' });
    expect(check(report, 'database').detail).toMatch(new RegExp(`schema ${LATEST_SCHEMA_VERSION} of ${LATEST_SCHEMA_VERSION}, integrity ok`));
    expect(check(report, 'master key').detail).toMatch(/ENCRYPTION_MASTER_KEY; matches the stored key check/);
    expect(check(report, 'audit chain').detail).toMatch(/3 events verified/);
    expect(check(report, 'instance').detail).toContain(`pid ${s.child.pid}`);
    expect(check(report, 'API_PORT').detail).toMatch(/served by the running mesh/);
  });

  it('fails on a wrong master key and a port taken by someone else, changing nothing', async () => {
    const dataDir = join(tempDir(), 'data');
    await serveOnce({ DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64'), MCP_PORT: '0', API_PORT: '0' });
    const other = await startServe({ env: { DEVMESH_DATA_DIR: join(tempDir(), 'other'), ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64') } });
    running.push(other);
    const { code, report } = await doctor({ DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64'), MCP_PORT: new URL(other.mcpUrl).port, API_PORT: '0' });
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(check(report, 'master key')).toMatchObject({ status: 'fail' });
    expect(check(report, 'master key').detail).toMatch(/not the key this data was encrypted with/);
    expect(check(report, 'MCP_PORT')).toMatchObject({ status: 'fail' });
    expect(check(report, 'MCP_PORT').detail).toMatch(/in use by another program/);
  });

  it('reports what TLS would serve, certificates expiring, and that OCSP stapling is off with a local CA', async () => {
    const env = { DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64'), MCP_PORT: '0', API_PORT: '0' };
    const plain = await doctor(env);
    expect(check(plain.report, 'api TLS')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^off/) });
    const noCert = await doctor({ ...env, API_TLS_ENABLED: 'true' });
    expect(noCert.code).toBe(1);
    expect(check(noCert.report, 'api TLS')).toMatchObject({ status: 'fail', detail: expect.stringContaining('devmesh certs use') });

    expect((await runCli(['certs', 'ca', 'create', '--cn', 'Doctor CA', '--key-size', '2048'], { env })).code).toBe(0);
    const issued = await runCli(['certs', 'issue', 'server', '--san', 'localhost', '--days', '20', '--json'], { env });
    expect(issued.code, issued.stderr).toBe(0);
    const serial = (JSON.parse(issued.stdout) as { serial: string }).serial;
    expect((await runCli(['certs', 'use', serial, '--server', 'api'], { env })).code).toBe(0);
    const { code, report } = await doctor({ ...env, API_TLS_ENABLED: 'true' });
    expect(code).toBe(0);
    expect(check(report, 'api TLS')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`mesh certificate ${serial.slice(0, 12)}`) });
    expect(check(report, 'api TLS').detail).toMatch(/OCSP stapling off \(a local CA has no OCSP responder/);
    expect(check(report, 'certificates')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/expiring within 30 days: server/) });
  }, 120_000);

  it('prints a readable report without --json', async () => {
    const result = await runCli(['doctor'], { env: { DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64'), MCP_PORT: '0', API_PORT: '0' } });
    expect(result.stdout).toMatch(/^Developer Mesh Console doctor\n/);
    expect(result.stdout).toMatch(/✓ master key/);
  });
});

describe('devmesh rotate-master-key', () => {
  it('with ENCRYPTION_MASTER_KEY, requires the new key on stdin, then only the new key opens the data', async () => {
    const dataDir = join(tempDir(), 'data');
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('hex');
    const env = { DEVMESH_DATA_DIR: dataDir, MCP_PORT: '0', API_PORT: '0' };
    await serveOnce({ ...env, ENCRYPTION_MASTER_KEY: oldKey });

    const refused = await runCli(['rotate-master-key'], { env: { ...env, ENCRYPTION_MASTER_KEY: oldKey } });
    expect(refused.code).toBe(1);
    expect(expectOneCleanLine(refused.stderr)).toMatch(/--new-key-stdin/);

    const weak = await runCli(['rotate-master-key', '--new-key-stdin'], { env: { ...env, ENCRYPTION_MASTER_KEY: oldKey }, input: 'too-short\n' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/ENCRYPTION_MASTER_KEY|bytes|hex nor base64/);

    const rotated = await runCli(['rotate-master-key', '--new-key-stdin'], { env: { ...env, ENCRYPTION_MASTER_KEY: oldKey }, input: `${newKey}\n` });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/master key rotated to version 2/);
    expect(rotated.stdout).toMatch(/now set ENCRYPTION_MASTER_KEY/);

    const withOld = await runCli(['serve'], { env: { ...env, ENCRYPTION_MASTER_KEY: oldKey } });
    expect(withOld.code).toBe(1);
    expect(withOld.stderr).toMatch(/not the key this data was encrypted with/);
    const withNew = await startServe({ env: { ...env, ENCRYPTION_MASTER_KEY: newKey } });
    running.push(withNew);
    expect(withNew.readyLine.master_key).toBe('env');
  });

  it('refuses while the mesh is running', async () => {
    const env = { DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64') };
    const s = await startServe({ env });
    running.push(s);
    const result = await runCli(['rotate-master-key', '--new-key-stdin'], { env, input: randomBytes(32).toString('base64') });
    expect(result.code).toBe(1);
    expect(expectOneCleanLine(result.stderr)).toMatch(/stop it before rotating the master key/);
  });
});
