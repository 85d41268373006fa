// TLS on both servers against real handshakes: chain verification (Node and openssl s_client), protocol and cipher floor, strict SNI, client certificates, resumption and hot reload.
import { copyFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { MeshConfig } from '../../../src/main/config';
import { DEFAULT_TLS_CONFIG, type TlsConfig } from '../../../src/main/tls-config';
import { startTestMesh, type TestMesh } from '../../helpers/mesh';
import { makeCa, makeLeaf, runAsync as run, type PemPair } from '../../helpers/pki';
import { httpsRequest } from '../../helpers/https';
import { tempDir } from '../../helpers/temp-dir';

interface Pki {
  dir: string;
  ca: PemPair;
  server: PemPair & { serial: string };
  client: PemPair & { serial: string };
  foreignClient: PemPair & { serial: string };
}

function makePki(): Pki {
  const dir = tempDir();
  const ca = makeCa(dir, 'mesh-ca');
  const foreign = makeCa(dir, 'foreign-ca');
  return { dir, ca, server: makeLeaf(dir, ca, 'server'), client: makeLeaf(dir, ca, 'agent-1', { client: true }), foreignClient: makeLeaf(dir, foreign, 'intruder', { client: true }) };
}

async function tlsMesh(pki: Pki, api: Partial<TlsConfig> = {}): Promise<TestMesh & { port: number }> {
  const tls: MeshConfig['tls'] = { api: { ...DEFAULT_TLS_CONFIG, enabled: true, certFile: pki.server.certFile, keyFile: pki.server.keyFile, ...api }, mcp: DEFAULT_TLS_CONFIG };
  const t = await startTestMesh({ tls });
  return { ...t, port: Number(new URL(t.api).port) };
}

/** A TLS handshake with the API server; resolves to the connected socket or the error that ended it. */
function handshake(port: number, options: ConnectionOptions): Promise<TLSSocket | Error> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ...options });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', (error) => resolve(error));
  });
}

describe('TLS on the servers', () => {
  it('serves HTTPS with a chain that verifies against the CA (Node and openssl s_client), HSTS on, and says so at start', async () => {
    const pki = makePki();
    const t = await tlsMesh(pki);
    expect(t.api).toMatch(/^https:\/\//);
    const res = await httpsRequest(`https://127.0.0.1:${t.port}`, '/health', { ca: pki.ca.cert });
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' }, headers: { 'strict-transport-security': expect.stringContaining('max-age=') } });

    const sock = await handshake(t.port, { ca: pki.ca.cert, servername: 'localhost' });
    expect(sock).not.toBeInstanceOf(Error);
    expect((sock as TLSSocket).authorized).toBe(true);
    expect((sock as TLSSocket).getProtocol()).toBe('TLSv1.3');
    (sock as TLSSocket).destroy();

    // Asynchronously: the mesh answers from this very process, so a blocking spawn would deadlock the handshake.
    const s = await run('openssl', ['s_client', '-connect', `127.0.0.1:${t.port}`, '-servername', 'localhost', '-CAfile', pki.ca.certFile, '-verify_return_error', '-brief']);
    expect(s.code, s.output).toBe(0);
    expect(s.output).toMatch(/Verification: OK/);

    const started = t.mesh.core.audit.query({ event_type: 'server_started', resource: 'server:api' }).events[0];
    expect(started?.metadata).toMatchObject({ url: t.api, tls: { certificate: pki.server.serial, source: 'file', min_version: 'TLSv1.2', client_auth: 'none' } });
  });

  it('refuses TLS 1.0/1.1, a CBC-only client and (with MIN_VERSION 1.3) TLS 1.2; accepts ECDHE-GCM on 1.2', async () => {
    const pki = makePki();
    const t = await tlsMesh(pki);
    expect(await handshake(t.port, { ca: pki.ca.cert, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' })).toBeInstanceOf(Error);
    expect(await handshake(t.port, { ca: pki.ca.cert, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA:AES128-SHA:AES256-SHA256' })).toBeInstanceOf(Error);
    const gcm = await handshake(t.port, { ca: pki.ca.cert, maxVersion: 'TLSv1.2', servername: 'localhost' });
    expect(gcm).not.toBeInstanceOf(Error);
    expect((gcm as TLSSocket).getCipher().name).toMatch(/^ECDHE-RSA-(AES\d+-GCM|CHACHA20)/);
    (gcm as TLSSocket).destroy();

    const strict = await tlsMesh(pki, { minVersion: 'TLSv1.3' });
    expect(await handshake(strict.port, { ca: pki.ca.cert, maxVersion: 'TLSv1.2' })).toBeInstanceOf(Error);
  });

  it('refuses an unknown SNI name; its own names and bare IP connections pass', async () => {
    const pki = makePki();
    const t = await tlsMesh(pki);
    expect(await handshake(t.port, { ca: pki.ca.cert, servername: 'evil.example' })).toBeInstanceOf(Error);
    for (const options of [{ servername: 'localhost' }, {}]) {
      const sock = await handshake(t.port, { ca: pki.ca.cert, ...options, checkServerIdentity: () => undefined });
      expect(sock).not.toBeInstanceOf(Error);
      (sock as TLSSocket).destroy();
    }
  });

  it('speaks HTTP/2 via ALPN on both servers (REST and MCP Streamable HTTP), HTTP/1.1 as the fallback', async () => {
    const pki = makePki();
    const tls = { ...DEFAULT_TLS_CONFIG, enabled: true, certFile: pki.server.certFile, keyFile: pki.server.keyFile };
    const t = await startTestMesh({ tls: { api: tls, mcp: tls } });
    const h2 = (base: string) => http2.connect(base, { ca: pki.ca.cert, servername: 'localhost' });
    const call = (session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: unknown) =>
      new Promise<{ headers: http2.IncomingHttpHeaders; text: string }>((resolve, reject) => {
        const stream = session.request(headers);
        let text = '';
        let got: http2.IncomingHttpHeaders = {};
        stream.on('response', (h) => (got = h));
        stream.on('data', (c: Buffer) => (text += c.toString()));
        stream.on('end', () => resolve({ headers: got, text }));
        stream.on('error', reject);
        stream.end(body === undefined ? undefined : JSON.stringify(body));
      });

    const api = h2(t.api);
    const health = await call(api, { ':path': '/health' });
    expect(health.headers[':status']).toBe(200);
    expect(api.alpnProtocol).toBe('h2');
    expect(health.headers['strict-transport-security']).toMatch(/max-age/);
    api.close();

    const key = t.apiKey('user');
    const mcp = h2(t.mcp);
    const base = { ':method': 'POST', ':path': '/mcp', authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await call(mcp, base, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'h2', version: '1' } } });
    expect(init.headers[':status']).toBe(200);
    const sessionId = init.headers['mcp-session-id'] as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const session = { ...base, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    await call(mcp, session, { jsonrpc: '2.0', method: 'notifications/initialized' });
    const who = await call(mcp, session, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } });
    expect(JSON.parse(/^data: (.*)$/m.exec(who.text)?.[1] ?? '{}').result.structuredContent).toMatchObject({ role: 'user' });
    mcp.close();

    // HTTP/1.1 still works on the same port.
    expect(await httpsRequest(t.api, '/health', { ca: pki.ca.cert })).toMatchObject({ status: 200 });
  });

  it('staples the configured OCSP response to a client that asks for one', async () => {
    const pki = makePki();
    const response = Buffer.from('a DER OCSP response from a responder (opaque to the server)');
    const ocspResponseFile = `${pki.dir}/ocsp.der`;
    writeFileSync(ocspResponseFile, response);
    const t = await tlsMesh(pki, { ocspResponseFile });
    const stapled = await new Promise<Buffer | undefined>((resolve, reject) => {
      // requestOCSP is a documented tls.connect option missing from @types/node's ConnectionOptions.
      const sock = connect({ host: '127.0.0.1', port: t.port, servername: 'localhost', ca: pki.ca.cert, requestOCSP: true } as ConnectionOptions);
      let got: Buffer | undefined;
      sock.on('OCSPResponse', (r: Buffer) => (got = r));
      sock.once('secureConnect', () => {
        sock.destroy();
        resolve(got);
      });
      sock.once('error', reject);
    });
    expect(stapled?.equals(response)).toBe(true);
  });

  it('resumes sessions: a repeat connection with the ticket skips the full handshake', async () => {
    const pki = makePki();
    const t = await tlsMesh(pki);
    const first = (await handshake(t.port, { ca: pki.ca.cert, servername: 'localhost', maxVersion: 'TLSv1.2' })) as TLSSocket;
    const session = first.getSession();
    first.destroy();
    const second = (await handshake(t.port, { ca: pki.ca.cert, servername: 'localhost', maxVersion: 'TLSv1.2', session })) as TLSSocket;
    expect(second.isSessionReused()).toBe(true);
    second.destroy();
  });

  it('client auth require: no certificate and a foreign CA\'s are refused at the handshake; a mesh CA certificate gets through (and still needs a bound identity)', async () => {
    const pki = makePki();
    const t = await tlsMesh(pki, { clientAuth: 'require', clientCaFile: pki.ca.certFile });
    const key = t.apiKey('user');
    expect(await httpsRequest(`https://127.0.0.1:${t.port}`, '/api/v1/whoami', { ca: pki.ca.cert, headers: { authorization: `Bearer ${key}` } })).toBeInstanceOf(Error);
    expect(await httpsRequest(`https://127.0.0.1:${t.port}`, '/api/v1/whoami', { ca: pki.ca.cert, cert: pki.foreignClient.cert, key: pki.foreignClient.key, headers: { authorization: `Bearer ${key}` } })).toBeInstanceOf(Error);
    const withCert = await httpsRequest(`https://127.0.0.1:${t.port}`, '/api/v1/whoami', { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key, headers: { authorization: `Bearer ${key}` } });
    expect(withCert).toMatchObject({ status: 200, body: { role: 'user', auth_method: 'api_key' } });
    // A certificate the mesh did not bind to anyone authenticates nobody.
    const unbound = await httpsRequest(`https://127.0.0.1:${t.port}`, '/api/v1/whoami', { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
    expect(unbound).toMatchObject({ status: 401, body: { error: { code: 'AUTH_INVALID' } } });
  });

  it('client auth verify: no certificate is fine, a presented one must verify', async () => {
    const pki = makePki();
    const t = await tlsMesh(pki, { clientAuth: 'verify', clientCaFile: pki.ca.certFile });
    expect(await httpsRequest(`https://127.0.0.1:${t.port}`, '/health', { ca: pki.ca.cert })).toMatchObject({ status: 200 });
    expect(await httpsRequest(`https://127.0.0.1:${t.port}`, '/health', { ca: pki.ca.cert, cert: pki.foreignClient.cert, key: pki.foreignClient.key })).toBeInstanceOf(Error);
    await sleep(50);
    const refused = t.mesh.core.audit.query({ event_type: 'tls_client_refused' }).events;
    expect(refused[0]).toMatchObject({ result: 'denied', metadata: { reason: 'unverified', serial: pki.foreignClient.serial } });
  });

  it('reloads a changed certificate without a restart, and keeps serving the old one when the new one is broken', async () => {
    const pki = makePki();
    const served = { certFile: `${pki.dir}/serving.crt`, keyFile: `${pki.dir}/serving.key` };
    copyFileSync(pki.server.certFile, served.certFile);
    copyFileSync(pki.server.keyFile, served.keyFile);
    const t = await tlsMesh(pki, served);
    const serialNow = async () => {
      const sock = (await handshake(t.port, { ca: pki.ca.cert, servername: 'localhost' })) as TLSSocket;
      const serial = sock.getPeerCertificate().serialNumber.toLowerCase().replace(/^0+/, '');
      sock.destroy();
      return serial;
    };
    expect(await serialNow()).toBe(pki.server.serial);

    const next = makeLeaf(pki.dir, pki.ca, 'server-2');
    copyFileSync(next.certFile, served.certFile);
    copyFileSync(next.keyFile, served.keyFile);
    await expect.poll(serialNow, { timeout: 8000, interval: 250 }).toBe(next.serial);

    writeFileSync(served.certFile, 'not a certificate');
    await expect.poll(() => t.mesh.core.audit.query({ event_type: 'tls_certificate_reloaded', result: 'failure' }).events.length, { timeout: 8000 }).toBeGreaterThan(0);
    expect(await serialNow()).toBe(next.serial);
  });

  it('refuses to start with TLS on and no usable certificate, naming the fix', async () => {
    const pki = makePki();
    const noCert = startTestMesh({ tls: { api: { ...DEFAULT_TLS_CONFIG, enabled: true }, mcp: DEFAULT_TLS_CONFIG } });
    await expect(noCert).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('devmesh certs use') });
    const mismatched = startTestMesh({ tls: { api: { ...DEFAULT_TLS_CONFIG, enabled: true, certFile: pki.server.certFile, keyFile: pki.client.keyFile }, mcp: DEFAULT_TLS_CONFIG } });
    await expect(mismatched).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('does not belong to the certificate') });
    const noCa = startTestMesh({ tls: { api: { ...DEFAULT_TLS_CONFIG, enabled: true, certFile: pki.server.certFile, keyFile: pki.server.keyFile, clientAuth: 'require' }, mcp: DEFAULT_TLS_CONFIG } });
    await expect(noCa).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('needs a client CA') });
  });
});
