// TLS: handshakes per second and server CPU per handshake of the mesh's API server with TLS on (createTlsManager: TLS
// 1.2/1.3, ECDHE-AEAD suites, strict SNI, session tickets), full handshakes versus resumed ones (TLS 1.3 tickets and TLS
// 1.2 resumption), for an RSA 2048 and an ECDSA P-256 server certificate; a bare node:tls server with the same
// certificate as context; and the time the mesh's certificate service takes to create its CA and issue certificates.
// Each server runs in its own child process (this file again, with --serve-mesh-tls or --serve-bare-tls), so the
// handshakes started here do not share its event loop.
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createTlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { makeCa, makeLeaf, type PemPair } from '../test/helpers/pki';
import { childGroup, READY_TIMEOUT_MS, runLoops, serveCommands, serveIfChild, writeLine, type Child, type LoopLoad } from './child';
import type { BenchResult } from './result';
import { median, nowNs, round, yieldToEventLoop } from './stats';

const SELF = fileURLToPath(import.meta.url);

/** Connections being set up at once, each its own sequential loop of handshakes. */
const CONNECTORS = 8;
const WARMUP_SECONDS = 1;
const ROUND_SECONDS = 2.5;
const ROUNDS = 3;
/** More handshakes than this share failing (an error, or a resumption that was not one) makes the run invalid. */
const MAX_FAILED_SHARE = 0.01;
const SERVER_NAME = 'localhost';
/** Certificates issued by the certificate service, of each kind. */
const ISSUED = 20;
const PASSWORD_COST = 4;

type Variant = 'rsa' | 'ecdsa';
type Target = 'mesh' | 'bare';
type Version = 'TLSv1.3' | 'TLSv1.2';

const VARIANTS: Readonly<Record<Variant, string>> = { rsa: 'RSA 2048', ecdsa: 'ECDSA P-256' };

/** What a handshake loop does: whose server, which protocol, with a session from an earlier connection or without. */
interface Scenario {
  readonly variant: Variant;
  readonly target: Target;
  readonly version: Version;
  readonly resumed: boolean;
}

const SCENARIOS: readonly Scenario[] = (Object.keys(VARIANTS) as Variant[]).flatMap((variant): Scenario[] => [
  { variant, target: 'mesh', version: 'TLSv1.3', resumed: false },
  { variant, target: 'mesh', version: 'TLSv1.3', resumed: true },
  { variant, target: 'mesh', version: 'TLSv1.2', resumed: false },
  { variant, target: 'mesh', version: 'TLSv1.2', resumed: true },
  { variant, target: 'bare', version: 'TLSv1.3', resumed: false },
]);

/** rsa_mesh_tls13_full: the prefix of a scenario's metrics. */
function keyOf({ variant, target, version, resumed }: Scenario): string {
  return `${variant}_${target}_tls${version.slice(4).replace('.', '')}_${resumed ? 'resumed' : 'full'}`;
}

/** Every child's ready line. */
interface Ready {
  url: string;
  port: number;
  caPem: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Certificates (openssl, as test/helpers/pki.ts makes them) and the child processes (servers under test)
// ---------------------------------------------------------------------------------------------------------------

/** A server certificate for localhost and 127.0.0.1 with an ECDSA P-256 key, signed by `ca` (openssl 3: req -x509 -CA). */
function makeEcdsaServerLeaf(dir: string, ca: PemPair, name: string): void {
  const result = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '30',
    '-CA', ca.certFile, '-CAkey', ca.keyFile, '-sha256',
    '-addext', 'basicConstraints=CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=serverAuth', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl could not make the ECDSA server certificate: ${result.stderr}`);
}

/** A temp CA (RSA 2048) and, signed by it, the variant's server certificate: <dir>/ca.crt, <dir>/server.crt and .key. */
function makePki(dir: string, variant: Variant): void {
  const ca = makeCa(dir, 'ca');
  if (variant === 'rsa') makeLeaf(dir, ca, 'server');
  else makeEcdsaServerLeaf(dir, ca, 'server');
}

function pkiFiles(dir: string): { certFile: string; keyFile: string; caPem: string } {
  return { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), caPem: readFileSync(join(dir, 'ca.crt'), 'utf8') };
}

/**
 * The mesh as `devmesh serve` runs it, the API server with TLS on from the PEM files in `dir` (default TLS settings:
 * TLS 1.2 and 1.3, session tickets, no client certificates), data under <dir>/data with an in-memory keychain, silent
 * logs, audit lines to /dev/null (stdout carries this protocol). Answers `cpu` on stdin.
 */
async function serveMeshTls(dir: string): Promise<void> {
  const [{ default: pino }, { startMesh }, { DEFAULT_TLS_CONFIG }, { testConfig }, { createMemoryKeychain }] = await Promise.all([
    import('pino'),
    import('../src/main/mesh'),
    import('../src/main/tls-config'),
    import('../test/helpers/config'),
    import('../test/helpers/memory-keychain'),
  ]);
  const { certFile, keyFile, caPem } = pkiFiles(dir);
  const config = testConfig(join(dir, 'data'), { logLevel: 'silent', tls: { api: { ...DEFAULT_TLS_CONFIG, enabled: true, certFile, keyFile }, mcp: DEFAULT_TLS_CONFIG } });
  const mesh = await startMesh(config, { logger: pino({ level: 'silent' }), keychain: createMemoryKeychain(), passwordCost: PASSWORD_COST, auditSink: { fd: openSync('/dev/null', 'w') } });
  const url = mesh.urls.api;
  writeLine({ url, port: Number(new URL(url).port), caPem } satisfies Ready);
  serveCommands({ cpu: () => process.cpuUsage() }, () => mesh.stop());
}

/** The baseline: node:tls with the same certificate and Node's defaults (protocols, suites, curves, tickets), nothing else. */
async function serveBareTls(dir: string): Promise<void> {
  const { certFile, keyFile, caPem } = pkiFiles(dir);
  const ignore = (): void => undefined;
  const server = createTlsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (socket) => {
    socket.on('error', ignore);
    socket.resume();
  });
  server.on('tlsClientError', ignore);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bare TLS server has no TCP address');
  writeLine({ url: `tls://127.0.0.1:${address.port}`, port: address.port, caPem } satisfies Ready);
  serveCommands({ cpu: () => process.cpuUsage() }, () => new Promise((resolve) => server.close(resolve)));
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: handshake loops in alternating rounds, then certificate issuance
// ---------------------------------------------------------------------------------------------------------------

interface Server {
  readonly child: Child;
  readonly port: number;
  readonly caPem: string;
}

interface Handshake {
  ms: number;
  reused: boolean;
  /** The newest session (TLS 1.3 ticket, TLS 1.2 session) the server gave this connection, if any. */
  session: Buffer | undefined;
}

/**
 * One connection: TCP connect, handshake (chain verified against the CA, name `localhost` checked and sent as SNI),
 * then a graceful close once the server has closed too, so the server's side of the handshake is complete and counted.
 * `ms` runs from connect() to secureConnect.
 */
function handshake(server: Server, version: Version, session: Buffer | undefined): Promise<Handshake> {
  return new Promise<Handshake>((resolve, reject) => {
    const started = nowNs();
    const socket = connect({ host: '127.0.0.1', port: server.port, servername: SERVER_NAME, ca: server.caPem, maxVersion: version, ...(session === undefined ? {} : { session }) });
    const result: Handshake = { ms: 0, reused: false, session: undefined };
    socket.on('session', (next: Buffer) => {
      result.session = next;
    });
    socket.once('secureConnect', () => {
      result.ms = (nowNs() - started) / 1e6;
      result.reused = socket.isSessionReused();
      if (socket.getProtocol() !== version) {
        socket.destroy(new Error(`negotiated ${String(socket.getProtocol())}, not ${version}`));
        return;
      }
      socket.end();
    });
    socket.on('data', () => undefined);
    socket.once('error', reject);
    socket.once('close', () => (result.ms === 0 ? reject(new Error('closed before the handshake completed')) : resolve(result)));
  });
}

interface Load extends LoopLoad {
  /** Resumed scenarios: handshakes that offered a session and got a full handshake instead. */
  notReused: number;
  errors: number;
}

/** Every connector runs handshakes in its own sequential loop until `seconds` have passed. */
async function load(server: Server, scenario: Scenario, label: string, seconds: number): Promise<Load> {
  // A resumed loop starts from a session of its own, got outside the measurement, and keeps the newest it is given.
  const sessions = scenario.resumed ? (await Promise.all(Array.from({ length: CONNECTORS }, () => handshake(server, scenario.version, undefined)))).map((h) => h.session) : [];
  if (scenario.resumed && sessions.some((s) => s === undefined)) throw new Error(`${label}: the server gave no session to resume`);
  const errors: string[] = [];
  let notReused = 0;
  const result = await runLoops(server.child, CONNECTORS, seconds, async (i) => {
    try {
      const done = await handshake(server, scenario.version, sessions[i]);
      if (scenario.resumed) {
        if (!done.reused) notReused += 1;
        sessions[i] = done.session ?? sessions[i];
      }
      return done.ms;
    } catch (error) {
      errors.push(String(error));
      return undefined;
    }
  });
  const attempts = result.ops + errors.length;
  if (errors.length > attempts * MAX_FAILED_SHARE) throw new Error(`${label}: ${errors.length} of ${attempts} handshakes failed, the first: ${errors[0] ?? ''}`);
  if (notReused > result.ops * MAX_FAILED_SHARE) throw new Error(`${label}: ${notReused} of ${result.ops} handshakes offered a session and were not resumed`);
  return { ...result, notReused, errors: errors.length };
}

interface Issuance {
  caMs: number;
  caKey: string;
  serverMs: number[];
  serverKey: string;
  clientMs: number[];
  clientKey: string;
}

/**
 * The mesh's certificate service on a fresh core (temp data dir, in-memory keychain), in this process: creates the CA
 * once, then issues ISSUED server and ISSUED client certificates, alternating, with the defaults (key sizes included).
 * Each is the whole operation: RSA key generation, forge signing, the row and the encrypted key stored, the audit event.
 */
async function measureIssuance(dataDir: string): Promise<Issuance> {
  const [{ openCore }, { createCertificateService }, { DEFAULT_TENANT_ID }, { testConfig }, { createMemoryKeychain }] = await Promise.all([
    import('../src/main/core/open-core'),
    import('../src/main/core/certs/certificate-service'),
    import('../src/main/core/storage/migrations/0001-tenants-and-meta'),
    import('../test/helpers/config'),
    import('../test/helpers/memory-keychain'),
  ]);
  const core = openCore(testConfig(dataDir), { keychain: createMemoryKeychain() });
  try {
    const certs = createCertificateService({ db: core.db, secrets: core.secrets, meta: core.meta, audit: core.audit });
    const actor = { subject: 'bench', tenantId: DEFAULT_TENANT_ID };
    const timed = <T>(work: () => T): [T, number] => {
      const started = nowNs();
      const value = work();
      return [value, (nowNs() - started) / 1e6];
    };
    const [ca, caMs] = timed(() => certs.createCa(actor));
    const serverMs: number[] = [];
    const clientMs: number[] = [];
    let serverKey = '';
    let clientKey = '';
    for (let i = 0; i < ISSUED; i += 1) {
      const [server, sMs] = timed(() => certs.issueServer(actor));
      const [client, cMs] = timed(() => certs.issueClient(actor, { commonName: `bench-agent-${i}`, role: 'user' }));
      for (const issued of [server, client]) if (issued.issuer_serial !== ca.serial) throw new Error(`certificate ${issued.serial} was not issued by the CA ${ca.serial}`);
      serverMs.push(sMs);
      clientMs.push(cMs);
      serverKey = server.key_algorithm;
      clientKey = client.key_algorithm;
      await yieldToEventLoop();
    }
    return { caMs, caKey: ca.key_algorithm, serverMs, serverKey, clientMs, clientKey };
  } finally {
    await core.close();
  }
}

export async function benchTls(): Promise<BenchResult> {
  const group = childGroup('devmesh-bench-tls-');
  try {
    const servers = new Map<string, Server>();
    const serverKey = (variant: Variant, target: Target): string => `${variant}/${target}`;
    const started: [string, Child][] = [];
    for (const variant of Object.keys(VARIANTS) as Variant[]) {
      const dir = join(group.dir, variant);
      mkdirSync(dir);
      makePki(dir, variant);
      started.push([serverKey(variant, 'mesh'), group.start(`mesh-${variant}`, SELF, ['--serve-mesh-tls', dir])]);
      started.push([serverKey(variant, 'bare'), group.start(`bare-${variant}`, SELF, ['--serve-bare-tls', dir])]);
    }
    for (const [key, child] of started) {
      const ready = await child.nextLine<Ready>(READY_TIMEOUT_MS);
      servers.set(key, { child, port: ready.port, caPem: ready.caPem });
    }
    const serverOf = (s: Scenario): Server => servers.get(serverKey(s.variant, s.target)) as Server;

    const runs = new Map<string, Load[]>();
    let handshakes = 0;
    let notReused = 0;
    let errors = 0;
    const run = async (scenario: Scenario, label: string, seconds: number): Promise<Load> => {
      const result = await load(serverOf(scenario), scenario, `${keyOf(scenario)}, ${label}`, seconds);
      handshakes += result.ops;
      notReused += result.notReused;
      errors += result.errors;
      return result;
    };
    for (const scenario of SCENARIOS) await run(scenario, 'warm-up', WARMUP_SECONDS);
    // Alternating order every round, so drift and noisy neighbours hit every scenario.
    for (let r = 0; r < ROUNDS; r += 1) {
      for (const scenario of r % 2 === 0 ? SCENARIOS : [...SCENARIOS].reverse()) {
        const result = await run(scenario, `round ${r + 1}`, ROUND_SECONDS);
        runs.set(keyOf(scenario), [...(runs.get(keyOf(scenario)) ?? []), result]);
      }
    }

    const issuance = await measureIssuance(join(group.dir, 'certs'));

    const stat = (scenario: Scenario, pick: (l: Load) => number): number => median((runs.get(keyOf(scenario)) ?? []).map(pick));
    const find = (variant: Variant, target: Target, version: Version, resumed: boolean): Scenario => SCENARIOS.find((s) => s.variant === variant && s.target === target && s.version === version && s.resumed === resumed) as Scenario;
    const cpuPer = (s: Scenario): number => stat(s, (l) => l.serverCpuUsPerOp);
    const resumptionRatio = (variant: Variant, version: Version): number => cpuPer(find(variant, 'mesh', version, false)) / cpuPer(find(variant, 'mesh', version, true));
    const ratio = resumptionRatio('rsa', 'TLSv1.3');

    const metrics: Record<string, number> = { cpu_ratio_full_over_resumed_rsa_tls13: round(ratio, 3) };
    for (const variant of Object.keys(VARIANTS) as Variant[]) {
      metrics[`cpu_ratio_full_over_resumed_${variant}_tls12`] = round(resumptionRatio(variant, 'TLSv1.2'), 3);
      if (variant !== 'rsa') metrics[`cpu_ratio_full_over_resumed_${variant}_tls13`] = round(resumptionRatio(variant, 'TLSv1.3'), 3);
      metrics[`cpu_ratio_mesh_over_bare_${variant}_tls13_full`] = round(cpuPer(find(variant, 'mesh', 'TLSv1.3', false)) / cpuPer(find(variant, 'bare', 'TLSv1.3', false)), 3);
    }
    for (const scenario of SCENARIOS) {
      const prefix = keyOf(scenario);
      metrics[`${prefix}_handshakes_per_s`] = round(stat(scenario, (l) => l.opsPerS), 0);
      metrics[`${prefix}_p50_ms`] = round(stat(scenario, (l) => l.p50Ms), 3);
      metrics[`${prefix}_p99_ms`] = round(stat(scenario, (l) => l.p99Ms), 3);
      metrics[`${prefix}_server_cpu_us_per_handshake`] = round(cpuPer(scenario), 1);
      metrics[`${prefix}_client_cpu_pct`] = round(stat(scenario, (l) => l.clientCpuPct), 0);
    }
    Object.assign(metrics, {
      handshakes,
      resumptions_not_reused: notReused,
      handshake_errors: errors,
      ca_create_ms: round(issuance.caMs, 1),
      server_cert_issue_p50_ms: round(median(issuance.serverMs), 1),
      server_cert_issue_max_ms: round(Math.max(...issuance.serverMs), 1),
      client_cert_issue_p50_ms: round(median(issuance.clientMs), 1),
      client_cert_issue_max_ms: round(Math.max(...issuance.clientMs), 1),
    });

    const perCore = (s: Scenario): number => round(1e6 / cpuPer(s), 0);
    const list = (s: Scenario): string => (runs.get(keyOf(s)) ?? []).map((l) => round(l.opsPerS, 0)).join(', ');
    return {
      name: 'tls',
      metrics,
      ratio: round(ratio, 3),
      target: 'resumed cheaper than full (ratio > 1): mesh server CPU per full / per resumed TLS 1.3 handshake, RSA 2048',
      pass: ratio > 1,
      notes: [
        `each handshake: TCP connect to 127.0.0.1, TLS with SNI ${SERVER_NAME}, chain verified against the temp CA, then a graceful close (the client ends, waits for the server's close) so the server's side is complete; ${CONNECTORS} concurrent connectors, each its own sequential loop; p50/p99 from connect() to secureConnect; no HTTP request is sent`,
        `full: no session offered (the server still issues tickets); resumed: each connector offers a session from a connection of its own to the same server (TLS 1.3: the ticket from the 'session' event; TLS 1.2: the session, with the mesh's default session tickets on), keeping the newest it is given; isSessionReused() checked on every resumed handshake: ${notReused} of them were not reused; ${errors} handshakes failed (more than ${MAX_FAILED_SHARE * 100} % of either makes the run invalid)`,
        `${ROUND_SECONDS} s per round after a ${WARMUP_SECONDS} s warm-up of each scenario; medians of ${ROUNDS} rounds, the scenarios' order reversed every other round; ${handshakes} handshakes in all`,
        'ratio = server CPU µs per full handshake / per resumed one (TLS 1.3, RSA 2048: what a client negotiates by default with the mesh\'s usual certificate); above 1 means resumption is cheaper for the server. Server CPU is the child process\'s user + system time (every thread) over the run, per completed handshake, so it does not depend on whether this load generator or the server was the bottleneck; handshakes/s does',
        'mesh: startMesh with API_TLS_ENABLED and the PEM files (TLS 1.2 and 1.3, TLS 1.3 suites and ECDHE-AES-GCM/ChaCha20 for 1.2, curves X25519:P-256:P-384, strict SNI callback, session tickets, no client certificates), Fastify HTTPS; bare: node:tls createServer with the same certificate and key and Node\'s defaults, informational only (cpu_ratio_mesh_over_bare_*: the cost of the mesh\'s TLS server over bare node:tls per full handshake)',
        `certificates: a temp CA (RSA 2048, openssl) signing a server certificate for localhost and 127.0.0.1 with an ${VARIANTS.rsa} key (rsa_*) and one with an ${VARIANTS.ecdsa} key (ecdsa_*); the server signs each full handshake with its key, which a resumed handshake skips (TLS 1.3 resumption still does an ECDHE exchange)`,
        `full handshakes/s per round — rsa mesh TLS 1.3: ${list(find('rsa', 'mesh', 'TLSv1.3', false))}; resumed: ${list(find('rsa', 'mesh', 'TLSv1.3', true))}; bare: ${list(find('rsa', 'bare', 'TLSv1.3', false))}`,
        `issuance: the mesh's certificate service (src/main/core/certs/certificate-service.ts) on a fresh core in this process: createCa once (${issuance.caKey}, ca_create_ms), then ${ISSUED} issueServer (${issuance.serverKey}, default SANs) and ${ISSUED} issueClient (${issuance.clientKey}, bound to role user), alternating; each time is the whole call (Node's RSA key generation, node-forge signing, row and envelope-encrypted key stored, audit event); RSA key generation time varies with the primes found, hence p50 and max`,
        `client_cpu_pct = this load generator's CPU over wall time (100 = one core): near 100 the client, not the server, limited handshakes/s; this machine has ${cpus().length} CPUs shared by the load generator and the server, so absolute rates are indicative, CPU per handshake and ratios less so. What one server core could sustain (1e6 / server CPU µs per handshake), mesh, RSA: ${perCore(find('rsa', 'mesh', 'TLSv1.3', false))} full and ${perCore(find('rsa', 'mesh', 'TLSv1.3', true))} resumed TLS 1.3 handshakes/s; ECDSA: ${perCore(find('ecdsa', 'mesh', 'TLSv1.3', false))} and ${perCore(find('ecdsa', 'mesh', 'TLSv1.3', true))}`,
      ],
    };
  } finally {
    await group.close();
  }
}

// Child-process entry.
await serveIfChild(SELF, { '--serve-mesh-tls': serveMeshTls, '--serve-bare-tls': serveBareTls }, 'usage: node --import tsx bench/tls.bench.ts --serve-mesh-tls <dir> | --serve-bare-tls <dir> (dir holding server.crt, server.key, ca.crt); run the benchmark with `npx tsx bench/run.ts tls`');
