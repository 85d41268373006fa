// The MCP server over WebSocket (/ws, subprotocol mcp.v1) with the official SDK Client: the same tools and rules as HTTP, an authenticated upgrade, per-message credential checks, size limit, keepalive and session end.
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read arbitrary JSON-RPC and error shapes off the wire */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import WebSocket from 'ws';
import { bearer, wsClient } from '../../helpers/mcp-client';
import { startTestMesh, type TestMesh } from '../../helpers/mesh';

/** Tries an upgrade; resolves to the refusal's status, headers and JSON body, or 'open' if the socket opened. */
function upgrade(t: TestMesh, headers: Record<string, string>, { protocol = 'mcp.v1', path = '/ws' } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: any } | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${t.mcp.replace(/^http/, 'ws')}${path}`, protocol, { headers });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
    });
    socket.once('error', reject);
  });
}

/** A raw mcp.v1 socket that has initialized; `rpc` sends one request and waits for its answer. */
async function rawSocket(t: TestMesh, credential: string): Promise<{ socket: WebSocket; rpc(message: Record<string, unknown>): Promise<any>; next(): Promise<any> }> {
  const socket = new WebSocket(`${t.mcp.replace(/^http/, 'ws')}/ws`, 'mcp.v1', { headers: bearer(credential) });
  await once(socket, 'open');
  const inbox: any[] = [];
  const waiters: ((m: any) => void)[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  const next = () => (inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise((resolve) => waiters.push(resolve)));
  const rpc = async (message: Record<string, unknown>) => {
    socket.send(JSON.stringify({ jsonrpc: '2.0', ...message }));
    return next();
  };
  const init = await rpc({ id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-ws', version: '0' } } });
  expect(init.result.protocolVersion).toBe('2025-06-18');
  socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  return { socket, rpc, next };
}

describe('MCP over WebSocket (mcp.v1)', () => {
  it('runs a session with the official client: tools filtered by role, calls, resources', async () => {
    const t = await startTestMesh();
    const { client, transport } = await wsClient(t.mcp, bearer(t.apiKey('user')));
    expect(transport.socket?.protocol).toBe('mcp.v1');
    expect((await client.listTools()).tools).toHaveLength(8);
    const created = await client.callTool({ name: 'context_create', arguments: { name: 'over ws' } });
    const id = (created.structuredContent as { id: string }).id;
    await client.callTool({ name: 'context_append', arguments: { id, role: 'user', content: 'hello over a socket' } });
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual([`context://${id}`]);
    expect(JSON.parse(((await client.readResource({ uri: `context://${id}` })).contents[0] as { text: string }).text)).toMatchObject({ items: [{ content: 'hello over a socket' }] });

    const viewer = await wsClient(t.mcp, { 'x-api-key': t.apiKey('viewer') });
    expect((await viewer.client.listTools()).tools).toEqual([]);
    await expect(viewer.client.callTool({ name: 'context_delete', arguments: { id } })).rejects.toMatchObject({ code: -32000, data: { code: 'FORBIDDEN' } });
    const events = t.mesh.core.audit.query({ event_type: 'mcp_tool_call' }).events;
    expect(events.every((e) => e.metadata?.transport === 'ws')).toBe(true);
    expect(events.find((e) => e.result === 'denied')?.metadata).toMatchObject({ tool: 'context_delete', session_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('refuses the upgrade without a valid credential (401, Bearer challenge, our error shape): the socket never opens', async () => {
    const t = await startTestMesh();
    const none = await upgrade(t, {});
    expect(none).toMatchObject({ status: 401, headers: { 'www-authenticate': expect.stringMatching(/^Bearer/) }, body: { error: { code: 'AUTH_REQUIRED' } } });
    expect(none !== 'open' && none.body.error.trace_id).toBe(none !== 'open' && none.headers['x-trace-id']);
    expect(await upgrade(t, bearer('dmk_made_up'))).toMatchObject({ status: 401, body: { error: { code: 'AUTH_INVALID' } } });
    const key = t.apiKey('user');
    t.mesh.services.apiKeys.revoke(key.split('_')[1] as string);
    expect(await upgrade(t, bearer(key))).toMatchObject({ status: 401, body: { error: { code: 'AUTH_INVALID' } } });
  });

  it('refuses a foreign Host or Origin, a missing mcp.v1 subprotocol and other paths; accepts a good upgrade', async () => {
    const t = await startTestMesh();
    const key = t.apiKey('user');
    expect(await upgrade(t, { ...bearer(key), origin: 'https://evil.example' })).toMatchObject({ status: 403, body: { error: { code: 'ORIGIN_NOT_ALLOWED' } } });
    expect(await upgrade(t, { ...bearer(key), host: 'evil.example' })).toMatchObject({ status: 421, body: { error: { code: 'HOST_NOT_ALLOWED' } } });
    expect(await upgrade(t, bearer(key), { protocol: 'graphql-ws' })).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST', message: expect.stringContaining('mcp.v1') } } });
    expect(await upgrade(t, bearer(key), { path: '/mcp' })).toMatchObject({ status: 404 });
    expect(await upgrade(t, bearer(key))).toBe('open');
  });

  it('checks the credential on every message: a key revoked mid-session gets an error and the socket closes (1008)', async () => {
    const t = await startTestMesh();
    const key = t.apiKey('user');
    const { socket, rpc } = await rawSocket(t, key);
    expect((await rpc({ id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } })).result.structuredContent.role).toBe('user');
    t.mesh.services.apiKeys.revoke(key.split('_')[1] as string);
    const closed = once(socket, 'close');
    const refused = await rpc({ id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } });
    expect(refused).toMatchObject({ id: 2, error: { code: -32000, data: { code: 'AUTH_INVALID' } } });
    const [code] = await closed;
    expect(code).toBe(1008);
  });

  it('answers bad frames with JSON-RPC errors and keeps the session; an oversized frame closes only that socket (1009)', async () => {
    const t = await startTestMesh({ http: { extraHosts: [], allowedOrigins: [], bodyLimit: 16 * 1024 } });
    const key = t.apiKey('user');
    const a = await rawSocket(t, key);
    const b = await rawSocket(t, key);
    a.socket.send('{not json');
    expect(await a.next()).toMatchObject({ id: null, error: { code: -32700 } });
    expect(await a.rpc({ hello: 1 } as never)).toMatchObject({ error: { code: -32600 } });
    expect(await a.rpc({ id: 3, method: 'no/such/method' })).toMatchObject({ id: 3, error: { code: -32601 } });
    expect(await a.rpc({ id: 4, method: 'tools/call', params: { name: 'context_get', arguments: { id: 42 } } })).toMatchObject({ id: 4, result: { isError: true } });
    expect(await a.rpc({ id: 5, method: 'ping' })).toEqual({ jsonrpc: '2.0', id: 5, result: {} });

    const closed = once(a.socket, 'close');
    a.socket.send(JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'context_create', arguments: { name: 'x'.repeat(20_000) } } }));
    const [code] = await closed;
    expect(code).toBe(1009);
    expect(await b.rpc({ id: 7, method: 'ping' })).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
  });

  it('rate-limits per subject with a JSON-RPC error carrying retry_after, without closing the socket', async () => {
    const t = await startTestMesh({ rateLimit: { ipRps: 1000, ipBurst: 1000, userRps: 1, userBurst: 4 } });
    const { rpc } = await rawSocket(t, t.apiKey('user'));
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await rpc({ id: 10 + i, method: 'ping' }));
    const limited = answers.find((a) => a.error !== undefined);
    expect(limited).toMatchObject({ error: { code: -32000, data: { code: 'RATE_LIMITED', retry_after: expect.any(Number) } } });
    await sleep(1100);
    expect(await rpc({ id: 99, method: 'ping' })).toEqual({ jsonrpc: '2.0', id: 99, result: {} });
  });

  it('a closed socket ends its session (audited, gauge down); sessions count toward the per-subject cap', async () => {
    const t = await startTestMesh({ mcp: { sessionIdleSeconds: 3600, maxSessionsPerSubject: 1 } });
    const key = t.apiKey('user');
    const { socket } = await rawSocket(t, key);
    expect(await upgrade(t, bearer(key))).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect(await t.mesh.services.metrics.render()).toMatch(/devmesh_active_sessions\{kind="mcp_ws",app="devmesh"\} 1/);
    socket.close();
    await once(socket, 'close');
    await sleep(100);
    expect(await t.mesh.services.metrics.render()).toMatch(/devmesh_active_sessions\{kind="mcp_ws",app="devmesh"\} 0/);
    expect(t.mesh.core.audit.query({ event_type: 'mcp_session_ended' }).events[0]?.metadata).toMatchObject({ transport: 'ws', reason: 'closed' });
    expect(await upgrade(t, bearer(key))).toBe('open');
  });

  it('sends tools/list_changed when an edit of the caller\'s role changes what it may call', async () => {
    const t = await startTestMesh();
    const admin = { subject: 'test', kind: 'system', tenantId: 'default', role: 'admin', userId: null, keyId: null, authMethod: 'local' } as const;
    t.mesh.services.roles.create(admin, { name: 'growing', permissions: ['tools:execute:whoami'] });
    const { client } = await wsClient(t.mcp, bearer(t.apiKey('growing')));
    const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['whoami']);
    t.mesh.services.roles.update(admin, 'growing', { permissions: ['tools:execute:whoami', 'tools:execute:context_get', 'contexts:read'] });
    await changed;
    expect((await client.listTools()).tools.map((x) => x.name).sort()).toEqual(['context_get', 'whoami']);
  });

  it('closes open sockets when the mesh stops', async () => {
    const t = await startTestMesh();
    const { socket } = await rawSocket(t, t.apiKey('user'));
    const closed = once(socket, 'close');
    await t.mesh.stop();
    const [code] = await closed;
    expect(code).toBe(1001);
  });
});
