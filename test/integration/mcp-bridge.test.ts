// `devmesh mcp-bridge` as Claude Desktop runs it: the official SDK's stdio client spawns the real CLI, which relays to an SDK MCP server over HTTP.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, LATEST_PROTOCOL_VERSION, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { newOpaqueToken } from '../../src/main/core/auth/tokens';
import { createOsKeychain } from '../../src/main/core/keychain/keychain';
import { BRIDGE_KEY_ACCOUNT } from '../../src/main/core/mcp/bridge-key';
import { cleanEnv, expectOneCleanLine, REPO_ROOT, runCli } from '../helpers/cli';
import { osKeychainStatus } from '../helpers/os-keychain';
import { tempDir } from '../helpers/temp-dir';
import { freePort } from '../helpers/ports';

const BIN = join(REPO_ROOT, 'bin', 'devmesh.js');
const KEY = newOpaqueToken('dmk').raw;
const WRONG_KEY = newOpaqueToken('dmk').raw;
const SERVER_INFO = { name: 'fake-mesh', version: '9.9.9' };

interface SeenRequest {
  method: string;
  authorization: string | undefined;
  sessionId: string | undefined;
  protocolVersion: string | undefined;
  rpcMethod: string | undefined;
}

interface FakeMesh {
  url: string;
  seen: SeenRequest[];
  /** Session ids the server handed out. */
  issued: string[];
  /** How many `hang` calls (which never answer) have started. */
  hanging: number;
  dropConnections(): void;
  /** Forgets every session and drops every connection, as a restarted mesh would. */
  restart(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function mcpServer(mesh: FakeMesh): McpServer {
  const server = new McpServer(SERVER_INFO, { capabilities: { tools: { listChanged: true } } });
  server.registerTool('echo', { description: 'echoes its text', inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }));
  server.registerTool('announce', { description: 'tells clients the tool list changed' }, () => {
    server.sendToolListChanged();
    return { content: [{ type: 'text', text: 'announced' }] };
  });
  server.registerTool('hang', { description: 'never answers' }, () => {
    mesh.hanging += 1;
    return new Promise(() => {});
  });
  server.registerResource('readme', 'mesh://readme', { mimeType: 'text/plain' }, (uri) => ({ contents: [{ uri: uri.href, text: 'hello from the mesh' }] }));
  return server;
}

async function jsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A bare SDK MCP server over stateful Streamable HTTP that wants `Authorization: Bearer <key>` and records every request. */
async function startFakeMesh(key: string): Promise<FakeMesh> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const mesh: FakeMesh = {
    url: '',
    seen: [],
    issued: [],
    hanging: 0,
    dropConnections: () => server.closeAllConnections(),
    async restart() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((t) => t.close()));
      server.closeAllConnections();
    },
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = request.method === 'POST' ? await jsonBody(request) : undefined;
    const authorization = header(request, 'authorization');
    const sessionId = header(request, 'mcp-session-id');
    const rpcMethod = typeof body === 'object' && body !== null && 'method' in body ? String(body.method) : undefined;
    mesh.seen.push({ method: request.method ?? '', authorization, sessionId, protocolVersion: header(request, 'mcp-protocol-version'), rpcMethod });
    if (authorization !== `Bearer ${key}`) {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'AUTH_INVALID', message: 'The API key is not valid.' } }));
      return;
    }
    const existing = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (existing !== undefined) return existing.handleRequest(request, response, body);
    if (sessionId !== undefined || !isInitializeRequest(body)) {
      response.writeHead(sessionId === undefined ? 400 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'No such session.' } }));
      return;
    }
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
        mesh.issued.push(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await mcpServer(mesh).connect(transport);
    await transport.handleRequest(request, response, body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mesh.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return mesh;
}


const clients: Client[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
});

/** The official stdio client with the real CLI as its server command, as a client config would run it. */
function bridgeClient(url: string, env: Record<string, string | undefined>): { client: Client; transport: StdioClientTransport; stderr: () => string } {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp-bridge', '--url', url], env: cleanEnv(env), cwd: REPO_ROOT, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name: 'bridge-test', version: '1.0.0' });
  clients.push(client);
  return { client, transport, stderr: () => stderr };
}

/** The bridge driven by hand, line by line, to see exactly what reaches stdout and how it exits. */
function rawBridge(args: string[], env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [BIN, 'mcp-bridge', ...args], { cwd: REPO_ROOT, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const messages = (): Array<Record<string, unknown>> => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    send: (message: Record<string, unknown>) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`),
    answer: (id: string | number) => vi.waitFor(() => {
      const found = messages().find((m) => m.id === id);
      if (found === undefined) throw new Error(`no answer to ${id} yet; stderr:\n${stderr}`);
      return found;
    }, { timeout: 15_000, interval: 50 }),
    end: () => {
      child.stdin.end();
      return exited;
    },
    stdout: () => stdout,
    stderr: () => stderr,
    signal: (signal: NodeJS.Signals) => {
      child.kill(signal);
      return exited;
    },
  };
}

const INITIALIZE = { method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

describe('devmesh mcp-bridge relays a full session', () => {
  it('initialize, tools, resources, ping and a server notification pass through; closing the client ends the session', async () => {
    const mesh = await startFakeMesh(KEY);
    const dataDir = join(tempDir(), 'never-created');
    const { client, transport, stderr } = bridgeClient(mesh.url, { DEVMESH_API_KEY: KEY, DEVMESH_DATA_DIR: dataDir });
    const listChanged = new Promise<string>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, (n) => resolve(n.method)));

    await client.connect(transport);
    expect(client.getServerVersion()).toEqual(SERVER_INFO);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['announce', 'echo', 'hang']);
    expect(await client.callTool({ name: 'echo', arguments: { text: 'hello' } })).toEqual({ content: [{ type: 'text', text: 'echo: hello' }] });
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['mesh://readme']);
    expect((await client.readResource({ uri: 'mesh://readme' })).contents).toEqual([{ uri: 'mesh://readme', text: 'hello from the mesh' }]);
    expect(await client.ping()).toEqual({});

    // A notification the server sends on its own travels on the standalone GET stream the bridge opened after `initialized`.
    await vi.waitFor(() => expect(mesh.seen.some((r) => r.method === 'GET')).toBe(true));
    await client.callTool({ name: 'announce' });
    expect(await listChanged).toBe('notifications/tools/list_changed');

    const [sessionId] = mesh.issued;
    expect(mesh.issued).toHaveLength(1);
    const afterInit = mesh.seen.slice(1);
    expect(afterInit.every((r) => r.authorization === `Bearer ${KEY}` && r.sessionId === sessionId)).toBe(true);
    expect(afterInit.every((r) => r.protocolVersion === LATEST_PROTOCOL_VERSION)).toBe(true);
    expect(mesh.seen.filter((r) => r.method === 'POST').map((r) => r.rpcMethod)).toEqual([
      'initialize', 'notifications/initialized', 'tools/list', 'tools/call', 'resources/list', 'resources/read', 'ping', 'tools/call',
    ]);

    await client.close();
    await vi.waitFor(() => expect(mesh.seen.filter((r) => r.method === 'DELETE').map((r) => r.sessionId)).toEqual([sessionId]));
    expect(stderr()).not.toContain(KEY);
    expect(stderr()).toContain(`relaying stdio to ${mesh.url} with the API key from DEVMESH_API_KEY`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('opens a new session by itself when the mesh has forgotten the old one (a restart), and the client goes on', async () => {
    const mesh = await startFakeMesh(KEY);
    const { client, transport, stderr } = bridgeClient(mesh.url, { DEVMESH_API_KEY: KEY });
    let toolListChanges = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      toolListChanges += 1;
    });
    await client.connect(transport);
    expect(await client.callTool({ name: 'echo', arguments: { text: 'before' } })).toEqual({ content: [{ type: 'text', text: 'echo: before' }] });

    await mesh.restart();
    // The next request finds the session gone (404): the bridge initializes again as the client did, then resends it.
    expect(await client.callTool({ name: 'echo', arguments: { text: 'after' } })).toEqual({ content: [{ type: 'text', text: 'echo: after' }] });
    expect(await client.ping()).toEqual({});
    expect(mesh.issued).toHaveLength(2);
    const [, second] = mesh.issued;
    const posts = mesh.seen.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.rpcMethod)).toEqual(['initialize', 'notifications/initialized', 'tools/call', 'tools/call', 'initialize', 'notifications/initialized', 'tools/call', 'ping']);
    expect(posts.slice(-3).every((r) => r.sessionId === second && r.protocolVersion === LATEST_PROTOCOL_VERSION)).toBe(true);
    // The client hears its tools may have changed (the new session's policy may differ).
    await vi.waitFor(() => expect(toolListChanges).toBe(1));
    expect(stderr()).toContain('the mesh no longer knew this MCP session (it restarted, or the session expired): opened a new one and resent the request');
    expect(stderr()).not.toContain(KEY);
  });

  it('writes only protocol messages to stdout, ends the session and exits 0 when stdin closes', async () => {
    const mesh = await startFakeMesh(KEY);
    const bridge = rawBridge(['--url', mesh.url], { DEVMESH_API_KEY: KEY });
    bridge.send({ id: 1, ...INITIALIZE });
    expect(((await bridge.answer(1)).result as { serverInfo: unknown }).serverInfo).toEqual(SERVER_INFO);
    bridge.send({ method: 'notifications/initialized' });
    bridge.send({ id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'raw' } } });
    expect((await bridge.answer(2)).result).toEqual({ content: [{ type: 'text', text: 'echo: raw' }] });

    expect(await bridge.end()).toBe(0);
    expect(mesh.issued).toHaveLength(1);
    expect(mesh.seen.filter((r) => r.method === 'DELETE').map((r) => r.sessionId)).toEqual(mesh.issued);
    expect(bridge.stdout().trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: unknown }).id)).toEqual([1, 2]);
  });

  it('ends the session and exits 0 on SIGTERM too (a client that kills its servers)', async () => {
    const mesh = await startFakeMesh(KEY);
    const bridge = rawBridge(['--url', mesh.url], { DEVMESH_API_KEY: KEY });
    bridge.send({ id: 1, ...INITIALIZE });
    await bridge.answer(1);
    expect(await bridge.signal('SIGTERM')).toBe(0);
    expect(mesh.issued).toHaveLength(1);
    expect(mesh.seen.filter((r) => r.method === 'DELETE').map((r) => r.sessionId)).toEqual(mesh.issued);
  });
});

describe('devmesh mcp-bridge when something is wrong', () => {
  it('answers each request refused by the mesh (401) with a JSON-RPC error of the same id, and keeps running', async () => {
    const mesh = await startFakeMesh(KEY);
    const bridge = rawBridge(['--url', mesh.url], { DEVMESH_API_KEY: WRONG_KEY });
    bridge.send({ id: 'first', ...INITIALIZE });
    const first = (await bridge.answer('first')).error as { code: number; message: string; data: unknown };
    expect(first.message).toMatch(/^the mesh refused the API key \(401\): check `devmesh keys list`.*devmesh mcp-bridge --store-key.*the mesh said: The API key is not valid\.$/);
    expect(first.code).toBe(-32000);
    expect(first.data).toEqual({ code: 'AUTH_INVALID', http_status: 401 });
    bridge.send({ id: 7, method: 'ping' });
    expect(((await bridge.answer(7)).error as { message: string }).message).toContain('(401)');
    expect(await bridge.end()).toBe(0);
    expect(mesh.seen.map((r) => r.authorization)).toEqual([`Bearer ${WRONG_KEY}`, `Bearer ${WRONG_KEY}`]);
    const lines = bridge.stderr().trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('refused the API key (401)'))).toHaveLength(2);
    expect(bridge.stderr()).not.toMatch(/\n\s+at /);
    expect(bridge.stderr()).not.toContain(WRONG_KEY);
  });

  it('fails the official client\'s initialize with the reason, instead of hanging', async () => {
    const mesh = await startFakeMesh(KEY);
    const { client, transport } = bridgeClient(mesh.url, { DEVMESH_API_KEY: WRONG_KEY });
    await expect(client.connect(transport)).rejects.toThrow(/the mesh refused the API key \(401\)/);
  });

  it('says the mesh cannot be reached when nothing listens at the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}/mcp`;
    const bridge = rawBridge(['--url', url], { DEVMESH_API_KEY: KEY });
    bridge.send({ id: 1, ...INITIALIZE });
    const { message } = (await bridge.answer(1)).error as { message: string };
    expect(message).toBe(`cannot reach the mesh at ${url} (ECONNREFUSED): is \`devmesh serve\` or the desktop app running?`);
    expect(await bridge.end()).toBe(0);
  });

  it('fails a request whose answer was still streaming when the mesh went away', async () => {
    const mesh = await startFakeMesh(KEY);
    const { client, transport } = bridgeClient(mesh.url, { DEVMESH_API_KEY: KEY });
    await client.connect(transport);
    const call = client.callTool({ name: 'hang' }, undefined, { timeout: 10_000 });
    await vi.waitFor(() => expect(mesh.hanging).toBe(1));
    mesh.dropConnections();
    await expect(call).rejects.toThrow(/the connection to the mesh at .* broke before it answered/);
  });

  it('exits 1 naming both ways to give it a key when there is neither DEVMESH_API_KEY nor a reachable keychain entry', async () => {
    const mesh = await startFakeMesh(KEY);
    // No session bus: the keychain cannot answer, as on a server without one.
    const result = await runCli(['mcp-bridge', '--url', mesh.url], { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/devmesh-test-bus', HOME: tempDir() } });
    expect(result.code).toBe(1);
    const line = expectOneCleanLine(result.stderr);
    expect(line).toMatch(/^devmesh: no API key: DEVMESH_API_KEY is not set and .*set DEVMESH_API_KEY in the MCP client's config.*devmesh mcp-bridge --store-key/);
    expect(result.stdout).toBe('');
    expect(mesh.seen).toEqual([]);
  });

  it.each([
    ['ftp://127.0.0.1/mcp', '--url must be an http:// or https:// URL'],
    ['localhost:8080/mcp', '--url must be an http:// or https:// URL'],
    ['not a url', '--url "not a url" is not a URL'],
    ['http://me:secret@127.0.0.1:8080/mcp', '--url must not carry a user name or password'],
  ])('refuses --url %s with a clear line', async (url, expected) => {
    const result = await runCli(['mcp-bridge', '--url', url], { env: { DEVMESH_API_KEY: KEY } });
    expect(result.code).toBe(1);
    expect(expectOneCleanLine(result.stderr)).toContain(expected);
    expect(result.stdout).toBe('');
  });

  it('refuses an MCP_PORT it cannot connect to when no --url is given', async () => {
    const result = await runCli(['mcp-bridge'], { env: { DEVMESH_API_KEY: KEY, MCP_PORT: '0' } });
    expect(result.code).toBe(1);
    expect(expectOneCleanLine(result.stderr)).toContain('MCP_PORT="0" is not a port the bridge can connect to');
  });
});

const keychainStatus = osKeychainStatus();
// The CLI uses the real keychain service, so this runs only where `npm test` gave it a throwaway keyring (DEVMESH_TEST_KEYRING=isolated).
const isolatedKeyring = process.env.DEVMESH_TEST_KEYRING === 'isolated';
if (keychainStatus.available && !isolatedKeyring) {
  process.stderr.write('\n!!! mcp-bridge --store-key tests SKIPPED: they write the real "Developer Mesh Console" keychain entry; run them through `npm test` (throwaway keyring)\n\n');
}

describe.runIf(keychainStatus.available && isolatedKeyring)('devmesh mcp-bridge --store-key with the OS keychain', () => {
  const keychain = createOsKeychain();
  afterAll(() => {
    keychain.delete(BRIDGE_KEY_ACCOUNT);
  });

  it('stores a key, the bridge uses it, DEVMESH_API_KEY overrides it, --forget-key removes it', async () => {
    keychain.delete(BRIDGE_KEY_ACCOUNT);
    const empty = await runCli(['mcp-bridge', '--url', 'http://127.0.0.1:9/mcp']);
    expect(empty.code).toBe(1);
    expect(expectOneCleanLine(empty.stderr)).toMatch(/holds none; run `devmesh keys create .* \| devmesh mcp-bridge --store-key`, or set DEVMESH_API_KEY/);

    const refused = await runCli(['mcp-bridge', '--store-key'], { input: 'dmk_not-a-key\n' });
    expect(refused.code).toBe(1);
    expect(expectOneCleanLine(refused.stderr)).toContain('that is not a devmesh API key');
    expect(keychain.get(BRIDGE_KEY_ACCOUNT)).toBeNull();

    const stored = await runCli(['mcp-bridge', '--store-key'], { input: `${KEY}\n` });
    expect(stored.code).toBe(0);
    expect(stored.stdout).toBe('');
    expect(expectOneCleanLine(stored.stderr)).toMatch(/^devmesh mcp-bridge: API key stored in the OS keychain/);
    expect(stored.stderr).not.toContain(KEY);
    expect(keychain.get(BRIDGE_KEY_ACCOUNT)).toBe(KEY);

    const mesh = await startFakeMesh(KEY);
    const { client, transport, stderr } = bridgeClient(mesh.url, {});
    await client.connect(transport);
    expect(await client.callTool({ name: 'echo', arguments: { text: 'from the keychain' } })).toEqual({ content: [{ type: 'text', text: 'echo: from the keychain' }] });
    expect(stderr()).toContain('with the API key from the OS keychain');
    await client.close();

    const overridden = bridgeClient(mesh.url, { DEVMESH_API_KEY: WRONG_KEY });
    await expect(overridden.client.connect(overridden.transport)).rejects.toThrow(/\(401\)/);
    expect(mesh.seen.at(-1)?.authorization).toBe(`Bearer ${WRONG_KEY}`);

    const forgotten = await runCli(['mcp-bridge', '--forget-key']);
    expect(forgotten.code).toBe(0);
    expect(expectOneCleanLine(forgotten.stderr)).toContain('API key removed from the OS keychain');
    expect(keychain.get(BRIDGE_KEY_ACCOUNT)).toBeNull();
    const again = await runCli(['mcp-bridge', '--forget-key']);
    expect(expectOneCleanLine(again.stderr)).toContain('held no API key');
  });
});
