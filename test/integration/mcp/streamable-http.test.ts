// The MCP server over Streamable HTTP with the official SDK client: initialize and version negotiation, every tool, resources, per-role tool lists, credentials, session binding, Host/Origin and the audit trail.
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read arbitrary JSON-RPC and error shapes off the wire */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { TOOLS } from '../../../src/main/servers/mcp/tools';
import { bearer, httpClient } from '../../helpers/mcp-client';
import { startTestMesh, type TestMesh } from '../../helpers/mesh';

const ALL_TOOLS = TOOLS.map((t) => t.name).sort();
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } };
const ACCEPT = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };

/** A raw POST to /mcp, returning status, headers and the body (the JSON, or the data of the first SSE event). */
async function post(t: TestMesh, body: unknown, headers: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${t.mcp}/mcp`, { method: 'POST', headers: { ...ACCEPT, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  const data = /^data: (.*)$/m.exec(text)?.[1] ?? text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

async function rawSession(t: TestMesh, credential: string): Promise<string> {
  const res = await post(t, INIT, bearer(credential));
  expect(res.status).toBe(200);
  const id = res.headers.get('mcp-session-id');
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id as string;
}

describe('MCP over Streamable HTTP', () => {
  it('initializes with the official client: server info, capabilities, the newest protocol version', async () => {
    const t = await startTestMesh();
    const { client, transport } = await httpClient(t.mcp, bearer(t.apiKey('user')));
    expect(client.getServerVersion()).toMatchObject({ name: 'developer-mesh-console' });
    expect(client.getServerCapabilities()).toMatchObject({ tools: { listChanged: true }, resources: {}, logging: {} });
    expect(transport.protocolVersion).toBe('2025-11-25');
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    await client.ping();
    await client.setLoggingLevel('warning');
  });

  it('negotiates 2025-11-25, 2025-06-18 and 2025-03-26, and answers anything older with the newest', async () => {
    const t = await startTestMesh();
    const key = t.apiKey('user');
    for (const [asked, agreed] of [['2025-11-25', '2025-11-25'], ['2025-06-18', '2025-06-18'], ['2025-03-26', '2025-03-26'], ['2024-11-05', '2025-11-25'], ['1999-01-01', '2025-11-25']]) {
      const res = await post(t, { ...INIT, params: { ...INIT.params, protocolVersion: asked } }, bearer(key));
      expect(res.status, asked).toBe(200);
      expect(res.body.result.protocolVersion, asked).toBe(agreed);
    }
    const session = await rawSession(t, key);
    const old = await post(t, { jsonrpc: '2.0', id: 2, method: 'ping' }, { ...bearer(key), 'mcp-session-id': session, 'mcp-protocol-version': '2024-11-05' });
    expect(old.status).toBe(400);
    expect(old.body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('2025-11-25, 2025-06-18, 2025-03-26') });
  });

  it('runs every tool with structured output, and serves each context as a context:// resource', async () => {
    const t = await startTestMesh();
    const { client } = await httpClient(t.mcp, bearer(t.apiKey('user')));
    const tools = (await client.listTools()).tools;
    expect(tools.map((x) => x.name).sort()).toEqual(ALL_TOOLS);
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
    }

    const call = async (name: string, args: Record<string, unknown>) => {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
      expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toEqual(result.structuredContent);
      return result.structuredContent as any;
    };
    const created = await call('context_create', { name: 'release notes', description: 'what shipped', metadata: { team: 'core' } });
    expect(created).toMatchObject({ name: 'release notes', description: 'what shipped', item_count: 0, created_by: expect.stringMatching(/^key:/) });
    const item = await call('context_append', { id: created.id, role: 'assistant', content: 'the quokka migration finished' });
    expect(item).toMatchObject({ role: 'assistant', content: 'the quokka migration finished' });
    expect(await call('context_get', { id: created.id })).toMatchObject({ id: created.id, item_count: 1, items: [{ content: 'the quokka migration finished' }] });
    expect(await call('context_update', { id: created.id, name: 'release notes v2' })).toMatchObject({ name: 'release notes v2' });
    expect((await call('context_list', { limit: 10 })).contexts.map((c: { id: string }) => c.id)).toEqual([created.id]);
    const found = await call('context_search', { query: 'quokka' });
    expect(found.contexts).toEqual([expect.objectContaining({ id: created.id, snippet: expect.stringContaining('quokka') })]);
    expect(await call('whoami', {})).toMatchObject({ subject: expect.stringMatching(/^key:/), role: 'user', tenant: 'default', permissions: expect.arrayContaining(['tools:execute']) });

    const resources = (await client.listResources()).resources;
    expect(resources).toEqual([expect.objectContaining({ uri: `context://${created.id}`, name: 'release notes v2', mimeType: 'application/json' })]);
    const read = await client.readResource({ uri: `context://${created.id}` });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ id: created.id, items: [{ content: 'the quokka migration finished' }] });
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((r) => r.uriTemplate)).toEqual(['context://{id}']);
    await expect(client.readResource({ uri: `context://${randomUUID()}` })).rejects.toMatchObject({ code: -32002 });

    expect(await call('context_delete', { id: created.id })).toEqual({ deleted: true, id: created.id });
    const gone = await client.callTool({ name: 'context_get', arguments: { id: created.id } });
    expect(gone.isError).toBe(true);
    expect((gone.content as { text: string }[])[0]!.text).toMatch(/^NOT_FOUND: no context/);
  });

  it('lists only the tools a role may call, and refuses the others as a JSON-RPC error without ending the session', async () => {
    const t = await startTestMesh();
    t.mesh.services.roles.create({ subject: 'test', kind: 'system', tenantId: 'default', role: 'admin', userId: null, keyId: null, authMethod: 'local' }, { name: 'reader-agent', permissions: ['tools:execute:context_get', 'tools:execute:context_search', 'tools:execute:whoami', 'contexts:read'] });
    const viewer = await httpClient(t.mcp, bearer(t.apiKey('viewer')));
    expect((await viewer.client.listTools()).tools).toEqual([]);
    const reader = await httpClient(t.mcp, bearer(t.apiKey('reader-agent')));
    expect((await reader.client.listTools()).tools.map((x) => x.name).sort()).toEqual(['context_get', 'context_search', 'whoami']);
    const admin = await httpClient(t.mcp, bearer(t.apiKey('admin')));
    expect((await admin.client.listTools()).tools.map((x) => x.name).sort()).toEqual(ALL_TOOLS);

    const refused = await reader.client.callTool({ name: 'context_create', arguments: { name: 'x' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(McpError);
    expect(refused).toMatchObject({ code: -32000, message: expect.stringContaining('tools:execute:context_create'), data: { code: 'FORBIDDEN' } });
    // Only the tool's own permission is not enough: the contexts permission underneath is checked too.
    t.mesh.services.roles.create({ subject: 'test', kind: 'system', tenantId: 'default', role: 'admin', userId: null, keyId: null, authMethod: 'local' }, { name: 'half', permissions: ['tools:execute:context_delete'] });
    const half = await httpClient(t.mcp, bearer(t.apiKey('half')));
    expect((await half.client.listTools()).tools).toEqual([]);
    await expect(half.client.callTool({ name: 'context_delete', arguments: { id: randomUUID() } })).rejects.toMatchObject({ code: -32000, message: expect.stringContaining('contexts:delete') });
    // The session goes on.
    expect((await reader.client.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({ role: 'reader-agent' });
    await expect(viewer.client.listResources()).resolves.toMatchObject({ resources: [] });
  });

  it('refuses missing, invalid and revoked credentials with 401 and a Bearer challenge; a key revoked mid-session fails on its next call', async () => {
    const t = await startTestMesh();
    const none = await post(t, INIT, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.body).toEqual({ error: { code: 'AUTH_REQUIRED', message: expect.any(String), trace_id: none.headers.get('x-trace-id') } });
    const wrong = await post(t, INIT, bearer('dmk_nope_nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('AUTH_INVALID');

    const key = t.apiKey('user');
    const { client } = await httpClient(t.mcp, { 'x-api-key': key });
    await client.callTool({ name: 'whoami', arguments: {} });
    t.mesh.services.apiKeys.revoke(key.split('_')[1] as string);
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(/AUTH_INVALID/);
  });

  it('binds a session to its subject: another credential presenting the id gets 404, and the attempt is audited', async () => {
    const t = await startTestMesh();
    const owner = t.apiKey('user');
    const intruder = t.apiKey('admin');
    const session = await rawSession(t, owner);
    const ping = { jsonrpc: '2.0', id: 7, method: 'ping' };
    const stolen = await post(t, ping, { ...bearer(intruder), 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' });
    expect(stolen.status).toBe(404);
    expect(stolen.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' } });
    const made_up = await post(t, ping, { ...bearer(owner), 'mcp-session-id': randomUUID(), 'mcp-protocol-version': '2025-06-18' });
    expect(made_up.status).toBe(404);
    const own = await post(t, ping, { ...bearer(owner), 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' });
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    const refused = t.mesh.core.audit.query({ event_type: 'mcp_session_refused' }).events;
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ result: 'denied', resource: `mcp_session:${session}`, metadata: { session_id: session } });
  });

  it('ends a session on DELETE, expires idle ones, and caps sessions per subject', async () => {
    const t = await startTestMesh({ mcp: { sessionIdleSeconds: 1, maxSessionsPerSubject: 2 } });
    const key = t.apiKey('user');
    const first = await rawSession(t, key);
    const headers = { ...bearer(key), 'mcp-session-id': first, 'mcp-protocol-version': '2025-06-18' };
    // Some clients send a JSON content type with the body-less DELETE: still just the end of the session.
    const deleted = await fetch(`${t.mcp}/mcp`, { method: 'DELETE', headers: { ...headers, 'content-type': 'application/json' } });
    expect(deleted.status).toBe(200);
    expect((await post(t, { jsonrpc: '2.0', id: 2, method: 'ping' }, headers)).status).toBe(404);

    await rawSession(t, key);
    const second = await rawSession(t, key);
    const third = await post(t, INIT, bearer(key));
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('MCP_MAX_SESSIONS_PER_SUBJECT') });
    // Another credential has its own allowance.
    await rawSession(t, t.apiKey('user'));

    await sleep(2600);
    expect((await post(t, { jsonrpc: '2.0', id: 3, method: 'ping' }, { ...headers, 'mcp-session-id': second })).status).toBe(404);
    await rawSession(t, key);
    const ended = t.mesh.core.audit.query({ event_type: 'mcp_session_ended' }).events.map((e) => e.metadata?.reason);
    expect(ended).toContain('deleted');
    expect(ended).toContain('idle');
  });

  it('refuses a foreign Host (421) and a foreign Origin (403) before authentication; no Origin passes', async () => {
    const t = await startTestMesh();
    const key = t.apiKey('user');
    const port = new URL(t.mcp).port;
    const { request } = await import('node:http');
    const raw = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { ...ACCEPT, ...bearer(key), ...headers } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? text) }));
        });
        req.on('error', reject);
        req.end(JSON.stringify(INIT));
      });
    const rebinding = await raw({ host: `evil.example:${port}` });
    expect(rebinding.status).toBe(421);
    expect(rebinding.body.error.code).toBe('HOST_NOT_ALLOWED');
    const crossSite = await raw({ origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await raw({})).status).toBe(200);
  });

  it('does not advertise OAuth: /.well-known/* is a plain JSON 404', async () => {
    const t = await startTestMesh();
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const res = await fetch(`${t.mcp}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(((await res.json()) as any).error.code).toBe('NOT_FOUND');
    }
  });

  it('answers bad input with the spec error and keeps serving: bad JSON, not JSON-RPC, unknown method, bad arguments, no session, too large', async () => {
    const t = await startTestMesh({ http: { extraHosts: [], allowedOrigins: [], bodyLimit: 64 * 1024 } });
    const key = t.apiKey('user');
    const session = await rawSession(t, key);
    const headers = { ...bearer(key), 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    await post(t, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);

    const badJson = await post(t, '{"jsonrpc": "2.0", ', headers);
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('BAD_REQUEST');
    const notRpc = await post(t, { hello: 'world' }, headers);
    expect(notRpc.status).toBe(400);
    expect(notRpc.body.error.code).toBe(-32700);
    const unknown = await post(t, { jsonrpc: '2.0', id: 5, method: 'tools/frobnicate' }, headers);
    expect(unknown.body).toMatchObject({ id: 5, error: { code: -32601 } });
    const badArgs = await post(t, { jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'context_get', arguments: { id: 'not-a-uuid', extra: 1 } } }, headers);
    expect(badArgs.body.result).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/validation/i) }] });
    const noTool = await post(t, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'rm_rf', arguments: {} } }, headers);
    expect(noTool.body.result ?? noTool.body.error).toBeDefined();
    const noSession = await post(t, { jsonrpc: '2.0', id: 8, method: 'tools/list' }, bearer(key));
    expect(noSession.status).toBe(400);
    expect(noSession.body.error).toMatchObject({ code: -32000, message: expect.stringContaining('Mcp-Session-Id') });
    const huge = await post(t, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'context_create', arguments: { name: 'x', description: 'y'.repeat(100_000) } } }, headers);
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');

    const fine = await post(t, { jsonrpc: '2.0', id: 10, method: 'tools/call', params: { name: 'whoami', arguments: {} } }, headers);
    expect(fine.body.result.structuredContent).toMatchObject({ role: 'user' });
  });

  it('audits every tool call with its arguments (secrets redacted), outcome, duration, session and trace id; counts them in metrics', async () => {
    const t = await startTestMesh();
    t.mesh.services.roles.create({ subject: 'test', kind: 'system', tenantId: 'default', role: 'admin', userId: null, keyId: null, authMethod: 'local' }, { name: 'creator', permissions: ['tools:execute:context_create', 'contexts:write'] });
    const key = t.apiKey('creator');
    const { client, transport } = await httpClient(t.mcp, bearer(key));
    await client.callTool({ name: 'context_create', arguments: { name: 'deploy', metadata: { api_token: 'hunter2-secret', note: `uses ${key}` } } });
    await client.callTool({ name: 'context_get', arguments: { id: randomUUID() } }).catch(() => undefined);

    // An allowed call is one event carrying its decisions; a denied one is also an authz_decision of its own.
    expect(t.mesh.core.audit.query({ event_type: 'authz_decision' }).events.map((e) => [e.result, e.metadata?.permission])).toEqual([['denied', 'tools:execute:context_get']]);
    const events = t.mesh.core.audit.query({ event_type: 'mcp_tool_call' }).events.reverse();
    expect(events.map((e) => [e.resource, e.result, e.metadata?.outcome])).toEqual([
      ['tool:context_create', 'success', 'success'],
      ['tool:context_get', 'denied', 'denied'],
    ]);
    const [ok] = events;
    expect(ok).toMatchObject({ subject: `key:${key.split('_')[1]}`, action: 'execute', trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(ok?.metadata).toMatchObject({ tool: 'context_create', session_id: transport.sessionId, transport: 'http', duration_ms: expect.any(Number) });
    const text = JSON.stringify(events);
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain(key);
    expect(ok?.metadata).toMatchObject({ role: 'creator', permissions: ['tools:execute:context_create', 'contexts:write'], arguments: { name: 'deploy', metadata: { api_token: '[REDACTED]' } } });
    expect(t.mesh.core.audit.query({ event_type: 'mcp_session_started' }).events[0]?.metadata).toMatchObject({ transport: 'http', protocol_version: '2025-11-25', client: { name: 'devmesh-tests' } });

    const metrics = await t.mesh.services.metrics.render();
    expect(metrics).toMatch(/devmesh_mcp_tool_calls_total\{tool="context_create",result="success",app="devmesh"\} 1/);
    expect(metrics).toMatch(/devmesh_mcp_tool_calls_total\{tool="context_get",result="denied",app="devmesh"\} 1/);
    expect(metrics).toMatch(/devmesh_active_sessions\{kind="mcp_http",app="devmesh"\} 1/);
  });

  it('applies the per-subject rate limit before the JSON-RPC layer: HTTP 429 with Retry-After', async () => {
    const t = await startTestMesh({ rateLimit: { ipRps: 1000, ipBurst: 1000, userRps: 1, userBurst: 3 } });
    const key = t.apiKey('user');
    const session = await rawSession(t, key);
    const headers = { ...bearer(key), 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    const statuses: number[] = [];
    let limited: { status: number; headers: Headers; body: any } | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await post(t, { jsonrpc: '2.0', id: 100 + i, method: 'ping' }, headers);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toContain(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited?.body.error.code).toBe('RATE_LIMITED');
  });
});
