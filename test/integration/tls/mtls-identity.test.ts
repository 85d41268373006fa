// mTLS with the mesh's own PKI: certificates issued by `core/certs` serve both servers, a bound client certificate authenticates its identity on REST, MCP and WebSocket with no bearer token, and a revoked one is refused on its next handshake.
import { once } from 'node:events';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MeshConfig } from '../../../src/main/config';
import type { CertActor } from '../../../src/main/core/certs/certificate-service';
import { DEFAULT_TLS_CONFIG, type TlsConfig } from '../../../src/main/tls-config';
import { startTestMesh, type TestMesh } from '../../helpers/mesh';
import { testConfig } from '../../helpers/config';
import { runAsync as run } from '../../helpers/pki';
import { httpsRequest } from '../../helpers/https';
import { tempDir } from '../../helpers/temp-dir';

const ADMIN: CertActor = { subject: 'test', tenantId: 'default' };

interface Identity {
  cert: string;
  key: string;
  serial: string;
}

/** PEM of a certificate the mesh issued, with its key (read from storage, as an export would). */
function material(t: TestMesh, serial: string): Identity {
  const row = t.mesh.core.db.prepare('SELECT cert_pem FROM certificates WHERE serial = ?').get(serial) as { cert_pem: string };
  const key = t.mesh.core.secrets.get('default', `cert_key:${serial}`);
  if (key === undefined) throw new Error(`no key for ${serial}`);
  return { cert: row.cert_pem, key: key.toString('utf8'), serial };
}

/** A mesh whose PKI was set up on a first start (CA, serving certificate, client certificates), restarted with TLS on both servers. */
async function mtlsMesh(clientAuth: TlsConfig['clientAuth']): Promise<{ t: TestMesh; ca: string; roleCert: Identity; userCert: Identity }> {
  const base = testConfig(tempDir());
  const first = await startTestMesh({ dataDir: base.dataDir, masterKeyEnv: base.masterKeyEnv });
  const certs = first.mesh.services.certs;
  await first.userWithToken('alice', 'user');
  certs.createCa(ADMIN, { commonName: 'Test Mesh CA', keySize: 2048 });
  const server = certs.issueServer(ADMIN, { sans: ['localhost', '127.0.0.1'], keySize: 2048 });
  certs.use(ADMIN, server.serial, ['api', 'mcp']);
  const roleCertView = certs.issueClient(ADMIN, { commonName: 'build-agent', role: 'viewer', keySize: 2048 });
  const userCertView = certs.issueClient(ADMIN, { commonName: 'alice-laptop', username: 'alice', keySize: 2048 });
  const ca = certs.currentCaPem().pem;
  const roleCert = material(first, roleCertView.serial);
  const userCert = material(first, userCertView.serial);
  await first.mesh.stop();

  const tls: TlsConfig = { ...DEFAULT_TLS_CONFIG, enabled: true, clientAuth };
  const overrides: Partial<MeshConfig> = { dataDir: base.dataDir, masterKeyEnv: base.masterKeyEnv, tls: { api: tls, mcp: tls } };
  const t = await startTestMesh(overrides);
  return { t, ca, roleCert, userCert };
}

describe('mTLS identity with the mesh PKI', () => {
  it('serves the mesh-issued certificate on both servers and authenticates bound client certificates without a bearer token', async () => {
    const { t, ca, roleCert, userCert } = await mtlsMesh('require');
    expect(t.api).toMatch(/^https:/);
    expect(t.mcp).toMatch(/^https:/);

    const asRole = await httpsRequest(t.api, '/api/v1/whoami', { ca, cert: roleCert.cert, key: roleCert.key });
    expect(asRole).toMatchObject({ status: 200, body: { subject: `cert:${roleCert.serial}`, kind: 'certificate', role: 'viewer', auth_method: 'mtls' } });
    const asUser = await httpsRequest(t.api, '/api/v1/whoami', { ca, cert: userCert.cert, key: userCert.key });
    expect(asUser).toMatchObject({ status: 200, body: { subject: 'user:alice', role: 'user', auth_method: 'mtls' } });
    // RBAC still applies: the viewer-bound certificate cannot write.
    expect(await httpsRequest(t.api, '/api/v1/contexts', { ca, cert: roleCert.cert, key: roleCert.key, method: 'POST', body: { name: 'x' } })).toMatchObject({ status: 403 });
    expect(await httpsRequest(t.api, '/api/v1/contexts', { ca, cert: userCert.cert, key: userCert.key, method: 'POST', body: { name: 'from alice laptop' } })).toMatchObject({ status: 201 });

    // MCP over Streamable HTTP, same certificate, no Authorization header.
    const init = await httpsRequest(t.mcp, '/mcp', {
      ca, cert: userCert.cert, key: userCert.key, method: 'POST',
      headers: { accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mtls', version: '1' } } },
    });
    expect(init).toMatchObject({ status: 200, body: { result: { protocolVersion: '2025-11-25' } } });

    // And WebSocket: the upgrade is authenticated by the certificate.
    const ws = new WebSocket(`${t.mcp.replace(/^https/, 'wss')}/ws`, 'mcp.v1', { ca, cert: userCert.cert, key: userCert.key });
    await once(ws, 'open');
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mtls-ws', version: '1' } } }));
    await once(ws, 'message');
    ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } }));
    const [reply] = await once(ws, 'message');
    expect(JSON.parse(String(reply)).result.structuredContent).toMatchObject({ subject: 'user:alice', role: 'user' });
    ws.close();

    const authn = t.mesh.core.audit.query({ event_type: 'mcp_tool_call' }).events[0];
    expect(authn).toMatchObject({ subject: 'user:alice', metadata: { transport: 'ws' } });
  });

  it('verifies with the exported CA (openssl s_client), and switches to another certificate chosen with `certs use` while running', async () => {
    const { t } = await mtlsMesh('none');
    const certs = t.mesh.services.certs;
    const dir = tempDir();
    const exported = certs.exportPem(ADMIN, certs.currentCaPem().serial, { dir });
    const caFile = exported.files.find((f) => f.endsWith('.crt') && !f.endsWith('-chain.crt')) as string;
    const port = new URL(t.api).port;
    const verified = await run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', caFile, '-verify_return_error', '-brief']);
    expect(verified.code, verified.output).toBe(0);
    expect(verified.output).toMatch(/Verification: OK/);

    const served = async () => {
      const sock = connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', rejectUnauthorized: false });
      await once(sock, 'secureConnect');
      const serial = sock.getPeerCertificate().serialNumber.toLowerCase().replace(/^0+/, '');
      sock.destroy();
      return serial;
    };
    const next = certs.issueServer(ADMIN, { sans: ['localhost', '127.0.0.1'], keySize: 2048 });
    expect(await served()).not.toBe(next.serial);
    certs.use(ADMIN, next.serial, ['api']);
    await expect.poll(served, { timeout: 8000, interval: 250 }).toBe(next.serial);
  });

  it('refuses a revoked client certificate on its next handshake, audited', async () => {
    const { t, ca, roleCert } = await mtlsMesh('require');
    expect(await httpsRequest(t.api, '/api/v1/whoami', { ca, cert: roleCert.cert, key: roleCert.key })).toMatchObject({ status: 200 });
    t.mesh.services.certs.revoke(ADMIN, roleCert.serial, 'keyCompromise');
    const refused = await httpsRequest(t.api, '/api/v1/whoami', { ca, cert: roleCert.cert, key: roleCert.key });
    expect(refused).toBeInstanceOf(Error);
    await expect.poll(() => t.mesh.core.audit.query({ event_type: 'tls_client_refused' }).events[0]?.metadata, { timeout: 3000 }).toMatchObject({ reason: 'revoked', serial: roleCert.serial });
    const crl = t.mesh.services.certs.crlPem();
    expect(crl.revoked).toContain(roleCert.serial);
  });

  it('exposes tls_certificate_expiry_seconds for every certificate that is not revoked', async () => {
    const { t, roleCert } = await mtlsMesh('request');
    const text = await t.mesh.services.metrics.render();
    const line = text.split('\n').find((l) => l.startsWith('tls_certificate_expiry_seconds') && l.includes(roleCert.serial));
    expect(line).toBeDefined();
    const seconds = Number(line?.split(' ').pop());
    expect(seconds).toBeGreaterThan(300 * 86400);
    expect(seconds).toBeLessThanOrEqual(398 * 86400);
    // A plain TLS connection without a certificate is fine in request mode.
    const sock = connect({ host: '127.0.0.1', port: Number(new URL(t.api).port), servername: 'localhost', rejectUnauthorized: false });
    await once(sock, 'secureConnect');
    sock.destroy();
  });
});
