// The REST API's hardened HTTP surface over real sockets: error shape and trace ids, body checks and limits, Host/Origin/CORS, security headers, authentication, roles, OpenAPI, literal storage and whoami.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_HTTP_CONFIG } from '../../../src/main/config';
import { BUILTIN_ROLE_PERMISSIONS } from '../../../src/main/core/rbac/builtin-roles';
import { AppError } from '../../../src/shared/errors';
import { ADMIN_PASSWORD, startTestMesh, type ApiResponse, type TestMesh } from '../../helpers/mesh';

const TRACE_ID = /^[0-9a-f]{32}$/;
const ALLOWED_ORIGIN = 'http://localhost:5173';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: unknown;
}

interface RawOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Send the body in pieces with Transfer-Encoding: chunked (no Content-Length). */
  chunks?: string[];
  /** Send no Host header at all. */
  noHost?: boolean;
}

/** node:http, because fetch will not let a test choose the Host header. */
function raw(t: TestMesh, { method = 'GET', path, headers = {}, body, chunks, noHost = false }: RawOptions): Promise<RawResponse> {
  const url = new URL(t.api);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: Number(url.port), method, path, headers, agent: false, setHost: !noHost }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
    });
    req.on('error', reject);
    if (chunks !== undefined) for (const chunk of chunks) req.write(chunk);
    else if (body !== undefined) req.write(body);
    req.end();
  });
}

interface Observed {
  status: number;
  header(name: string): string | undefined;
  body: unknown;
  text: string;
}

function fromFetch(res: ApiResponse): Observed {
  return { status: res.status, header: (name) => res.headers.get(name) ?? undefined, body: res.body as unknown, text: res.text };
}

function fromRaw(res: RawResponse): Observed {
  return {
    status: res.status,
    header: (name) => {
      const value = res.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    body: res.body,
    text: res.text,
  };
}

/** Exactly {"error":{"code","message","trace_id"}}, with the trace id of the x-trace-id header; returns the message. */
function expectError(res: Observed, status: number, code: string): string {
  expect(res.status, res.text).toBe(status);
  expect(res.header('content-type')).toMatch(/^application\/json/);
  const body = res.body as { error?: Record<string, unknown> } | undefined;
  expect(body, res.text).toBeDefined();
  expect(Object.keys(body as object)).toEqual(['error']);
  const error = (body as { error: Record<string, unknown> }).error;
  expect(Object.keys(error).sort()).toEqual(['code', 'message', 'trace_id']);
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  expect((error.message as string).length).toBeGreaterThan(0);
  expect(error.trace_id).toMatch(TRACE_ID);
  expect(res.header('x-trace-id')).toBe(error.trace_id);
  return error.message as string;
}

async function expectStillServing(t: TestMesh): Promise<void> {
  const health = await t.request('GET', '/health');
  expect(health.status).toBe(200);
  expect(health.body).toEqual({ status: 'ok' });
}

function expectSecurityHeaders(res: Observed): void {
  expect(res.header('x-content-type-options')).toBe('nosniff');
  expect(res.header('x-frame-options')).toBe('DENY');
  expect(res.header('referrer-policy')).toBe('no-referrer');
  expect(res.header('permissions-policy')).toContain('camera=()');
  const csp = res.header('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.header('strict-transport-security')).toBeUndefined();
  expect(res.header('x-powered-by')).toBeUndefined();
}

async function newContext(t: TestMesh, token: string, name = 'notes'): Promise<string> {
  const res = await t.request('POST', '/api/v1/contexts', { token, body: { name } });
  if (res.status !== 201) throw new Error(`creating a context failed: ${res.status} ${res.text}`);
  return res.body.id as string;
}

describe('malformed requests', () => {
  it('malformed JSON is 400 BAD_REQUEST, on public and authenticated routes, and the server keeps serving', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    for (const body of ['{"name":', '{name: "x"}', 'null garbage', '{"name":"x"}}']) {
      expectError(fromFetch(await t.request('POST', '/api/v1/contexts', { token, body })), 400, 'BAD_REQUEST');
    }
    expectError(fromFetch(await t.request('POST', '/api/v1/auth/login', { body: '{"username":"admin",' })), 400, 'BAD_REQUEST');
    // An empty body announced as JSON is malformed too, not a crash.
    expectError(fromRaw(await raw(t, { method: 'POST', path: '/api/v1/auth/login', headers: { 'content-type': 'application/json', 'content-length': '0' } })), 400, 'BAD_REQUEST');
    await expectStillServing(t);
    expect(t.mesh.services.contexts.list('default').contexts).toEqual([]);
  });

  it('an unknown field is 400 VALIDATION_FAILED naming the field; it is never silently dropped', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const message = expectError(fromFetch(await t.request('POST', '/api/v1/contexts', { token, body: { name: 'x', colour: 'red' } })), 400, 'VALIDATION_FAILED');
    expect(message).toContain('"colour"');
    const login = expectError(fromFetch(await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'x', remember_me: true } })), 400, 'VALIDATION_FAILED');
    expect(login).toContain('"remember_me"');
    const query = expectError(fromFetch(await t.request('GET', '/api/v1/contexts?sort=name', { token })), 400, 'VALIDATION_FAILED');
    expect(query).toContain('sort');
    expect(t.mesh.services.contexts.list('default').contexts).toEqual([]);
    await expectStillServing(t);
  });

  it('a wrongly typed field is 400 naming the field, with no coercion of JSON bodies', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const name = expectError(fromFetch(await t.request('POST', '/api/v1/contexts', { token, body: { name: 42 } })), 400, 'VALIDATION_FAILED');
    expect(name).toContain('"name"');
    expect(name).toContain('string');
    const metadata = expectError(fromFetch(await t.request('POST', '/api/v1/contexts', { token, body: { name: 'x', metadata: '{}' } })), 400, 'VALIDATION_FAILED');
    expect(metadata).toContain('"metadata"');
    const role = expectError(fromFetch(await t.request('POST', '/api/v1/api-keys', { token, body: { name: 'k', role: ['admin'] } })), 400, 'VALIDATION_FAILED');
    expect(role).toContain('"role"');
    const whole = expectError(fromFetch(await t.request('POST', '/api/v1/contexts', { token, body: '["name"]' })), 400, 'VALIDATION_FAILED');
    expect(whole).toContain('body');
    expect(t.mesh.services.contexts.list('default').contexts).toEqual([]);
    await expectStillServing(t);
  });

  it('a missing required field is 400 naming it', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    expect(expectError(fromFetch(await t.request('POST', '/api/v1/contexts', { token, body: {} })), 400, 'VALIDATION_FAILED')).toContain('"name"');
    expect(expectError(fromFetch(await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin' } })), 400, 'VALIDATION_FAILED')).toContain('"password"');
    const id = await newContext(t, token);
    expect(expectError(fromFetch(await t.request('POST', `/api/v1/contexts/${id}/items`, { token, body: { role: 'user' } })), 400, 'VALIDATION_FAILED')).toContain('"content"');
    expect(expectError(fromFetch(await t.request('POST', '/api/v1/api-keys', { token, body: { name: 'k' } })), 400, 'VALIDATION_FAILED')).toContain('"role"');
    await expectStillServing(t);
  });

  it('a body over the limit is 413 PAYLOAD_TOO_LARGE, with or without Content-Length; one under it is accepted', async () => {
    const t = await startTestMesh({ http: { ...DEFAULT_HTTP_CONFIG, bodyLimit: 2048 } });
    const token = await t.adminToken();
    const big = JSON.stringify({ name: 'big', description: 'x'.repeat(4096) });
    expectError(fromFetch(await t.request('POST', '/api/v1/contexts', { token, body: big })), 413, 'PAYLOAD_TOO_LARGE');
    expectError(fromFetch(await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'p'.repeat(1000), pad: 'x'.repeat(2000) } })), 413, 'PAYLOAD_TOO_LARGE');
    const chunked = await raw(t, {
      method: 'POST',
      path: '/api/v1/contexts',
      headers: { host: new URL(t.api).host, 'content-type': 'application/json', authorization: `Bearer ${token}` },
      chunks: [big.slice(0, 1000), big.slice(1000, 2000), big.slice(2000)],
    });
    expectError(fromRaw(chunked), 413, 'PAYLOAD_TOO_LARGE');
    await expectStillServing(t);
    expect(t.mesh.services.contexts.list('default').contexts).toEqual([]);

    const small = await t.request('POST', '/api/v1/contexts', { token, body: { name: 'small', description: 'x'.repeat(1500) } });
    expect(small.status).toBe(201);
  });

  it('a body that is not JSON (text/plain, a form) is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    for (const contentType of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await t.request('POST', '/api/v1/contexts', { token, body: '{"name":"sneaky"}', headers: { 'content-type': contentType } });
      expectError(fromFetch(res), 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    // Login is the route a cross-site form would target: text/plain must not get through there either.
    expectError(fromFetch(await t.request('POST', '/api/v1/auth/login', { body: '{"username":"admin","password":"x"}', headers: { 'content-type': 'text/plain' } })), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(t.mesh.services.contexts.list('default').contexts).toEqual([]);
    await expectStillServing(t);
  });

  it('an unknown route is 404 NOT_FOUND naming it, with or without a credential', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const message = expectError(fromFetch(await t.request('GET', '/api/v1/nope?secret=1', { token })), 404, 'NOT_FOUND');
    expect(message).toContain('/api/v1/nope');
    expect(message).not.toContain('secret');
    expectError(fromFetch(await t.request('GET', '/api/v2/contexts')), 404, 'NOT_FOUND');
    expectError(fromFetch(await t.request('PUT', '/api/v1/contexts', { token, body: {} })), 404, 'NOT_FOUND');
    await expectStillServing(t);
  });

  it('a path parameter that fails its schema is 400 VALIDATION_FAILED naming it', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    expect(expectError(fromFetch(await t.request('GET', '/api/v1/contexts/not-a-uuid', { token })), 400, 'VALIDATION_FAILED')).toContain('id');
    await expectStillServing(t);
  });

  // Bad percent-encoding and a parameter over the router's length limit are refused by Fastify before any hook runs;
  // they must still look like every other error, carry a trace id and the security headers, and honour the Host check.
  it('a path with bad percent-encoding gets the standard error body, trace id and headers', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const res = fromFetch(await t.request('GET', '/api/v1/contexts/%E0%A4%A', { token }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectError(res, res.status, 'BAD_REQUEST');
    expectSecurityHeaders(res);
    expectError(fromRaw(await raw(t, { path: '/api/v1/contexts/%E0%A4%A', headers: { host: 'evil.example' } })), 421, 'HOST_NOT_ALLOWED');
    await expectStillServing(t);
  });

  it('an over-long path parameter gets the standard error body, trace id and headers', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const res = fromFetch(await t.request('GET', `/api/v1/contexts/${'a'.repeat(200)}`, { token }));
    expect([400, 404], res.text).toContain(res.status);
    const body = res.body as { error?: { code?: unknown } } | undefined;
    expect(['VALIDATION_FAILED', 'BAD_REQUEST', 'NOT_FOUND'], res.text).toContain(body?.error?.code);
    expectError(res, res.status, body?.error?.code as string);
    expectSecurityHeaders(res);
    await expectStillServing(t);
  });
});

describe('Host header (DNS rebinding)', () => {
  it('answers 421 HOST_NOT_ALLOWED to a foreign Host and keeps serving loopback names', async () => {
    const t = await startTestMesh();
    const port = new URL(t.api).port;
    for (const host of ['evil.example', `evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`, '192.168.1.10', `127.0.0.1:${port}@evil.example`]) {
      const res = await raw(t, { path: '/health', headers: { host } });
      const message = expectError(fromRaw(res), 421, 'HOST_NOT_ALLOWED');
      expect(message).toContain('localhost');
    }
    // No Host at all is refused too (by Node or by us), never served.
    expect((await raw(t, { path: '/health', noHost: true })).status).toBeGreaterThanOrEqual(400);
    // Even a valid credential does not get past a foreign Host.
    const token = await t.adminToken();
    expectError(fromRaw(await raw(t, { path: '/api/v1/whoami', headers: { host: 'evil.example', authorization: `Bearer ${token}` } })), 421, 'HOST_NOT_ALLOWED');

    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`, 'localhost']) {
      const res = await raw(t, { path: '/health', headers: { host } });
      expect(res.status, `Host ${host}`).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    }
    await expectStillServing(t);
  });

  it('a CORS preflight with a foreign Host is 421 too, in the standard shape, not a 500', async () => {
    const t = await startTestMesh({ http: { ...DEFAULT_HTTP_CONFIG, allowedOrigins: [ALLOWED_ORIGIN] } });
    for (const origin of [ALLOWED_ORIGIN, 'https://evil.example']) {
      const res = await raw(t, { method: 'OPTIONS', path: '/api/v1/contexts', headers: { host: 'evil.example', origin, 'access-control-request-method': 'POST' } });
      expectError(fromRaw(res), 421, 'HOST_NOT_ALLOWED');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    await expectStillServing(t);
  });
});

describe('error bodies and trace ids', () => {
  it('echoes the trace id of a W3C traceparent in x-trace-id and in the error body; invalid ones get a fresh id', async () => {
    const t = await startTestMesh();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;

    const ok = await t.request('GET', '/health', { headers: { traceparent } });
    expect(ok.headers.get('x-trace-id')).toBe(traceId);
    const missing = fromFetch(await t.request('GET', '/api/v1/whoami', { headers: { traceparent } }));
    expectError(missing, 401, 'AUTH_REQUIRED');
    expect((missing.body as { error: { trace_id: string } }).error.trace_id).toBe(traceId);
    expect((await t.request('GET', '/health', { headers: { traceparent: traceparent.toUpperCase() } })).headers.get('x-trace-id')).toBe(traceId);

    const seen = new Set<string>();
    for (const bad of ['garbage', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-${traceId}-00f067aa0ba902b7`, `00-${traceId}zz-00f067aa0ba902b7-01`]) {
      const res = fromFetch(await t.request('GET', '/api/v1/nope', { headers: { traceparent: bad } }));
      expectError(res, 404, 'NOT_FOUND');
      const id = res.header('x-trace-id') as string;
      expect(id).not.toBe(traceId);
      expect(id).not.toBe('0'.repeat(32));
      seen.add(id);
    }
    expect(seen.size).toBe(4);
  });

  it('a 5xx says "internal error" and nothing else; the server keeps serving', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const internals = 'SqliteError: no such table: contexts_v2 at /home/operator/.config/devmesh-console/devmesh.db';
    const list = vi.spyOn(t.mesh.services.contexts, 'list').mockImplementation(() => {
      throw new Error(internals);
    });
    const res = fromFetch(await t.request('GET', '/api/v1/contexts', { token }));
    expect(expectError(res, 500, 'INTERNAL')).toBe('internal error');
    expect(res.text).not.toMatch(/sqlite|contexts_v2|\/home|devmesh\.db|stack|at /i);

    // An AppError with a 500 status keeps its code but not its message: that may name files or keys.
    list.mockImplementation(() => {
      throw new AppError('CRYPTO_DECRYPT_FAILED', 'envelope for tenant default purpose jwt-key:abc failed: wrong key version 7');
    });
    const crypto = fromFetch(await t.request('GET', '/api/v1/contexts', { token }));
    expect(expectError(crypto, 500, 'CRYPTO_DECRYPT_FAILED')).toBe('internal error');
    expect(crypto.text).not.toContain('jwt-key');
    expectSecurityHeaders(crypto);

    list.mockRestore();
    expect((await t.request('GET', '/api/v1/contexts', { token })).status).toBe(200);
    await expectStillServing(t);
  });
});

describe('security headers', () => {
  it('every API response carries them: success, error, public and authenticated; no HSTS without TLS', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    expectSecurityHeaders(fromFetch(await t.request('GET', '/health')));
    expectSecurityHeaders(fromFetch(await t.request('GET', '/api/v1/whoami', { token })));
    expectSecurityHeaders(fromFetch(await t.request('GET', '/api/v1/whoami')));
    expectSecurityHeaders(fromFetch(await t.request('GET', '/api/v1/nope')));
    expectSecurityHeaders(fromFetch(await t.request('POST', '/api/v1/contexts', { token, body: { bad: 1 } })));
    expectSecurityHeaders(fromFetch(await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'wrong' } })));
  });

  it('refusals of a foreign Host or Origin carry them too', async () => {
    const t = await startTestMesh();
    const host = fromRaw(await raw(t, { path: '/health', headers: { host: 'evil.example' } }));
    expect(host.status).toBe(421);
    expectSecurityHeaders(host);
    const origin = fromFetch(await t.request('GET', '/health', { headers: { origin: 'https://evil.example' } }));
    expect(origin.status).toBe(403);
    expectSecurityHeaders(origin);
  });

  it('cache-control: no-store on authenticated responses, their refusals, and the token responses of login and refresh', async () => {
    const t = await startTestMesh();
    const tokens = await t.login('admin', ADMIN_PASSWORD);
    expect((await t.request('GET', '/api/v1/whoami', { token: tokens.access_token })).headers.get('cache-control')).toBe('no-store');
    expect((await t.request('GET', '/api/v1/contexts', { token: tokens.access_token })).headers.get('cache-control')).toBe('no-store');
    expect((await t.request('GET', '/api/v1/api-keys', { apiKey: t.apiKey('viewer') })).headers.get('cache-control')).toBe('no-store');
    expect((await t.request('GET', '/api/v1/whoami', { token: 'garbage' })).headers.get('cache-control')).toBe('no-store');

    const login = await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.access_token).toEqual(expect.any(String));
    expect(login.headers.get('cache-control'), 'login response carries tokens').toBe('no-store');
    const refresh = await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
    expect(refresh.status).toBe(200);
    expect(refresh.headers.get('cache-control'), 'refresh response carries tokens').toBe('no-store');
  });
});

describe('authentication', () => {
  it('no credential is 401 AUTH_REQUIRED with a Bearer challenge', async () => {
    const t = await startTestMesh();
    for (const [method, path] of [['GET', '/api/v1/whoami'], ['GET', '/api/v1/contexts'], ['POST', '/api/v1/api-keys'], ['GET', '/api/v1/openapi.json']] as const) {
      const res = fromFetch(await t.request(method, path, method === 'POST' ? { body: { name: 'k', role: 'viewer' } } : {}));
      const message = expectError(res, 401, 'AUTH_REQUIRED');
      expect(message).toContain('Bearer');
      expect(res.header('www-authenticate')).toBe('Bearer realm="devmesh"');
    }
    expect(t.mesh.services.apiKeys.list({})).toEqual([]);
  });

  it('a garbage or tampered bearer token, or an unknown API key, is 401 AUTH_INVALID', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const forgedKey = `dmk_${'A'.repeat(16)}_${'B'.repeat(43)}`;
    for (const credential of [{ token: 'garbage' }, { token: tampered }, { token: `${token}x` }, { token: forgedKey }, { apiKey: forgedKey }, { apiKey: 'garbage' }]) {
      const res = fromFetch(await t.request('GET', '/api/v1/whoami', credential));
      expectError(res, 401, 'AUTH_INVALID');
      expect(res.header('www-authenticate')).toBe('Bearer realm="devmesh", error="invalid_token"');
    }
  });

  it('Authorization: Basic (even with the right password) is 401, not a login', async () => {
    const t = await startTestMesh();
    const basic = Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');
    for (const authorization of [`Basic ${basic}`, 'Bearer', 'Bearer a b', `Token ${basic}`]) {
      const res = fromFetch(await t.request('GET', '/api/v1/whoami', { headers: { authorization } }));
      expect(res.status, authorization).toBe(401);
      expectError(res, 401, 'AUTH_INVALID');
      expect(res.header('www-authenticate')).toMatch(/^Bearer /);
    }
  });

  it('a credential in the query string is ignored (401 AUTH_REQUIRED)', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const key = t.apiKey('admin');
    for (const query of [`access_token=${token}`, `token=${token}`, `api_key=${key}`, `apiKey=${key}`, `authorization=Bearer%20${token}`]) {
      const res = fromFetch(await t.request('GET', `/api/v1/openapi.json?${query}`));
      expectError(res, 401, 'AUTH_REQUIRED');
    }
    // The same credentials in headers do work.
    expect((await t.request('GET', '/api/v1/whoami', { token })).status).toBe(200);
    expect((await t.request('GET', '/api/v1/whoami', { apiKey: key })).status).toBe(200);
  });
});

describe('authorization with the built-in roles', () => {
  it('a viewer reads contexts but every write is 403 FORBIDDEN naming the missing permission', async () => {
    const t = await startTestMesh();
    const adminToken = await t.adminToken();
    const id = await newContext(t, adminToken, 'shared');
    const viewerToken = await t.userWithToken('vic', 'viewer');
    const viewerKey = t.apiKey('viewer');

    for (const credential of [{ token: viewerToken }, { apiKey: viewerKey }]) {
      expect((await t.request('GET', '/api/v1/contexts', credential)).status).toBe(200);
      expect((await t.request('GET', `/api/v1/contexts/${id}`, credential)).body.name).toBe('shared');
      const attempts: [string, string, unknown, string][] = [
        ['POST', '/api/v1/contexts', { name: 'mine' }, 'contexts:write'],
        ['PATCH', `/api/v1/contexts/${id}`, { name: 'renamed' }, 'contexts:write'],
        ['POST', `/api/v1/contexts/${id}/items`, { role: 'user', content: 'hi' }, 'contexts:write'],
        ['DELETE', `/api/v1/contexts/${id}`, undefined, 'contexts:delete'],
        ['DELETE', `/api/v1/api-keys/${'A'.repeat(16)}`, undefined, 'api_keys:delete'],
      ];
      for (const [method, path, body, permission] of attempts) {
        const res = fromFetch(await t.request(method, path, { ...credential, ...(body === undefined ? {} : { body }) }));
        const message = expectError(res, 403, 'FORBIDDEN');
        expect(message).toContain(permission);
        expect(message).toContain('viewer');
      }
    }
    const after = await t.request('GET', `/api/v1/contexts/${id}`, { token: adminToken });
    expect(after.body).toMatchObject({ name: 'shared', item_count: 0, items: [] });
    expect(t.mesh.services.contexts.list('default').contexts).toHaveLength(1);
  });

  it('a user writes contexts and lists only its own API keys', async () => {
    const t = await startTestMesh();
    const adminToken = await t.adminToken();
    const adminKey = await t.request('POST', '/api/v1/api-keys', { token: adminToken, body: { name: 'admin key', role: 'admin' } });
    const userToken = await t.userWithToken('ursula', 'user');

    const id = await newContext(t, userToken, 'ursula notes');
    expect((await t.request('PATCH', `/api/v1/contexts/${id}`, { token: userToken, body: { description: 'updated' } })).status).toBe(200);
    expect((await t.request('POST', `/api/v1/contexts/${id}/items`, { token: userToken, body: { role: 'user', content: 'hello' } })).status).toBe(201);
    expect((await t.request('DELETE', `/api/v1/contexts/${id}`, { token: userToken })).status).toBe(204);

    const own = await t.request('POST', '/api/v1/api-keys', { token: userToken, body: { name: 'mine', role: 'viewer' } });
    expect(own.status).toBe(201);
    const listed = await t.request('GET', '/api/v1/api-keys', { token: userToken });
    expect(listed.status).toBe(200);
    expect((listed.body.api_keys as { id: string }[]).map((k) => k.id)).toEqual([own.body.id]);
    expect(listed.text).not.toContain(adminKey.body.id as string);
  });

  it('an admin does everything, including listing and revoking everyone’s keys', async () => {
    const t = await startTestMesh();
    const adminToken = await t.adminToken();
    const userToken = await t.userWithToken('ursula', 'user');
    const userKey = await t.request('POST', '/api/v1/api-keys', { token: userToken, body: { name: 'hers', role: 'user' } });

    const id = await newContext(t, adminToken);
    expect((await t.request('PATCH', `/api/v1/contexts/${id}`, { token: adminToken, body: { name: 'renamed' } })).status).toBe(200);
    expect((await t.request('POST', `/api/v1/contexts/${id}/items`, { token: adminToken, body: { role: 'system', content: 'x' } })).status).toBe(201);
    expect((await t.request('DELETE', `/api/v1/contexts/${id}`, { token: adminToken })).status).toBe(204);
    const all = await t.request('GET', '/api/v1/api-keys', { token: adminToken });
    expect((all.body.api_keys as { id: string }[]).map((k) => k.id)).toContain(userKey.body.id);
    expect((await t.request('DELETE', `/api/v1/api-keys/${userKey.body.id as string}`, { token: adminToken })).status).toBe(204);
    expect((await t.request('GET', '/api/v1/whoami', { apiKey: userKey.body.key as string })).status).toBe(401);
  });

  it('a role change applies to the next request of an existing token', async () => {
    const t = await startTestMesh();
    const token = await t.userWithToken('ursula', 'user');
    expect((await t.request('POST', '/api/v1/contexts', { token, body: { name: 'a' } })).status).toBe(201);
    t.mesh.services.users.setRole(t.mesh.services.users.require('ursula').id, 'viewer');
    expectError(fromFetch(await t.request('POST', '/api/v1/contexts', { token, body: { name: 'b' } })), 403, 'FORBIDDEN');
    expect((await t.request('GET', '/api/v1/whoami', { token })).body.role).toBe('viewer');
  });
});

describe('CORS', () => {
  it('a preflight from the allowed origin gets exactly that origin back, never "*" and never credentials', async () => {
    const t = await startTestMesh({ http: { ...DEFAULT_HTTP_CONFIG, allowedOrigins: [ALLOWED_ORIGIN] } });
    const preflight = await raw(t, {
      method: 'OPTIONS',
      path: '/api/v1/contexts',
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(200);
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    expect(String(preflight.headers.vary ?? '')).toMatch(/origin/i);

    const token = await t.adminToken();
    const actual = await raw(t, { path: '/api/v1/contexts', headers: { origin: ALLOWED_ORIGIN, authorization: `Bearer ${token}` } });
    expect(actual.status).toBe(200);
    expect(actual.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(actual.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(actual.headers['access-control-expose-headers']).toLowerCase()).toContain('x-trace-id');
  });

  const OTHER_ORIGINS = ['https://evil.example', 'http://localhost:5174', 'https://localhost:5173', 'http://localhost:5173.evil.example', 'null', `${ALLOWED_ORIGIN}/`];

  it('a request from any other origin is 403 ORIGIN_NOT_ALLOWED with no allow-origin header and no data', async () => {
    const t = await startTestMesh({ http: { ...DEFAULT_HTTP_CONFIG, allowedOrigins: [ALLOWED_ORIGIN] } });
    const token = await t.adminToken();
    await newContext(t, token, 'private');
    for (const origin of OTHER_ORIGINS) {
      const res = await raw(t, { path: '/api/v1/contexts', headers: { origin, authorization: `Bearer ${token}` } });
      expect(expectError(fromRaw(res), 403, 'ORIGIN_NOT_ALLOWED')).toContain(origin);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.text).not.toContain('private');
    }
    await expectStillServing(t);
  });

  it('a preflight from any other origin is 403 ORIGIN_NOT_ALLOWED in the standard shape (not a 500), with no allow-origin header', async () => {
    const t = await startTestMesh({ http: { ...DEFAULT_HTTP_CONFIG, allowedOrigins: [ALLOWED_ORIGIN] } });
    for (const origin of OTHER_ORIGINS) {
      const res = await raw(t, { method: 'OPTIONS', path: '/api/v1/contexts', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(expectError(fromRaw(res), 403, 'ORIGIN_NOT_ALLOWED')).toContain(origin);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    await expectStillServing(t);
  });

  it('with the default configuration every Origin is refused, even localhost', async () => {
    const t = await startTestMesh();
    const port = new URL(t.api).port;
    for (const origin of [ALLOWED_ORIGIN, `http://127.0.0.1:${port}`, 'https://evil.example']) {
      const health = await raw(t, { path: '/health', headers: { origin } });
      expectError(fromRaw(health), 403, 'ORIGIN_NOT_ALLOWED');
      expect(health.headers['access-control-allow-origin']).toBeUndefined();
      const login = await raw(t, { method: 'POST', path: '/api/v1/auth/login', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
      expectError(fromRaw(login), 403, 'ORIGIN_NOT_ALLOWED');
      expect(login.text).not.toContain('access_token');
    }
    // No Origin at all (curl, the CLI, other servers) is fine.
    await expectStillServing(t);
  });

  it('with the default configuration a preflight from any Origin is 403 in the standard shape, not a 500', async () => {
    const t = await startTestMesh();
    for (const origin of [ALLOWED_ORIGIN, 'https://evil.example']) {
      const res = await raw(t, { method: 'OPTIONS', path: '/api/v1/whoami', headers: { origin, 'access-control-request-method': 'GET' } });
      expectError(fromRaw(res), 403, 'ORIGIN_NOT_ALLOWED');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe('GET /api/v1/openapi.json', () => {
  const ROUTES: Record<string, string[]> = {
    '/api/v1/auth/login': ['post'],
    '/api/v1/auth/refresh': ['post'],
    '/api/v1/auth/logout': ['post'],
    '/api/v1/api-keys': ['get', 'post'],
    '/api/v1/api-keys/{id}': ['delete'],
    '/api/v1/contexts': ['get', 'post'],
    '/api/v1/contexts/{id}': ['get', 'patch', 'delete'],
    '/api/v1/contexts/{id}/items': ['post'],
    '/api/v1/whoami': ['get'],
    '/api/v1/roles': ['get', 'post'],
    '/api/v1/roles/{name}': ['get', 'put', 'delete'],
    '/api/v1/users': ['get', 'post'],
    '/api/v1/users/{id}': ['patch'],
    '/api/v1/users/{id}/role': ['put'],
    '/api/v1/authz/check': ['post'],
    '/api/v1/admin/lockdown': ['post'],
    '/api/v1/admin/blocklist': ['get', 'post', 'delete'],
    '/api/v1/settings': ['get', 'patch'],
    '/api/v1/audit': ['get'],
    '/api/v1/audit/verify': ['get'],
    '/api/v1/audit/export': ['get'],
    '/api/v1/audit/stream': ['get'],
  };

  interface Operation {
    requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown>; required?: string[] } }> };
    responses?: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }>;
    security?: unknown[];
  }

  it('needs a credential', async () => {
    const t = await startTestMesh();
    expectError(fromFetch(await t.request('GET', '/api/v1/openapi.json')), 401, 'AUTH_REQUIRED');
  });

  it('is an OpenAPI 3.1 document describing every /api/v1 route, its responses and its request bodies', async () => {
    const t = await startTestMesh();
    const res = await t.request('GET', '/api/v1/openapi.json', { apiKey: t.apiKey('viewer') });
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; info: { title: string }; paths: Record<string, Record<string, Operation>> };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toContain('REST API');

    for (const [path, methods] of Object.entries(ROUTES)) {
      expect(doc.paths[path], `path ${path}`).toBeDefined();
      for (const method of methods) {
        const op = doc.paths[path]?.[method];
        expect(op, `${method.toUpperCase()} ${path}`).toBeDefined();
        const responses = (op as Operation).responses ?? {};
        const success = Object.keys(responses).filter((s) => s.startsWith('2'));
        expect(success, `${method.toUpperCase()} ${path} success response`).toHaveLength(1);
        const status = success[0] as string;
        if (status !== '204') {
          expect(responses[status]?.content?.['application/json']?.schema, `${method.toUpperCase()} ${path} ${status} schema`).toBeDefined();
        }
        expect(responses['401'] ?? responses['400'], `${method.toUpperCase()} ${path} error response`).toBeDefined();
        const error = responses['401'] ?? responses['400'];
        expect(error?.content?.['application/json']?.schema?.properties, `${method.toUpperCase()} ${path} error schema`).toHaveProperty('error');
        if (method === 'post' || method === 'patch') {
          expect((op as Operation).requestBody?.content?.['application/json']?.schema, `${method.toUpperCase()} ${path} request body`).toBeDefined();
        }
      }
    }
    expect(doc.paths['/api/v1/auth/login']?.post?.requestBody?.content?.['application/json']?.schema?.required?.sort()).toEqual(['password', 'username']);
    expect(doc.paths['/api/v1/api-keys']?.post?.requestBody?.content?.['application/json']?.schema?.required?.sort()).toEqual(['name', 'role']);
    // The login routes are the ones that need no credential, and the document says so.
    expect(doc.paths['/api/v1/auth/login']?.post?.security).toEqual([]);
    expect(doc.paths['/api/v1/contexts']?.get?.security).toBeUndefined();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/')).sort()).toEqual(Object.keys(ROUTES).sort());
  });
});

describe('untrusted text is data', () => {
  it('stores and returns SQL-looking strings literally, and searching for them is harmless', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const name = "x'); DROP TABLE contexts; --";
    const description = '" OR 1=1; DELETE FROM users WHERE "1"="1';
    const metadata = { "'; UPDATE users SET role='admin' --": 'Robert"); DROP TABLE api_keys;--', nested: { '%': '_' } };
    const created = await t.request('POST', '/api/v1/contexts', { token, body: { name, description, metadata } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, description, metadata });
    const content = "1; ATTACH DATABASE '/tmp/x.db' AS x; --";
    expect((await t.request('POST', `/api/v1/contexts/${created.body.id as string}/items`, { token, body: { role: 'user', content } })).status).toBe(201);

    const read = await t.request('GET', `/api/v1/contexts/${created.body.id as string}`, { token });
    expect(read.body).toMatchObject({ name, description, metadata, items: [{ content }] });
    for (const q of ['DROP TABLE', "x'); --", '" OR * NEAR(', 'NOT AND OR', '*', "'"]) {
      const res = await t.request('GET', `/api/v1/contexts?q=${encodeURIComponent(q)}`, { token });
      expect(res.status, `q=${q}`).toBe(200);
    }
    const found = await t.request('GET', `/api/v1/contexts?q=${encodeURIComponent('DROP TABLE')}`, { token });
    expect((found.body.contexts as { name: string }[]).map((c) => c.name)).toEqual([name]);

    const key = await t.request('POST', '/api/v1/api-keys', { token, body: { name: "k'); DELETE FROM api_keys; --", role: 'viewer' } });
    expect(key.status).toBe(201);
    expect(key.body.name).toBe("k'); DELETE FROM api_keys; --");
    expect((await t.request('GET', '/api/v1/contexts', { token })).body.contexts).toHaveLength(1);
    expect(t.mesh.services.users.list().map((u) => u.username)).toEqual(['admin']);
    expect(t.mesh.services.apiKeys.list({})).toHaveLength(1);
  });
});

describe('GET /api/v1/whoami', () => {
  it('reports subject, kind, role, tenant, method and permissions for a logged-in user', async () => {
    const t = await startTestMesh();
    const token = await t.userWithToken('ursula', 'user');
    const res = await t.request('GET', '/api/v1/whoami', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subject: 'user:ursula', kind: 'user', role: 'user', tenant: 'default', auth_method: 'jwt', permissions: [...BUILTIN_ROLE_PERMISSIONS.user] });
    const admin = await t.request('GET', '/api/v1/whoami', { token: await t.adminToken() });
    expect(admin.body).toMatchObject({ subject: 'user:admin', role: 'admin', permissions: ['*:*'] });
  });

  it('reports the key itself for an API key, in its tenant', async () => {
    const t = await startTestMesh();
    const key = t.apiKey('viewer', { tenant: 'acme' });
    const id = key.split('_')[1] as string;
    for (const credential of [{ apiKey: key }, { token: key }]) {
      const res = await t.request('GET', '/api/v1/whoami', credential);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ subject: `key:${id}`, kind: 'api_key', role: 'viewer', tenant: 'acme', auth_method: 'api_key', permissions: [...BUILTIN_ROLE_PERMISSIONS.viewer] });
      expect(res.text).not.toContain(key);
    }
  });
});
