// Start-up settings saved from the console, as `devmesh serve` and `devmesh doctor` see them: serve starts with them over the environment and says so, doctor names each override and checks the port that will be used.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/main/config';
import { openCore } from '../../../src/main/core/open-core';
import { createServices } from '../../../src/main/core/services';
import { runCli, startServe, type RunningServe } from '../../helpers/cli';
import { createMemoryKeychain } from '../../helpers/memory-keychain';
import { tempDir } from '../../helpers/temp-dir';
import { freePort } from '../../helpers/ports';

const running: RunningServe[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
});


/** What the Settings page does while the mesh runs: store a start-up setting (here with the mesh stopped, over the same data). */
async function saveFromConsole(env: Record<string, string>, changes: Record<string, unknown>): Promise<void> {
  const core = openCore(loadConfig({ env, dotenv: false }), { keychain: createMemoryKeychain() });
  const services = createServices(core);
  try {
    services.settings.update(changes, 'console:test');
  } finally {
    services.close();
    await core.close();
  }
}

describe('console start-up settings at the next start', () => {
  it('doctor names the override and checks the console port; serve listens there and logs that it overrides API_PORT', async () => {
    const env = { DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64'), MCP_PORT: '0', API_PORT: '0' };
    const first = await startServe({ env });
    expect(await first.stop()).toBe(0);
    const port = await freePort();
    await saveFromConsole(env, { 'network.api_port': port });

    const doctor = await runCli(['doctor', '--json'], { env });
    const report = JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string }[] };
    expect(report.checks.find((c) => c.name === 'console settings')).toMatchObject({ status: 'warn', detail: expect.stringContaining(`API_PORT=0 is overridden by the console setting network.api_port=${port}`) });
    expect(report.checks.find((c) => c.name === 'network.api_port')).toMatchObject({ status: 'ok', detail: `${port} is free on 127.0.0.1` });

    const serve = await startServe({ env });
    running.push(serve);
    expect(serve.apiUrl).toBe(`http://127.0.0.1:${port}`);
    expect(serve.output().stderr).toContain(`API_PORT=0 is overridden by the console setting network.api_port=${port}`);
  }, 60_000);
});

describe('devmesh settings', () => {
  it('lists where each setting comes from, and reset puts a console value back to the environment (audited)', async () => {
    const env = { DEVMESH_DATA_DIR: join(tempDir(), 'data'), ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64'), MCP_PORT: '0', API_PORT: '0' };
    await saveFromConsole(env, { 'network.api_port': 9999, 'cors.allowed_origins': ['http://localhost:5173'] });
    const listed = await runCli(['settings', '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as { key: string; value: unknown; source: string; variable: string | null; applies: string }[];
    expect(rows.find((r) => r.key === 'network.api_port')).toMatchObject({ value: 9999, source: 'console', variable: 'API_PORT', applies: 'next start' });
    expect(rows.find((r) => r.key === 'cors.allowed_origins')).toMatchObject({ value: ['http://localhost:5173'], source: 'console', applies: 'live' });
    expect(rows.find((r) => r.key === 'rate_limit.ip_rps')).toMatchObject({ source: 'environment', variable: 'RATE_LIMIT_IP_RPS' });

    const reset = await runCli(['settings', 'reset', 'network.api_port'], { env });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toBe('network.api_port = 0 (from the environment)\n');
    const unknown = await runCli(['settings', 'reset', 'network.nope'], { env });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown setting "network.nope"');
    const after = JSON.parse((await runCli(['settings', '--json'], { env })).stdout) as { key: string; source: string }[];
    expect(after.filter((r) => r.source === 'console').map((r) => r.key)).toEqual(['cors.allowed_origins']);
  }, 60_000);
});
