// Runs the real `devmesh` CLI (bin/devmesh.js) in a child process with a clean environment, as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/devmesh.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
}

/** The parent environment without any mesh variables, so tests start from defaults. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(DEVMESH_|MCP_|API_|ENCRYPTION_|LOG_LEVEL|VITEST|NODE_OPTIONS)/.test(key) && key !== 'DEVMESH_TEST_KEYRING') continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function spawnCli(args: string[], options: CliOptions): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
  });
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

export interface RunningServe {
  child: ChildProcess;
  mcpUrl: string;
  apiUrl: string;
  readyLine: Record<string, unknown>;
  output(): { stdout: string; stderr: string };
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `devmesh serve` and waits for its ready line; rejects with the output if it exits first. */
export function startServe(options: CliOptions = {}): Promise<RunningServe> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(['serve'], { ...options, env: { LOG_LEVEL: 'info', MCP_PORT: '0', API_PORT: '0', ...options.env } });
    let stdout = '';
    let stderr = '';
    let ready = false;
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not become ready:\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (ready) return;
      for (const line of stderr.split('\n')) {
        if (!line.startsWith('{')) continue;
        const record = JSON.parse(line) as Record<string, unknown>;
        if (typeof record.mcp_url === 'string' && typeof record.api_url === 'string') {
          ready = true;
          clearTimeout(timer);
          resolve({
            child,
            mcpUrl: record.mcp_url,
            apiUrl: record.api_url,
            readyLine: record,
            output: () => ({ stdout, stderr }),
            stop: (signal = 'SIGINT') => {
              child.kill(signal);
              return exited;
            },
          });
        }
      }
    });
    void exited.then((code) => {
      if (!ready) {
        clearTimeout(timer);
        reject(Object.assign(new Error(`serve exited with ${code} before ready:\n${stderr}`), { code, stderr, stdout }));
      }
    });
  });
}

/** One line on stderr, no stack trace: what every start-up failure must look like. */
export function expectOneCleanLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
  if (lines.length !== 1) throw new Error(`expected one error line, got:\n${stderr}`);
  if (/\n\s+at /.test(stderr)) throw new Error(`stack trace in output:\n${stderr}`);
  return lines[0] as string;
}

/** GET with full control of the Host and Origin headers (fetch does not let a caller set Host). */
export function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'GET', headers }, (response) => {
      let text = '';
      response.on('data', (c: Buffer) => (text += c.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    request.on('error', reject);
    request.end();
  });
}
