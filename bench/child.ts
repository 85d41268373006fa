// Servers under test in their own Node processes (a benchmark file spawned again with a flag), so the load generated in
// the parent does not share the server's event loop: the parent's side (start, read JSON lines, ask, stop) and the
// child's side (print JSON lines, answer one-word commands on stdin, stop on SIGTERM or when the parent goes away).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';
import { nowNs, percentiles } from './stats';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const READY_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------------------------------
// Child side
// ---------------------------------------------------------------------------------------------------------------

/**
 * A benchmark file's child-process entry: when `script` is the process's entry point, runs the server its first
 * argument names with the second (`--serve-mesh <data dir>`), or prints `usage`. Imported as a module, does nothing.
 */
export async function serveIfChild(script: string, servers: Readonly<Record<string, (arg: string) => Promise<void>>>, usage: string): Promise<void> {
  if (process.argv[1] === undefined || process.argv[1] !== script) return;
  const [mode, arg] = process.argv.slice(2);
  if (mode !== undefined && Object.hasOwn(servers, mode) && arg !== undefined) {
    await (servers[mode] as (arg: string) => Promise<void>)(arg);
    return;
  }
  process.stderr.write(`${usage}\n`);
  process.exitCode = 2;
}

/** One JSON line on stdout: the child's only channel to the parent (ready line, command answers). */
export function writeLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** What a child answers to a command it does not know, or one that threw. */
interface CommandError {
  error: string;
}

/**
 * Answers each command line on stdin with one JSON line (unknown commands with `{ error }`), and stops the server once
 * (then exits) on SIGTERM or when stdin closes, i.e. the parent went away without stopping us.
 */
export function serveCommands(commands: Readonly<Record<string, () => unknown>>, close: () => Promise<unknown>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    close().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`server stop failed: ${String(error)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', stop);
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    const command = line.trim();
    if (command === '') return;
    const handler = commands[command];
    if (handler === undefined) {
      writeLine({ error: `unknown command ${JSON.stringify(command)}; known: ${Object.keys(commands).join(', ')}` } satisfies CommandError);
      return;
    }
    try {
      writeLine(handler());
    } catch (error) {
      writeLine({ error: `${command} failed: ${String(error)}` } satisfies CommandError);
    }
  });
  input.on('close', stop);
}

/** Events of one type in the stored audit trail (committed batches; flush first, e.g. with audit.verify()). */
export function countAuditEvents(db: Database, eventType: string): number {
  const marker = `"event_type":${JSON.stringify(eventType)}`;
  let count = 0;
  for (const row of db.prepare('SELECT lines FROM audit_batches').iterate() as IterableIterator<{ lines: string }>) {
    let from = row.lines.indexOf(marker);
    while (from !== -1) {
      count += 1;
      from = row.lines.indexOf(marker, from + marker.length);
    }
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------------
// Parent side
// ---------------------------------------------------------------------------------------------------------------

export interface Child {
  readonly label: string;
  readonly process: ChildProcessWithoutNullStreams;
  /** The next stdout line (a JSON value), or a rejection naming the child's stderr. */
  nextLine<T>(timeoutMs: number): Promise<T>;
  /** Sends a command and resolves to its answer; an `{ error }` answer rejects. */
  ask<T>(command: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** Extra Node flags (e.g. --expose-gc). */
  nodeArgs?: readonly string[];
  /** Write .cpuprofile files under <profileDir>/<label> (the main thread's file ends in .0.<seq>.cpuprofile). */
  profileDir?: string | undefined;
}

/** The directory named by an environment variable (unset or empty: none), for ChildOptions.profileDir. */
export function profileDirFrom(variable: string): string | undefined {
  const value = process.env[variable];
  return value === undefined || value === '' ? undefined : value;
}

/** Runs `node --import tsx <script> ...args` from the project root, stdout carrying JSON lines, stdin commands. */
export function startChild(label: string, script: string, args: readonly string[], { nodeArgs = [], profileDir }: ChildOptions = {}): Child {
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, label)}`];
  const child = spawn(process.execPath, [...nodeArgs, ...profile, '--import', 'tsx', script, ...args], { cwd: PROJECT_ROOT, env: process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 200) stderr.splice(0, stderr.length - 200);
  });
  const lines: string[] = [];
  const waiters: ((line: string | undefined) => void)[] = [];
  let ended = false;
  const reader = createInterface({ input: child.stdout });
  reader.on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter === undefined) lines.push(line);
    else waiter(line);
  });
  const end = (): void => {
    ended = true;
    for (const waiter of waiters.splice(0)) waiter(undefined);
  };
  reader.on('close', end);
  child.on('exit', end);
  const describe = (reason: string): Error => new Error(`${label} server: ${reason}\n--- stderr ---\n${stderr.join('').slice(-4000)}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  function nextLine<T>(timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (line: string | undefined): void => {
        clearTimeout(timer);
        if (line === undefined) {
          reject(describe(`exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) before answering`));
          return;
        }
        try {
          resolve(JSON.parse(line) as T);
        } catch {
          reject(describe(`printed a line that is not JSON: ${line.slice(0, 200)}`));
        }
      };
      const timer = setTimeout(() => {
        const i = waiters.indexOf(settle);
        if (i !== -1) waiters.splice(i, 1);
        reject(describe(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const queued = lines.shift();
      if (queued !== undefined) settle(queued);
      else if (ended) settle(undefined);
      else waiters.push(settle);
    });
  }

  return {
    label,
    process: child,
    nextLine,
    async ask<T>(command: string, timeoutMs = READY_TIMEOUT_MS): Promise<T> {
      child.stdin.write(`${command}\n`);
      const answer = await nextLine<T | CommandError>(timeoutMs);
      if (typeof answer === 'object' && answer !== null && typeof (answer as Partial<CommandError>).error === 'string') throw describe((answer as CommandError).error);
      return answer as T;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The servers of one benchmark run and a temp dir for their files: `close()` stops every one and removes the dir. */
export interface ChildGroup {
  readonly dir: string;
  start(label: string, script: string, args: readonly string[], options?: ChildOptions): Child;
  close(): Promise<void>;
}

export function childGroup(prefix: string): ChildGroup {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const children: Child[] = [];
  return {
    dir,
    start(label, script, args, options) {
      const child = startChild(label, script, args, options);
      children.push(child);
      return child;
    },
    async close() {
      await Promise.allSettled(children.map((c) => c.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The child's CPU time (user + system, every thread) so far, in µs: answer to its `cpu` command (process.cpuUsage()). */
export async function cpuUsOf(server: Child): Promise<number> {
  const usage = await server.ask<NodeJS.CpuUsage>('cpu');
  return usage.user + usage.system;
}

/** What a closed-loop load against a child did: operations completed, their rate and latency, and the CPU each side spent. */
export interface LoopLoad {
  ops: number;
  opsPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** The server process's CPU time (user + system, every thread) per completed operation. */
  serverCpuUsPerOp: number;
  /** This process's CPU time over the run's wall time: near 100 % means the load generator, not the server, was the limit. */
  clientCpuPct: number;
}

/**
 * `workers` sequential loops (each starts its next operation when the last one ended) of `op(worker)` for `seconds`
 * against `server`. `op` resolves to the latency in ms of an operation that completed, or to undefined for one that
 * failed (its reason is the caller's to keep); no operation completed at all throws.
 */
export async function runLoops(server: Child, workers: number, seconds: number, op: (worker: number) => Promise<number | undefined>): Promise<LoopLoad> {
  const latenciesMs: number[] = [];
  const cpuBefore = await cpuUsOf(server);
  const clientBefore = process.cpuUsage();
  const start = nowNs();
  const deadline = start + seconds * 1e9;
  await Promise.all(Array.from({ length: workers }, async (_, worker) => {
    while (nowNs() < deadline) {
      const ms = await op(worker);
      if (ms !== undefined) latenciesMs.push(ms);
    }
  }));
  const elapsedS = (nowNs() - start) / 1e9;
  const client = process.cpuUsage(clientBefore);
  const cpuUs = (await cpuUsOf(server)) - cpuBefore;
  if (latenciesMs.length === 0) throw new Error(`${server.label} server: no operation completed in ${seconds} s`);
  const [p50, p99] = percentiles(latenciesMs, [50, 99]) as [number, number];
  return {
    ops: latenciesMs.length,
    opsPerS: latenciesMs.length / elapsedS,
    p50Ms: p50,
    p99Ms: p99,
    serverCpuUsPerOp: cpuUs / latenciesMs.length,
    clientCpuPct: ((client.user + client.system) / 1e6 / elapsedS) * 100,
  };
}
