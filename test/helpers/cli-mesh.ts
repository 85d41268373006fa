// What the CLI integration tests share: a fresh mesh environment, `devmesh serve` runs stopped after each test, CLI calls that must succeed or be refused, logins over REST and a read-only look at the audit trail.
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createAuditService } from '../../src/main/core/audit/audit-service';
import type { AuditEvent } from '../../src/main/core/audit/types';
import { openStorage } from '../../src/main/core/storage/database';
import { expectOneCleanLine, runCli, startServe, type CliResult, type RunningServe } from './cli';
import { tempDir } from './temp-dir';

export const ADMIN_PASSWORD = 'admin passphrase for tests';
/** The subject the audit trail records for a command run by the current OS user. */
export const CLI_SUBJECT = `cli:${userInfo().username}`;
/** Each command is a fresh Node process (tsx start-up, then bcrypt at cost 12 where passwords are involved): seconds, not milliseconds. */
export const SLOW = 120_000;

export type Env = Record<string, string | undefined>;
export type MeshEnv = Env & { DEVMESH_DATA_DIR: string; ENCRYPTION_MASTER_KEY: string };

/** A fresh data dir and master key, shared by serve and every CLI command of one test; `extra` adds or overrides settings. */
export function meshEnv(extra: Env = {}): MeshEnv {
  return {
    DEVMESH_DATA_DIR: join(tempDir(), 'data'),
    ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64'),
    DEVMESH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // A test logs in more often than a person would; the per-IP login limit is covered by the REST tests.
    LOGIN_RATE_LIMIT: '1000',
    ...extra,
  };
}

const running: RunningServe[] = [];

/** Starts `devmesh serve`; stopServes kills it if the test has not stopped it. */
export async function serve(env: Env): Promise<RunningServe> {
  const s = await startServe({ env });
  running.push(s);
  return s;
}

/** Stops a serve the test is done with (SIGINT unless told) and resolves with its exit code. */
export function stopped(s: RunningServe, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  const index = running.indexOf(s);
  if (index >= 0) running.splice(index, 1);
  return s.stop(signal);
}

/** SIGKILLs every serve still running: `afterEach(stopServes)` in each file that calls serve. */
export async function stopServes(): Promise<void> {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
}

export function cli(env: Env, args: string[], input?: string): Promise<CliResult> {
  return runCli(args, { env, input });
}

/** A command that must succeed; its output is shown when it does not. */
export async function ok(env: Env, args: string[], input?: string): Promise<CliResult> {
  const result = await cli(env, args, input);
  expect(result.code, `devmesh ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

/** A command that must fail with exit 1, one clean line on stderr and nothing on stdout; returns that line. */
export async function refused(env: Env, args: string[], input?: string): Promise<string> {
  const result = await cli(env, args, input);
  expect(result.code, `devmesh ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(1);
  expect(result.stdout).toBe('');
  return expectOneCleanLine(result.stderr);
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

/** A JSON POST, with a bearer token when given. */
export async function post(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
}

/** Status and, on 200, the tokens of a login or refresh response. */
export async function tokensOf(response: Response): Promise<{ status: number; tokens: Tokens | undefined }> {
  if (response.status === 200) return { status: 200, tokens: (await response.json()) as Tokens };
  await response.body?.cancel();
  return { status: response.status, tokens: undefined };
}

export async function login(apiUrl: string, username: string, password: string): Promise<{ status: number; tokens: Tokens | undefined }> {
  return tokensOf(await post(`${apiUrl}/api/v1/auth/login`, { username, password }));
}

/** A login that must succeed; returns its tokens. */
export async function loggedIn(apiUrl: string, username: string, password: string): Promise<Tokens> {
  const { status, tokens } = await login(apiUrl, username, password);
  expect(status, `login ${username}`).toBe(200);
  return tokens as Tokens;
}

/** Every audit event of these types, read from the database file without writing to it. */
export function auditEvents(dataDir: string, types: string[]): AuditEvent[] {
  const storage = openStorage({ file: join(dataDir, 'devmesh.db'), readOnly: true });
  try {
    const audit = createAuditService({ db: storage.db });
    // Events are filed under the tenant they concern (e.g. a user created in tenant acme): look in every tenant.
    const tenants = storage.db.prepare('SELECT tenant_id FROM tenants').pluck().all() as string[];
    return types.flatMap((event_type) => tenants.flatMap((tenant_id) => audit.query({ event_type, tenant_id, limit: 1000 }).events)).sort((a, b) => a.seq - b.seq);
  } finally {
    storage.close();
  }
}
