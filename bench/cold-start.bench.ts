// Process start-up: `devmesh serve` from spawn to its ready log line (new and existing data dir) and SIGINT to exit, versus a bare Fastify server.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './result';
import { median, nowNs, round } from './stats';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 5;
const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 15_000;

/** The reference process: Node, Fastify from the project's node_modules, one route, listening on a free port, no tsx. The SIGINT handler goes in before the ready line, or a fast parent kills it with the default action. */
const BARE_FASTIFY = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.get('/health', async () => ({ ok: true }));
process.on('SIGINT', () => { app.close().then(() => process.exit(0), () => process.exit(1)); });
await app.listen({ host: '127.0.0.1', port: 0 });
process.stderr.write(JSON.stringify({ level: 30, msg: 'bare fastify ready' }) + '\\n');
`;

interface Timing {
  readyMs: number;
  exitMs: number;
  /** `startup_ms` from the ready line (process.uptime() at ready), when the process reports it. */
  reportedMs: number | undefined;
}

interface LogLine {
  level?: number;
  msg?: string;
  startup_ms?: number;
}

function parseLogLine(line: string): LogLine | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as LogLine) : undefined;
  } catch {
    return undefined;
  }
}

/** Spawns `args`, waits for a JSON stderr line whose msg contains "ready", sends SIGINT and waits for exit code 0. */
function timeProcess(label: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Timing> {
  return new Promise<Timing>((resolve, reject) => {
    const start = nowNs();
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr: string[] = [];
    let buffered = '';
    let readyMs: number | undefined;
    let reportedMs: number | undefined;
    let signalledAt = 0;
    let settled = false;

    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(new Error(`${label}: ${reason}\n--- stderr ---\n${stderr.join('\n').slice(-4000)}`));
    };
    let timer = setTimeout(() => fail(`no ready line within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        stderr.push(line);
        if (readyMs !== undefined) continue;
        const log = parseLogLine(line);
        if (log?.msg === undefined || !log.msg.includes('ready')) continue;
        readyMs = (nowNs() - start) / 1e6;
        reportedMs = typeof log.startup_ms === 'number' ? log.startup_ms : undefined;
        clearTimeout(timer);
        timer = setTimeout(() => fail(`did not exit within ${EXIT_TIMEOUT_MS} ms of SIGINT`), EXIT_TIMEOUT_MS);
        signalledAt = nowNs();
        child.kill('SIGINT');
      }
    });
    child.on('error', (error) => fail(`could not spawn: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (settled) return;
      if (readyMs === undefined) return fail(`exited before it was ready (code ${code}, signal ${signal})`);
      if (code !== 0) return fail(`exited with code ${code}, signal ${signal} after SIGINT (expected 0)`);
      settled = true;
      clearTimeout(timer);
      resolve({ readyMs, exitMs: (nowNs() - signalledAt) / 1e6, reportedMs });
    });
  });
}

function serveEnv(dataDir: string, masterKey: string): NodeJS.ProcessEnv {
  return { ...process.env, DEVMESH_DATA_DIR: dataDir, ENCRYPTION_MASTER_KEY: masterKey, MCP_PORT: '0', API_PORT: '0', LOG_LEVEL: 'info' };
}

export async function benchColdStart(): Promise<BenchResult> {
  const dirs: string[] = [];
  const freshDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-bench-start-'));
    dirs.push(dir);
    return dir;
  };
  const serveArgs = ['bin/devmesh.js', 'serve'];
  const bareArgs = ['--input-type=module', '-e', BARE_FASTIFY];
  try {
    // One unmeasured run of each fills the OS file cache and tsx's transform cache, and creates the warm data dir.
    const warmDir = freshDir();
    const warmKey = randomBytes(32).toString('base64');
    await timeProcess('bare fastify (priming)', bareArgs, process.env);
    await timeProcess('serve (priming, creates the warm data dir)', serveArgs, serveEnv(warmDir, warmKey));

    const bare: Timing[] = [];
    const first: Timing[] = [];
    const warm: Timing[] = [];
    // Interleaved, so drift in machine load affects all three alike.
    for (let run = 0; run < RUNS; run += 1) {
      bare.push(await timeProcess('bare fastify', bareArgs, process.env));
      first.push(await timeProcess('serve (new data dir)', serveArgs, serveEnv(freshDir(), randomBytes(32).toString('base64'))));
      warm.push(await timeProcess('serve (existing data dir)', serveArgs, serveEnv(warmDir, warmKey)));
    }

    const med = (timings: readonly Timing[], pick: (t: Timing) => number | undefined): number => {
      const values = timings.map(pick).filter((v): v is number => v !== undefined);
      return values.length === 0 ? Number.NaN : median(values);
    };
    const bareReady = med(bare, (t) => t.readyMs);
    const firstReady = med(first, (t) => t.readyMs);
    const warmReady = med(warm, (t) => t.readyMs);
    return {
      name: 'cold-start',
      metrics: {
        serve_first_run_ready_ms: round(firstReady, 1),
        serve_existing_dir_ready_ms: round(warmReady, 1),
        bare_fastify_ready_ms: round(bareReady, 1),
        serve_first_run_exit_ms: round(med(first, (t) => t.exitMs), 1),
        serve_existing_dir_exit_ms: round(med(warm, (t) => t.exitMs), 1),
        bare_fastify_exit_ms: round(med(bare, (t) => t.exitMs), 1),
        serve_existing_dir_reported_startup_ms: round(med(warm, (t) => t.reportedMs), 0),
        first_run_ratio: round(firstReady / bareReady, 3),
      },
      ratio: round(warmReady / bareReady, 3),
      notes: [
        `medians of ${RUNS} interleaved runs each, after one unmeasured priming run; ready = spawn until a stderr JSON line whose msg contains "ready"; exit = SIGINT until exit code 0`,
        'ratio = serve with an existing data dir / bare Fastify; first_run_ratio = serve creating its database / bare Fastify',
        `first-run minus existing-dir ready time (database creation, migrations, key check) = ${round(firstReady - warmReady, 1)} ms`,
        'reported_startup_ms is process.uptime() at the ready line, i.e. what serve prints; the gap to ready_ms is process spawn and log delivery',
      ],
    };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
