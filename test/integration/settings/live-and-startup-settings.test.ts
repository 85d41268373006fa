// Settings over a real mesh: a CORS origin saved while serving is accepted by the next request of both servers (HTTP and WebSocket) with no restart, start-up settings wait for the next start and then win over the environment, TLS is refused without a certificate — all audited.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MeshConfig } from '../../../src/main/config';
import { localOperator } from '../../../src/main/core/auth/local-operator';
import { changeSettingsAudited } from '../../../src/main/core/settings/change-settings';
import { dispatchIpc } from '../../../src/main/ipc/dispatch';
import { NO_SAVE_DIALOG } from '../../../src/main/ipc/console-host';
import { createIpcHandlers } from '../../../src/main/ipc/handlers';
import { startMesh, type Mesh } from '../../../src/main/mesh';
import { testConfig } from '../../helpers/config';
import { createMemoryKeychain } from '../../helpers/memory-keychain';
import { ADMIN_PASSWORD, startTestMesh } from '../../helpers/mesh';
import { bearer } from '../../helpers/mcp-client';
import { tempDir } from '../../helpers/temp-dir';
import { freePort } from '../../helpers/ports';

const ORIGIN = 'http://localhost:5173';
const operator = localOperator('console');
const ipc = createIpcHandlers(NO_SAVE_DIALOG);

const started: Mesh[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.stop()));
});

async function withOrigin(url: string, origin = ORIGIN): Promise<{ status: number; allowOrigin: string | null }> {
  const response = await fetch(url, { headers: { origin } });
  await response.arrayBuffer();
  return { status: response.status, allowOrigin: response.headers.get('access-control-allow-origin') };
}

function upgrade(mcpUrl: string, headers: Record<string, string>): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${mcpUrl.replace(/^http/, 'ws')}/ws`, 'mcp.v1', { headers });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    socket.once('error', reject);
  });
}


/** A mesh over `config` (the same config again is the same installation restarted). */
async function start(config: MeshConfig = testConfig(tempDir())): Promise<Mesh> {
  const mesh = await startMesh({ ...config, auth: { ...config.auth, adminPassword: ADMIN_PASSWORD } }, { logger: pino({ level: 'silent' }), keychain: createMemoryKeychain(), passwordCost: 4 });
  started.push(mesh);
  return mesh;
}

describe('live settings', () => {
  it('an origin saved while serving is allowed on the next request of both servers and the WebSocket upgrade, and refused again once removed', async () => {
    const t = await startTestMesh();
    const key = t.apiKey('admin');
    // The environment sets no origin: every request carrying an Origin is refused.
    expect(await withOrigin(`${t.api}/health`)).toEqual({ status: 403, allowOrigin: null });
    expect(await upgrade(t.mcp, { ...bearer(key), origin: ORIGIN })).toBe(403);

    changeSettingsAudited(t.mesh.services, operator, { set: { 'cors.allowed_origins': [ORIGIN] } });

    expect(await withOrigin(`${t.api}/health`)).toEqual({ status: 200, allowOrigin: ORIGIN });
    expect(await withOrigin(`${t.mcp}/health`)).toEqual({ status: 200, allowOrigin: ORIGIN });
    expect(await upgrade(t.mcp, { ...bearer(key), origin: ORIGIN })).toBe('open');
    const preflight = await fetch(`${t.api}/api/v1/whoami`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    // Another origin is still refused, and no CORS header names it.
    expect(await withOrigin(`${t.api}/health`, 'http://localhost:9999')).toEqual({ status: 403, allowOrigin: null });

    changeSettingsAudited(t.mesh.services, operator, { reset: ['cors.allowed_origins'] });
    expect(await withOrigin(`${t.api}/health`)).toEqual({ status: 403, allowOrigin: null });
    expect(await upgrade(t.mcp, { ...bearer(key), origin: ORIGIN })).toBe(403);

    // Newest first: the removal, then the addition.
    const events = t.mesh.core.audit.query({ event_type: 'settings_changed' }).events;
    expect(events.map((e) => ({ subject: e.subject, metadata: e.metadata }))).toEqual([
      { subject: operator.subject, metadata: { before: { 'cors.allowed_origins': [ORIGIN] }, after: { 'cors.allowed_origins': [] }, actor_tenant: 'default' } },
      { subject: operator.subject, metadata: { before: { 'cors.allowed_origins': [] }, after: { 'cors.allowed_origins': [ORIGIN] }, actor_tenant: 'default' } },
    ]);
  });

  it('PATCH /api/v1/settings takes origins and retention, refuses "*", a path or a duplicate origin and changes nothing', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const before = (await t.request('GET', '/api/v1/settings', { token })).body;
    expect(before.settings).toMatchObject({ 'cors.allowed_origins': [], 'audit.retention_days': 90, 'network.api_port': 0, 'tls.api.enabled': false });
    for (const [origins, message] of [
      [['*'], /cors\.allowed_origins: "\*" would allow every site/],
      [[`${ORIGIN}/app`], /is not an exact origin/],
      [[ORIGIN, ORIGIN], /listed twice/],
    ] as const) {
      const res = await t.request('PATCH', '/api/v1/settings', { token, body: { 'cors.allowed_origins': origins, 'audit.retention_days': 30 } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await t.request('PATCH', '/api/v1/settings', { token, body: { 'audit.retention_days': 36_501 } })).status).toBe(400);
    expect((await t.request('GET', '/api/v1/settings', { token })).body).toEqual(before);

    const ok = await t.request('PATCH', '/api/v1/settings', { token, body: { 'cors.allowed_origins': [ORIGIN], 'audit.retention_days': 0 } });
    expect(ok.status).toBe(200);
    expect(ok.body.settings).toMatchObject({ 'cors.allowed_origins': [ORIGIN], 'audit.retention_days': 0 });
    expect(ok.body.overridden.sort()).toEqual(['audit.retention_days', 'cors.allowed_origins']);
    expect(await withOrigin(`${t.api}/health`)).toEqual({ status: 200, allowOrigin: ORIGIN });
  });
});

describe('start-up settings', () => {
  it('a port saved while serving waits for the next start, then wins over the environment; reset goes back to it', async () => {
    const config = testConfig(tempDir());
    const first = await start(config);
    const port = await freePort();
    const saved = await dispatchIpc(ipc, first, 'settings:update', { changes: { 'network.api_port': port } });
    expect(saved).toMatchObject({ ok: true, value: { before: { 'network.api_port': 0 }, after: { 'network.api_port': port }, restart_required: ['network.api_port'] } });
    const pending = await dispatchIpc(ipc, first, 'settings:get', undefined);
    expect(pending).toMatchObject({ ok: true, value: { running: { 'network.api_port': 0 }, restart_pending: ['network.api_port'], overridden: ['network.api_port'], values: { 'network.api_port': port }, environment: { 'network.api_port': 0 } } });
    // Still serving where it started.
    expect(first.urls.api).not.toContain(`:${port}`);
    const [event] = first.core.audit.query({ event_type: 'settings_changed' }).events;
    expect(event).toMatchObject({ subject: operator.subject, metadata: { restart_required: ['network.api_port'] } });
    await first.stop();
    started.splice(started.indexOf(first), 1);

    const second = await start(config);
    expect(second.urls.api).toBe(`http://127.0.0.1:${port}`);
    expect(second.overrides).toEqual([{ key: 'network.api_port', variable: 'API_PORT', environment: 0, console: port }]);
    expect((await fetch(`${second.urls.api}/health`)).status).toBe(200);
    expect(await dispatchIpc(ipc, second, 'settings:get', undefined)).toMatchObject({ ok: true, value: { running: { 'network.api_port': port }, restart_pending: [] } });

    const reset = await dispatchIpc(ipc, second, 'settings:reset', { keys: ['network.api_port'] });
    expect(reset).toMatchObject({ ok: true, value: { after: { 'network.api_port': 0 }, restart_required: ['network.api_port'], settings: { restart_pending: ['network.api_port'], overridden: [] } } });
  });

  it('validates a change as a whole: a bad port or host, or both servers on one port, saves nothing', async () => {
    const mesh = await start();
    for (const [changes, message] of [
      [{ 'network.api_port': 70_000 }, /setting network\.api_port: is not a port/],
      [{ 'network.host': 'not a host!' }, /setting network\.host: "not a host!" is not an IP address or host name/],
      [{ 'network.api_port': 9100, 'network.mcp_port': 9100 }, /both use port 9100/],
      [{ 'rate_limit.ip_burst': 5, 'tls.mcp.min_version': 'TLSv1.0' }, /tls\.mcp\.min_version/],
    ] as const) {
      const result = await dispatchIpc(ipc, mesh, 'settings:update', { changes: changes as never });
      expect(result.ok, JSON.stringify(changes)).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(message);
    }
    expect(mesh.services.settings.overridden()).toEqual([]);
    expect(mesh.core.audit.query({ event_type: 'settings_changed' }).events).toEqual([]);
  });

  it('refuses to turn TLS on for a server with no certificate, and accepts it once one is chosen for that server', async () => {
    const mesh = await start();
    const refused = await dispatchIpc(ipc, mesh, 'settings:update', { changes: { 'tls.api.enabled': true, 'rate_limit.ip_burst': 7 } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    if (!refused.ok) expect(refused.error.message).toMatch(/setting tls\.api\.enabled: the API server has no certificate to serve; choose one on the Certificates page .*API_TLS_CERT_FILE/);
    expect(mesh.services.settings.overridden()).toEqual([]);
    expect(await dispatchIpc(ipc, mesh, 'settings:get', undefined)).toMatchObject({ ok: true, value: { certificates: { api: false, mcp: false } } });

    const actor = { subject: operator.subject, tenantId: 'default' };
    mesh.services.certs.createCa(actor, { commonName: 'Settings Test CA' });
    const { serial } = mesh.services.certs.issueServer(actor, { sans: ['localhost', '127.0.0.1'], days: 30 });
    mesh.services.certs.use(actor, serial, ['api']);
    const accepted = await dispatchIpc(ipc, mesh, 'settings:update', { changes: { 'tls.api.enabled': true, 'tls.api.min_version': 'TLSv1.3' } });
    expect(accepted).toMatchObject({ ok: true, value: { restart_required: ['tls.api.enabled', 'tls.api.min_version'], settings: { certificates: { api: true, mcp: false }, restart_pending: ['tls.api.enabled', 'tls.api.min_version'] } } });
    // The MCP server still has none.
    expect((await dispatchIpc(ipc, mesh, 'settings:update', { changes: { 'tls.mcp.enabled': true } })).ok).toBe(false);
  });
});
