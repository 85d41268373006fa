// MCP: `tools/call context_get` over Streamable HTTP with an API key through the mesh (Host/Origin guard, rate limits,
// authentication, authorization, audit, gate) versus the same McpServer on the SDK's transport over bare node:http, with
// 1 and 50 concurrent sessions; and the memory 1,000 idle WebSocket (mcp.v1) sessions hold in the mesh.
// Each server runs in its own child process (this file again, with --serve-mesh or --serve-bare), so the load generated
// here (raw node:http requests, not the SDK client, whose own cost would dominate) does not share its event loop.
import { randomUUID } from 'node:crypto';
import { openSync } from 'node:fs';
import { createServer, Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import WebSocket from 'ws';
import type { Principal } from '../src/main/core/auth/principal';
import { childGroup, countAuditEvents, profileDirFrom, READY_TIMEOUT_MS, runLoops, serveCommands, serveIfChild, writeLine, type Child, type LoopLoad } from './child';
import { ITEMS, seedContext } from './fixtures';
import type { BenchResult } from './result';
import { median, nowNs, round } from './stats';

const SELF = fileURLToPath(import.meta.url);

const PROTOCOL_VERSION = '2025-11-25';
/** Concurrent sessions of the loaded scenario, each its own MCP session with its own sequential loop of calls. */
const SESSIONS = 50;
const SCENARIOS = [1, SESSIONS] as const;
type Scenario = (typeof SCENARIOS)[number];
const WARMUP_SECONDS = 3;
const ROUND_SECONDS = 8;
const ROUNDS = 3;
const TARGET_RATIO = 1.5;
const WS_SESSIONS = 1000;
/** WebSockets being opened (upgrade, initialize, ping) at once. */
const WS_OPEN_CONCURRENCY = 50;
/** Time for the audit writer to commit the session events before memory is read. */
const SETTLE_MS = 500;
const REPORT_TIMEOUT_MS = 120_000;
/** Set to a directory to write .cpuprofile files of both servers (one subdirectory each). */
const PROFILE_ENV = 'BENCH_MCP_CPU_PROF';
/** Both children, so `memory` can collect garbage first. */
const NODE_ARGS = ['--expose-gc'] as const;
const PASSWORD_COST = 4;
const SERVER_VERSION = '0.0.0-bench';
const TOOL_CALL = 'mcp_tool_call';
const AUTHZ = 'authz_decision';

type Target = 'bare' | 'mesh';
const TARGETS: readonly Target[] = ['bare', 'mesh'];

/** The mesh child's ready line. */
interface MeshReady {
  /** Base URL of the MCP server (/mcp, /ws). */
  url: string;
  apiKey: string;
  contextId: string;
  toolCallEvents: number;
  authzEvents: number;
}

/** The bare child's ready line. */
interface BareReady {
  url: string;
  contextId: string;
}

/** The mesh child's answer to `report`: the audit trail after the load. */
interface AuditReport {
  ok: boolean;
  checked: number;
  toolCallEvents: number;
  authzEvents: number;
  reason?: string;
}

/** A child's answer to `memory`, in bytes, after two full collections when --expose-gc made gc() available. */
interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  collected: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes (servers under test)
// ---------------------------------------------------------------------------------------------------------------

function memoryAfterGc(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external, collected: gc !== undefined };
}

/**
 * The mesh as `devmesh serve` runs it (writer thread committing the audit trail and printing each line, here to
 * /dev/null, since stdout carries this protocol) on a temp data dir with an in-memory keychain: the benchmark's context
 * and a `user` API key. Rate limits are on but sized not to refuse the load (their cost is measured, not their effect);
 * sessions never idle out and one key may hold all of them. Answers `cpu`, `memory` and `report` on stdin.
 */
async function serveMesh(dataDir: string): Promise<void> {
  const [{ default: pino }, { startMesh }, { testConfig }, { createMemoryKeychain }] = await Promise.all([
    import('pino'),
    import('../src/main/mesh'),
    import('../test/helpers/config'),
    import('../test/helpers/memory-keychain'),
  ]);
  const rateLimit = { ipRps: 10_000_000, ipBurst: 10_000_000, userRps: 10_000_000, userBurst: 10_000_000 };
  const config = { ...testConfig(dataDir), rateLimit, mcp: { sessionIdleSeconds: 3600, maxSessionsPerSubject: 5000 } };
  const mesh = await startMesh(config, { logger: pino({ level: 'silent' }), keychain: createMemoryKeychain(), passwordCost: PASSWORD_COST, auditSink: { fd: openSync('/dev/null', 'w') } });
  const { key, record } = mesh.services.apiKeys.create({ name: 'mcp bench', role: 'user', tenantId: 'default', ownerId: null, createdBy: 'bench' });
  const contextId = seedContext(mesh.services.contexts, `key:${record.id}`);

  const { audit, db } = mesh.core;
  audit.verify(); // flushes: the counts below include everything so far
  writeLine({ url: mesh.urls.mcp, apiKey: key, contextId, toolCallEvents: countAuditEvents(db, TOOL_CALL), authzEvents: countAuditEvents(db, AUTHZ) } satisfies MeshReady);
  serveCommands(
    {
      cpu: () => process.cpuUsage(),
      memory: memoryAfterGc,
      report: () => {
        const verified = audit.verify(); // flushes first: everything appended so far is committed and checked
        return { ok: verified.ok, checked: verified.checked, toolCallEvents: countAuditEvents(db, TOOL_CALL), authzEvents: countAuditEvents(db, AUTHZ), ...(verified.ok ? {} : { reason: verified.reason }) } satisfies AuditReport;
      },
    },
    () => mesh.stop(),
  );
}

function isInitialize(body: unknown): boolean {
  const first = Array.isArray(body) ? body[0] : body;
  return typeof first === 'object' && first !== null && (first as { method?: unknown }).method === 'initialize';
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The baseline: the mesh's own McpServer (createSessionServer, same tools over its own core and services with the same
 * context) connected directly to the SDK's StreamableHTTPServerTransport, stateful, on a plain node:http server: no
 * Fastify, Host/Origin guard, authentication, rate limit, authorization, audit or gate. Every request carries a fixed
 * `user` principal, as the mesh's transport would attach it. Answers `cpu` and `memory` on stdin.
 */
async function serveBare(dataDir: string): Promise<void> {
  const [{ StreamableHTTPServerTransport }, { openCore }, { createServices }, { createSessionServer }, { authInfoFor }, { testConfig }, { createMemoryKeychain }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    import('../src/main/core/open-core'),
    import('../src/main/core/services'),
    import('../src/main/servers/mcp/session-server'),
    import('../src/main/servers/mcp/gate'),
    import('../test/helpers/config'),
    import('../test/helpers/memory-keychain'),
  ]);
  type Transport = InstanceType<typeof StreamableHTTPServerTransport>;
  const core = openCore(testConfig(dataDir), { keychain: createMemoryKeychain() });
  const services = createServices(core, { passwordCost: PASSWORD_COST });
  const principal: Principal = { subject: 'key:bench', kind: 'api_key', tenantId: 'default', role: 'user', userId: null, keyId: 'bench', authMethod: 'api_key' };
  const contextId = seedContext(services.contexts, principal.subject);
  const transports = new Map<string, Transport>();

  async function open(): Promise<Transport> {
    const server = createSessionServer(services, SERVER_VERSION);
    const transport: Transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void transports.set(id, transport),
      onsessionclosed: (id) => void transports.delete(id),
    });
    server.server.onclose = () => {
      if (transport.sessionId !== undefined) transports.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  }

  async function handle(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse): Promise<void> {
    if ((req.url ?? '').split('?')[0] !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const id = req.headers['mcp-session-id'];
    const transport = typeof id === 'string' ? transports.get(id) : req.method === 'POST' && isInitialize(body) ? await open() : undefined;
    if (transport === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
      return;
    }
    req.auth = authInfoFor({ principal, ctx: { ip: req.socket.remoteAddress } });
    await transport.handleRequest(req, res, body);
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(`bare MCP request failed: ${String(error)}\n`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'internal error' }, id: null }));
      else res.end();
    });
  });
  // Fastify's default, so an idle keep-alive connection lives as long on both servers.
  http.keepAliveTimeout = 72_000;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('bare server has no TCP address');
  writeLine({ url: `http://127.0.0.1:${address.port}`, contextId } satisfies BareReady);
  serveCommands({ cpu: () => process.cpuUsage(), memory: memoryAfterGc }, async () => {
    await Promise.allSettled([...transports.values()].map((t) => t.close()));
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    services.close();
    await core.close();
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: MCP over raw HTTP, load in alternating rounds, audit check, WebSocket memory
// ---------------------------------------------------------------------------------------------------------------

interface Server {
  readonly target: Target;
  readonly child: Child;
  readonly url: URL;
  readonly contextId: string;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface RpcMessage {
  id?: unknown;
  result?: { isError?: boolean; protocolVersion?: string; structuredContent?: { id?: unknown }; content?: { text?: string }[] };
  error?: { code: number; message: string };
}

/** An open MCP session: the headers every request of it carries, and the next JSON-RPC id. */
interface Session {
  readonly id: string;
  readonly headers: OutgoingHttpHeaders;
  nextId: number;
}

function post(agent: Agent, url: URL, method: string, headers: OutgoingHttpHeaders, body?: string): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const req = httpRequest(url, { agent, method, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The JSON-RPC message of a reply: the body as JSON, or the data of its (only) SSE event. */
function messageOf(reply: Reply): RpcMessage {
  if ((reply.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    const data = /^data: (.*)$/m.exec(reply.body)?.[1];
    if (data === undefined) throw new Error(`an SSE reply without data: ${reply.body.slice(0, 200)}`);
    return JSON.parse(data) as RpcMessage;
  }
  return JSON.parse(reply.body) as RpcMessage;
}

function baseHeaders(apiKey: string): OutgoingHttpHeaders {
  return { accept: 'application/json, text/event-stream', 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
}

/** initialize, then notifications/initialized, as any client does before its first call. */
async function openSession(agent: Agent, server: Server, apiKey: string): Promise<Session> {
  const init = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'devmesh-mcp-bench', version: '1' } } };
  const reply = await post(agent, server.url, 'POST', baseHeaders(apiKey), JSON.stringify(init));
  const id = reply.headers['mcp-session-id'];
  if (reply.status !== 200 || typeof id !== 'string') throw new Error(`${server.target}: initialize answered ${reply.status} ${reply.body.slice(0, 300)}`);
  const agreed = messageOf(reply).result?.protocolVersion;
  if (agreed !== PROTOCOL_VERSION) throw new Error(`${server.target}: initialize agreed on ${String(agreed)}, not ${PROTOCOL_VERSION}`);
  const headers = { ...baseHeaders(apiKey), 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL_VERSION };
  const initialized = await post(agent, server.url, 'POST', headers, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  if (initialized.status !== 202) throw new Error(`${server.target}: notifications/initialized answered ${initialized.status} ${initialized.body.slice(0, 300)}`);
  return { id, headers, nextId: 1 };
}

async function closeSession(agent: Agent, server: Server, session: Session): Promise<void> {
  const { 'content-type': _bodyless, ...headers } = session.headers;
  const reply = await post(agent, server.url, 'DELETE', headers);
  if (reply.status !== 200) throw new Error(`${server.target}: DELETE /mcp answered ${reply.status} ${reply.body.slice(0, 300)}`);
}

/** One tools/call context_get; undefined when it answered the context, else what was wrong. */
async function callContextGet(agent: Agent, server: Server, session: Session): Promise<string | undefined> {
  const id = session.nextId;
  session.nextId += 1;
  const body = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"context_get","arguments":{"id":"${server.contextId}"}}}`;
  const reply = await post(agent, server.url, 'POST', session.headers, body);
  if (reply.status !== 200) return `HTTP ${reply.status}: ${reply.body.slice(0, 300)}`;
  const message = messageOf(reply);
  if (message.id !== id) return `answer to id ${String(message.id)} for request ${id}`;
  if (message.error !== undefined) return `JSON-RPC error ${message.error.code}: ${message.error.message}`;
  if (message.result?.isError === true) return `tool error: ${message.result.content?.[0]?.text ?? '?'}`;
  if (message.result?.structuredContent?.id !== server.contextId) return `structuredContent is not the context: ${reply.body.slice(0, 300)}`;
  return undefined;
}

/** Every session calls context_get in its own sequential loop until `seconds` have passed; any failed call fails the run. */
async function load(server: Server, sessions: readonly Session[], label: string, seconds: number): Promise<LoopLoad> {
  const agent = new Agent({ keepAlive: true, maxSockets: sessions.length });
  const failures: string[] = [];
  try {
    const result = await runLoops(server.child, sessions.length, seconds, async (i) => {
      const sent = nowNs();
      const failure = await callContextGet(agent, server, sessions[i] as Session);
      if (failure !== undefined) failures.push(failure);
      return (nowNs() - sent) / 1e6;
    });
    if (failures.length > 0) throw new Error(`${label}: ${failures.length} of ${result.ops} calls failed, the first: ${failures[0] ?? ''}`);
    return result;
  } finally {
    agent.destroy();
  }
}

/** Opens /ws with subprotocol mcp.v1 and the key, initializes, and pings once (so `initialized` was handled too). */
function openWebSocket(url: string, apiKey: string): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, 'mcp.v1', { headers: { authorization: `Bearer ${apiKey}` }, perMessageDeflate: false });
    const fail = (error: Error): void => {
      ws.terminate();
      reject(error);
    };
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`WebSocket upgrade refused: ${res.statusCode ?? '?'}`)));
    ws.once('open', () => {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'devmesh-mcp-bench', version: '1' } } }));
      ws.once('message', (data) => {
        const message = JSON.parse(data.toString()) as RpcMessage;
        if (message.id !== 0 || message.result?.protocolVersion !== PROTOCOL_VERSION) return fail(new Error(`WebSocket initialize answered ${data.toString().slice(0, 300)}`));
        ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
        ws.once('message', (pong) => {
          const answer = JSON.parse(pong.toString()) as RpcMessage;
          if (answer.id !== 1 || answer.result === undefined) return fail(new Error(`WebSocket ping answered ${pong.toString().slice(0, 300)}`));
          ws.off('error', fail);
          ws.on('error', () => undefined);
          resolve(ws);
        });
      });
    });
  });
}

function closeWebSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close(1000, 'bench done');
  });
}

interface WsMemory {
  before: Memory;
  after: Memory;
  afterClose: Memory;
  openMs: number;
}

/** Memory of the mesh (after GC) with no session, with WS_SESSIONS idle WebSocket sessions, and after they closed. */
async function measureWebSockets(mesh: Child, baseUrl: string, apiKey: string): Promise<WsMemory> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/ws`;
  const before = await mesh.ask<Memory>('memory');
  const sockets: WebSocket[] = [];
  const started = nowNs();
  try {
    let next = 0;
    await Promise.all(Array.from({ length: WS_OPEN_CONCURRENCY }, async () => {
      while (next < WS_SESSIONS) {
        next += 1;
        sockets.push(await openWebSocket(url, apiKey));
      }
    }));
    const openMs = (nowNs() - started) / 1e6;
    await sleep(SETTLE_MS);
    const after = await mesh.ask<Memory>('memory');
    if (sockets.some((ws) => ws.readyState !== WebSocket.OPEN)) throw new Error('a WebSocket closed while the sessions were held idle');
    await Promise.all(sockets.splice(0).map(closeWebSocket));
    await sleep(SETTLE_MS);
    const afterClose = await mesh.ask<Memory>('memory');
    return { before, after, afterClose, openMs };
  } finally {
    for (const ws of sockets) ws.terminate();
  }
}

const MB = 1024 * 1024;

/** rss_mb_before, heap_mb_after, external_mb_after_close, …: the mesh's memory at each point of the WebSocket phase. */
function memoryMetrics(ws: WsMemory): Record<string, number> {
  const metrics: Record<string, number> = {};
  const points = [['before', ws.before], ['after', ws.after], ['after_close', ws.afterClose]] as const;
  for (const field of ['rss', 'heapUsed', 'external'] as const) {
    for (const [when, memory] of points) metrics[`${field === 'heapUsed' ? 'heap' : field}_mb_${when}`] = round(memory[field] / MB, 1);
  }
  return metrics;
}

export async function benchMcp(): Promise<BenchResult> {
  const profileDir = profileDirFrom(PROFILE_ENV);
  const group = childGroup('devmesh-bench-mcp-');
  try {
    const meshChild = group.start('mesh', SELF, ['--serve-mesh', join(group.dir, 'mesh')], { nodeArgs: NODE_ARGS, profileDir });
    const bareChild = group.start('bare', SELF, ['--serve-bare', join(group.dir, 'bare')], { nodeArgs: NODE_ARGS, profileDir });
    const ready = await meshChild.nextLine<MeshReady>(READY_TIMEOUT_MS);
    const bareReady = await bareChild.nextLine<BareReady>(READY_TIMEOUT_MS);
    const servers: Record<Target, Server> = {
      mesh: { target: 'mesh', child: meshChild, url: new URL('/mcp', ready.url), contextId: ready.contextId },
      bare: { target: 'bare', child: bareChild, url: new URL('/mcp', bareReady.url), contextId: bareReady.contextId },
    };

    // Both servers get the same requests, credential header included (the bare one ignores it).
    const setup = new Agent({ keepAlive: true, maxSockets: SESSIONS });
    const sessions = new Map<Target, Session[]>();
    for (const target of TARGETS) sessions.set(target, await Promise.all(Array.from({ length: SESSIONS }, () => openSession(setup, servers[target], ready.apiKey))));
    const sessionsFor = (target: Target, scenario: Scenario): Session[] => (sessions.get(target) ?? []).slice(0, scenario);

    const calls: Record<Target, number> = { bare: 0, mesh: 0 };
    const runs = new Map<string, LoopLoad[]>();
    const key = (target: Target, scenario: Scenario): string => `${target}/${scenario}`;
    const run = async (target: Target, scenario: Scenario, label: string, seconds: number): Promise<LoopLoad> => {
      const result = await load(servers[target], sessionsFor(target, scenario), `${target}, ${scenario} session(s), ${label}`, seconds);
      calls[target] += result.ops;
      return result;
    };

    // Warm the JIT of both servers (and of this process's client) on both shapes of load.
    for (const target of TARGETS) for (const scenario of SCENARIOS) await run(target, scenario, 'warm-up', WARMUP_SECONDS);
    // Alternating rounds (and alternating which target goes first), so drift and noisy neighbours hit both.
    for (let r = 0; r < ROUNDS; r += 1) {
      for (const scenario of SCENARIOS) {
        for (const target of r % 2 === 0 ? TARGETS : [...TARGETS].reverse()) {
          const result = await run(target, scenario, `round ${r + 1}`, ROUND_SECONDS);
          runs.set(key(target, scenario), [...(runs.get(key(target, scenario)) ?? []), result]);
        }
      }
    }
    for (const target of TARGETS) await Promise.all((sessions.get(target) ?? []).map((s) => closeSession(setup, servers[target], s)));
    setup.destroy();

    // Every call must have left one mcp_tool_call event in a chain that still verifies.
    const report = await meshChild.ask<AuditReport>('report', REPORT_TIMEOUT_MS);
    if (!report.ok) throw new Error(`audit chain check failed after the load: ${report.reason ?? 'unknown reason'}`);
    const toolCallsAudited = report.toolCallEvents - ready.toolCallEvents;
    if (toolCallsAudited !== calls.mesh) throw new Error(`the audit trail holds ${toolCallsAudited} mcp_tool_call events for ${calls.mesh} answered calls`);
    const authzRecorded = report.authzEvents - ready.authzEvents;

    const ws = await measureWebSockets(meshChild, ready.url, ready.apiKey);

    const stat = (target: Target, scenario: Scenario, pick: (l: LoopLoad) => number): number => median((runs.get(key(target, scenario)) ?? []).map(pick));
    const callsPerS = (target: Target, scenario: Scenario): number => stat(target, scenario, (l) => l.opsPerS);
    const throughputRatio = callsPerS('bare', SESSIONS) / callsPerS('mesh', SESSIONS);
    const p50Ratio = stat('mesh', 1, (l) => l.p50Ms) / stat('bare', 1, (l) => l.p50Ms);
    const cpuRatio = stat('mesh', SESSIONS, (l) => l.serverCpuUsPerOp) / stat('bare', SESSIONS, (l) => l.serverCpuUsPerOp);
    const perScenario: Record<string, number> = {};
    for (const scenario of SCENARIOS) {
      for (const target of TARGETS) {
        const prefix = `${target}_${scenario}s`;
        perScenario[`${prefix}_calls_per_s`] = round(callsPerS(target, scenario), 0);
        perScenario[`${prefix}_p50_ms`] = round(stat(target, scenario, (l) => l.p50Ms), 3);
        perScenario[`${prefix}_p99_ms`] = round(stat(target, scenario, (l) => l.p99Ms), 3);
        perScenario[`${prefix}_server_cpu_us_per_call`] = round(stat(target, scenario, (l) => l.serverCpuUsPerOp), 1);
        perScenario[`${prefix}_client_cpu_pct`] = round(stat(target, scenario, (l) => l.clientCpuPct), 0);
      }
    }
    const heapAndExternal = (m: Memory): number => m.heapUsed + m.external;
    const list = (target: Target, scenario: Scenario): string => (runs.get(key(target, scenario)) ?? []).map((l) => round(l.opsPerS, 0)).join(', ');
    return {
      name: 'mcp',
      metrics: {
        throughput_ratio_50s: round(throughputRatio, 3),
        p50_ratio_1s: round(p50Ratio, 3),
        server_cpu_ratio_50s: round(cpuRatio, 3),
        ...perScenario,
        ws_sessions: WS_SESSIONS,
        ws_open_ms: round(ws.openMs, 0),
        ...memoryMetrics(ws),
        kb_per_idle_ws_session: round((heapAndExternal(ws.after) - heapAndExternal(ws.before)) / 1024 / WS_SESSIONS, 1),
        kb_rss_per_idle_ws_session: round((ws.after.rss - ws.before.rss) / 1024 / WS_SESSIONS, 1),
        mesh_calls: calls.mesh,
        mcp_tool_call_events: toolCallsAudited,
        audit_events_checked: report.checked,
      },
      ratio: round(throughputRatio, 3),
      target: `mesh overhead <= ${TARGET_RATIO}x: bare calls/s / mesh calls/s with ${SESSIONS} sessions`,
      pass: throughputRatio <= TARGET_RATIO,
      notes: [
        `tools/call context_get (a context with ${ITEMS.length} items) over Streamable HTTP (SSE answers), protocol ${PROTOCOL_VERSION}, API key (role user) as Authorization: Bearer; raw node:http keep-alive requests from this process (no SDK client), each session its own sequential loop; 1 session, then ${SESSIONS} concurrent sessions`,
        `${ROUND_SECONDS} s per round after a ${WARMUP_SECONDS} s warm-up of each target and scenario; medians of ${ROUNDS} alternating rounds (bare and mesh, first one swapped every round); p50/p99 are per call, from send to the end of the answer; every answer checked (HTTP 200, the request's id, no error, structuredContent.id is the context) and none failed`,
        'ratio = bare calls/s / mesh calls/s with 50 sessions (above 1 means the mesh is slower; target <= 1.5); p50_ratio_1s = mesh p50 / bare p50 with 1 session; server_cpu_ratio_50s = mesh / bare server CPU per call, which does not depend on whether this process or the server is the bottleneck',
        'bare: the same McpServer (createSessionServer, same tools, own core and services with the same context) on the SDK\'s StreamableHTTPServerTransport over plain node:http, a fixed principal per request; mesh: Fastify, Host/Origin guard, per-address and per-credential token buckets (sized not to refuse), API-key authentication, session binding, the gate (2 authorization decisions per call, recorded in the one mcp_tool_call event, and a metric), request metrics, security headers; audit writer thread printing to /dev/null. The mesh\'s audit commits also empty its read caches (change epoch), the bare server never writes',
        `audit: ${toolCallsAudited} mcp_tool_call events for ${calls.mesh} mesh calls (warm-ups included), every call audited; ${authzRecorded} authz_decision events (${round(authzRecorded / Math.max(1, calls.mesh), 2)} per call); chain verified (${report.checked} events)`,
        `calls made (warm-ups included): bare ${calls.bare}, mesh ${calls.mesh}; calls/s per round, 1 session — bare: ${list('bare', 1)}; mesh: ${list('mesh', 1)}; ${SESSIONS} sessions — bare: ${list('bare', SESSIONS)}; mesh: ${list('mesh', SESSIONS)}`,
        `WebSocket: ${WS_SESSIONS} sessions to /ws (mcp.v1, same key), each initialized and pinged, then held idle; mesh memory after two gc() calls (${ws.before.collected ? 'exposed with --expose-gc' : 'gc NOT available: numbers include garbage'}) with the HTTP sessions closed, then with the ${WS_SESSIONS} open (${SETTLE_MS} ms after the last), then after all closed; kb_per_idle_ws_session = (heapUsed + external) delta / ${WS_SESSIONS}, kb_rss_per_idle_ws_session = RSS delta / ${WS_SESSIONS}; opened ${WS_OPEN_CONCURRENCY} at a time`,
        `client_cpu_pct = this load generator's CPU over wall time (100 = one core): close to 100 means the client, not the server, limited calls/s; this machine has ${cpus().length} CPUs shared by the load generator, both servers and the audit writer thread, so absolute numbers are indicative, ratios less so`,
        ...(profileDir === undefined ? [] : [`CPU profiles written under ${profileDir} (profiling slows both servers)`]),
      ],
    };
  } finally {
    await group.close();
  }
}

// Child-process entry.
await serveIfChild(SELF, { '--serve-mesh': serveMesh, '--serve-bare': serveBare }, 'usage: node --import tsx bench/mcp.bench.ts --serve-mesh <data dir> | --serve-bare <data dir>; run the benchmark with `npx tsx bench/run.ts mcp`');
