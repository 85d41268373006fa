// REST API throughput: an authenticated GET /api/v1/contexts/:id (Host check, authentication, authorization, audit) with a JWT and with an API key, versus a bare Fastify route returning the same JSON.
// Each server runs in its own child process (this file again, with --serve-mesh, --serve-bare or --serve-bare-reads), so autocannon's load in this process does not share the server's event loop.
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import { childGroup, countAuditEvents, cpuUsOf, profileDirFrom, READY_TIMEOUT_MS, serveCommands, serveIfChild, writeLine, type Child } from './child';
import { ITEMS, seedContext } from './fixtures';
import type { BenchResult } from './result';
import { median, round } from './stats';

const SELF = fileURLToPath(import.meta.url);

const CONNECTIONS = 50;
const ROUND_SECONDS = 8;
const WARMUP_SECONDS = 3;
const ROUNDS = 3;
const TARGET_RATIO = 0.8;
const REPORT_TIMEOUT_MS = 120_000;
/** Set to a directory to write .cpuprofile files of every server (one subdirectory each; the main thread's file ends in .0.<seq>.cpuprofile). */
const PROFILE_ENV = 'BENCH_REST_CPU_PROF';

/** Custom roles in the policy during the run (issue 4: "a 50-role policy"). */
const ROLE_COUNT = 50;
const ADMIN_PASSWORD = 'admin password for the rest bench';
/** The lowest bcrypt cost bcryptjs accepts: only the one login pays it, requests never do. */
const PASSWORD_COST = 4;
const AUTHZ = 'authz_decision';

/** bare: a constant body; bare_reads: the same two SQLite reads as the mesh, nothing else (informational); jwt, api_key: the mesh. */
type Target = 'bare' | 'bare_reads' | 'jwt' | 'api_key';
const TARGETS: readonly Target[] = ['bare', 'bare_reads', 'jwt', 'api_key'];
type MeshTarget = Extract<Target, 'jwt' | 'api_key'>;
const isMesh = (target: Target): target is MeshTarget => target === 'jwt' || target === 'api_key';

/** The mesh child's ready line. */
interface MeshReady {
  url: string;
  path: string;
  /** The mesh's SQLite file, which the bare_reads server reads too. */
  dbFile: string;
  jwt: string;
  apiKey: string;
  authzEvents: number;
  auditEvents: number;
}

/** The bare child's ready line. */
interface BareReady {
  url: string;
}

/** The mesh child's answer to `report`: the audit trail after the load. */
interface AuditReport {
  ok: boolean;
  checked: number;
  authzEvents: number;
  reason?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes (servers under test)
// ---------------------------------------------------------------------------------------------------------------

/**
 * The mesh as `devmesh serve` runs it (writer thread committing the audit trail and printing each line, here to
 * /dev/null, since stdout carries this protocol), on a temp data dir with an in-memory keychain, plus one context with
 * a few items, an admin JWT and an admin API key. On stdin it answers `cpu` with process.cpuUsage() (all threads) and
 * `report` with the audit trail's state; SIGTERM (or stdin closing) stops it.
 */
async function serveMesh(dataDir: string): Promise<void> {
  const [{ default: pino }, { startMesh }, { testConfig }, { createMemoryKeychain }] = await Promise.all([
    import('pino'),
    import('../src/main/mesh'),
    import('../test/helpers/config'),
    import('../test/helpers/memory-keychain'),
  ]);
  const base = testConfig(dataDir);
  // Buckets on (every request takes a token from its address's and its credential's bucket) but sized so the load
  // itself is not refused: the cost of limiting is measured, not its effect.
  const rateLimit = { ipRps: 10_000_000, ipBurst: 10_000_000, userRps: 10_000_000, userBurst: 10_000_000 };
  const config = { ...base, rateLimit, auth: { ...base.auth, adminPassword: ADMIN_PASSWORD } };
  const devNull = openSync('/dev/null', 'w');
  const mesh = await startMesh(config, { logger: pino({ level: 'silent' }), keychain: createMemoryKeychain(), passwordCost: PASSWORD_COST, auditSink: { fd: devNull } });

  const { contexts, auth, apiKeys, roles } = mesh.services;
  // A 50-role policy, as the issue asks: the authorizer decides against all of it.
  const operator = { subject: 'system', kind: 'system' as const, tenantId: 'default', role: 'admin', userId: null, keyId: null, authMethod: 'local' as const };
  for (let i = 0; i < ROLE_COUNT; i += 1) {
    roles.create(operator, { name: `bench-role-${i}`, permissions: ['contexts:read', `tools:execute:tool_${i}`, i % 2 === 0 ? 'audit:read' : 'metrics:read'] });
  }
  const contextId = seedContext(contexts, 'user:admin');
  const tokens = await auth.login({ username: 'admin', password: ADMIN_PASSWORD }, {});
  const { key } = apiKeys.create({ name: 'rest bench', role: 'admin', tenantId: 'default', ownerId: null, createdBy: 'bench' });

  const { audit, db } = mesh.core;
  const before = audit.verify();
  writeLine({
    url: mesh.urls.api,
    path: `/api/v1/contexts/${contextId}`,
    dbFile: mesh.core.storage.file,
    jwt: tokens.access_token,
    apiKey: key,
    authzEvents: countAuditEvents(db, AUTHZ),
    auditEvents: before.checked,
  } satisfies MeshReady);

  serveCommands(
    {
      cpu: () => process.cpuUsage(),
      report: () => {
        const verified = audit.verify(); // flushes first: everything appended so far is committed and checked
        return { ok: verified.ok, checked: verified.checked, authzEvents: countAuditEvents(db, AUTHZ), ...(verified.ok ? {} : { reason: verified.reason }) } satisfies AuditReport;
      },
    },
    () => mesh.stop(),
  );
}

/**
 * The baselines: a plain Fastify server, same route pattern, no hooks, answering `cpu` like the mesh. `--serve-bare`
 * returns the mesh's JSON body (parsed once, serialized per request, as Fastify does by default); `--serve-bare-reads`
 * answers with the context service's two SQLite reads on its own read-only connection to the mesh's database file, to
 * tell the cost of reading the data from the cost of the Host check, authentication, authorization and audit.
 */
async function serveBare(mode: '--serve-bare' | '--serve-bare-reads', file: string): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  if (mode === '--serve-bare') {
    const body = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    app.get('/api/v1/contexts/:id', async () => body);
  } else {
    const [{ default: Database }, { createContextService }] = await Promise.all([import('better-sqlite3'), import('../src/main/core/contexts/context-service')]);
    const contexts = createContextService({ db: new Database(file, { readonly: true }) });
    app.get('/api/v1/contexts/:id', async (request) => contexts.get('default', (request.params as { id: string }).id));
  }
  serveCommands({ cpu: () => process.cpuUsage() }, () => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('bare server has no TCP address');
  writeLine({ url: `http://127.0.0.1:${address.port}` } satisfies BareReady);
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: start the servers, load them in alternating rounds, check responses and the audit trail
// ---------------------------------------------------------------------------------------------------------------

interface Load {
  reqPerS: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  bytesPerResponse: number;
  /** The server process's CPU time (user + system, every thread) per answered request. */
  cpuUsPerRequest: number;
}

async function load(run: typeof autocannon, server: Child, label: string, url: string, headers: Record<string, string>, seconds: number): Promise<Load> {
  const cpuBefore = await cpuUsOf(server);
  const result = await run({ url, connections: CONNECTIONS, pipelining: 1, duration: seconds, headers, timeout: 10 });
  const cpuUs = (await cpuUsOf(server)) - cpuBefore;
  if (result.non2xx !== 0 || result.errors !== 0 || result.timeouts !== 0 || result.requests.total === 0) {
    throw new Error(`${label}: ${result.requests.total} responses, ${result.non2xx} not 2xx (${JSON.stringify(result.statusCodeStats ?? {})}), ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return {
    reqPerS: result.requests.total / result.duration,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    bytesPerResponse: result.throughput.total / result.requests.total,
    cpuUsPerRequest: cpuUs / result.requests.total,
  };
}

async function fetchText(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 300)}`);
  return text;
}

export async function benchRest(): Promise<BenchResult> {
  const { default: run } = await import('autocannon');
  const profileDir = profileDirFrom(PROFILE_ENV);
  const group = childGroup('devmesh-bench-rest-');
  const { dir } = group;
  try {
    const mesh = group.start('mesh', SELF, ['--serve-mesh', join(dir, 'data')], { profileDir });
    const ready = await mesh.nextLine<MeshReady>(READY_TIMEOUT_MS);
    const meshUrl = `${ready.url}${ready.path}`;
    const headers: Record<MeshTarget, Record<string, string>> = {
      jwt: { authorization: `Bearer ${ready.jwt}` },
      api_key: { 'x-api-key': ready.apiKey },
    };

    // The baseline serves exactly what the mesh answers, and both credentials must see the same body.
    const body = await fetchText(meshUrl, headers.jwt);
    if ((await fetchText(meshUrl, headers.api_key)) !== body) throw new Error('the mesh answered the JWT and the API key with different bodies');
    const bodyFile = join(dir, 'body.json');
    writeFileSync(bodyFile, body);
    const bare = group.start('bare', SELF, ['--serve-bare', bodyFile], { profileDir });
    const bareReady = await bare.nextLine<BareReady>(READY_TIMEOUT_MS);
    const bareUrl = `${bareReady.url}${ready.path}`;
    if ((await fetchText(bareUrl, {})) !== body) throw new Error('the bare server does not answer with the same bytes as the mesh');
    const bareReads = group.start('bare-reads', SELF, ['--serve-bare-reads', ready.dbFile], { profileDir });
    const bareReadsUrl = `${(await bareReads.nextLine<BareReady>(READY_TIMEOUT_MS)).url}${ready.path}`;
    // Same data and size; the key order may differ (the mesh serializes in its schema's order).
    const readsBody = await fetchText(bareReadsUrl, {});
    if (readsBody.length !== body.length || !isDeepStrictEqual(JSON.parse(readsBody), JSON.parse(body))) throw new Error('the bare_reads server does not answer with the same JSON as the mesh');

    const urls: Record<Target, string> = { bare: bareUrl, bare_reads: bareReadsUrl, jwt: meshUrl, api_key: meshUrl };
    const servers: Record<Target, Child> = { bare, bare_reads: bareReads, jwt: mesh, api_key: mesh };
    const headersOf = (target: Target): Record<string, string> => (isMesh(target) ? headers[target] : {});
    let meshRequests = 2; // the two fetches above

    // Warm the JIT (and SQLite's page cache) of every server.
    for (const target of TARGETS) {
      const warm = await load(run, servers[target], `${target} warm-up`, urls[target], headersOf(target), WARMUP_SECONDS);
      if (isMesh(target)) meshRequests += warm.requests;
    }

    // Alternating rounds, so a noisy neighbour slows every variant rather than one.
    const runs = new Map<Target, Load[]>(TARGETS.map((t) => [t, []]));
    for (let r = 0; r < ROUNDS; r += 1) {
      for (const target of TARGETS) {
        const result = await load(run, servers[target], `${target} round ${r + 1}`, urls[target], headersOf(target), ROUND_SECONDS);
        runs.get(target)?.push(result);
        if (isMesh(target)) meshRequests += result.requests;
      }
    }

    // Every authorized request must have left one authz_decision in a chain that still verifies.
    const report = await mesh.ask<AuditReport>('report', REPORT_TIMEOUT_MS);
    if (!report.ok) throw new Error(`audit chain check failed after the load: ${report.reason ?? 'unknown reason'}`);
    const authzRecorded = report.authzEvents - ready.authzEvents;
    // autocannon does not count responses still in flight when a round ends, but the mesh audited those requests.
    if (authzRecorded < meshRequests) throw new Error(`the audit trail holds ${authzRecorded} authz decisions for ${meshRequests} answered requests`);

    const stat = (target: Target, pick: (l: Load) => number): number => median((runs.get(target) ?? []).map(pick));
    const rps = (target: Target): number => stat(target, (l) => l.reqPerS);
    const bareRps = rps('bare');
    const jwtRatio = rps('jwt') / bareRps;
    const keyRatio = rps('api_key') / bareRps;
    const readsRps = rps('bare_reads');
    const list = (target: Target): string => (runs.get(target) ?? []).map((l) => round(l.reqPerS, 0)).join(', ');
    return {
      name: 'rest',
      metrics: {
        bare_req_per_s: round(bareRps, 0),
        jwt_req_per_s: round(rps('jwt'), 0),
        api_key_req_per_s: round(rps('api_key'), 0),
        jwt_ratio: round(jwtRatio, 3),
        api_key_ratio: round(keyRatio, 3),
        bare_reads_req_per_s: round(readsRps, 0),
        jwt_vs_bare_reads_ratio: round(rps('jwt') / readsRps, 3),
        api_key_vs_bare_reads_ratio: round(rps('api_key') / readsRps, 3),
        bare_p50_ms: stat('bare', (l) => l.p50Ms),
        bare_p99_ms: stat('bare', (l) => l.p99Ms),
        bare_reads_p50_ms: stat('bare_reads', (l) => l.p50Ms),
        bare_reads_p99_ms: stat('bare_reads', (l) => l.p99Ms),
        jwt_p50_ms: stat('jwt', (l) => l.p50Ms),
        jwt_p99_ms: stat('jwt', (l) => l.p99Ms),
        api_key_p50_ms: stat('api_key', (l) => l.p50Ms),
        api_key_p99_ms: stat('api_key', (l) => l.p99Ms),
        bare_cpu_us_per_req: round(stat('bare', (l) => l.cpuUsPerRequest), 1),
        bare_reads_cpu_us_per_req: round(stat('bare_reads', (l) => l.cpuUsPerRequest), 1),
        jwt_cpu_us_per_req: round(stat('jwt', (l) => l.cpuUsPerRequest), 1),
        api_key_cpu_us_per_req: round(stat('api_key', (l) => l.cpuUsPerRequest), 1),
        body_bytes: Buffer.byteLength(body),
        bare_bytes_per_response: round(stat('bare', (l) => l.bytesPerResponse), 0),
        mesh_bytes_per_response: round(stat('jwt', (l) => l.bytesPerResponse), 0),
        audit_events_checked: report.checked,
      },
      ratio: round(Math.min(jwtRatio, keyRatio), 3),
      target: `JWT and API-key req/s >= ${TARGET_RATIO} x bare Fastify`,
      pass: jwtRatio >= TARGET_RATIO && keyRatio >= TARGET_RATIO,
      notes: [
        `GET ${ready.path.replace(/[0-9a-f-]{36}$/, ':id')} (a context with ${ITEMS.length} items); autocannon in this process, ${CONNECTIONS} connections, pipelining 1, ${ROUND_SECONDS} s per round after a ${WARMUP_SECONDS} s warm-up each; medians of ${ROUNDS} alternating rounds (bare, bare_reads, jwt, api key); every response 2xx`,
        'ratio here is throughput, mesh / bare (below 1 means the mesh is slower), the worse of the two credentials; jwt_ratio and api_key_ratio are each',
        'bare_reads (informational, not the target): bare Fastify doing the route\'s two SQLite reads (context service, own read-only connection, no audit writes invalidating its page cache); *_vs_bare_reads_ratio is what the Host check, authentication, authorization, audit and security headers cost on top of reading the data',
        `each server runs in its own Node process (node --import tsx); the mesh as serve runs it: blocklist, Host/Origin guard, per-address and per-credential token buckets (sized not to refuse), authentication, a ${ROLE_COUNT + 3}-role policy, an audit event per decision (writer thread committing and printing each line to /dev/null), security headers and request metrics; the bare route returns the parsed body (JSON.stringify per request)`,
        'cpu_us_per_req = server process CPU time (user + system, all threads: for the mesh including the audit writer thread) / answered requests; it does not depend on whether autocannon or the server is the bottleneck',
        `audit: ${authzRecorded} authz_decision events recorded for ${meshRequests} counted mesh responses (+${authzRecorded - meshRequests} in flight when rounds ended); chain verified (${report.checked} events)`,
        `req/s per round — bare: ${list('bare')}; bare_reads: ${list('bare_reads')}; jwt: ${list('jwt')}; api key: ${list('api_key')}`,
        ...(profileDir === undefined ? [] : [`CPU profiles written under ${profileDir} (profiling slows every server)`]),
      ],
    };
  } finally {
    await group.close();
  }
}

// Child-process entry.
await serveIfChild(
  SELF,
  { '--serve-mesh': serveMesh, '--serve-bare': (file) => serveBare('--serve-bare', file), '--serve-bare-reads': (file) => serveBare('--serve-bare-reads', file) },
  'usage: node --import tsx bench/rest.bench.ts --serve-mesh <data dir> | --serve-bare <body file> | --serve-bare-reads <db file>; run the benchmark with `npx tsx bench/run.ts rest`',
);
