// Headless configuration: environment plus an optional .env file, validated at start so a bad value fails with the variable's name and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { AppError } from '../shared/errors';
import { parseDuration } from '../shared/duration';
import { HOSTNAME, originProblem } from '../shared/settings/rules';
import { readTlsConfig, type TlsConfig } from './tls-config';

export const APP_DIR_NAME = 'devmesh-console';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HttpConfig {
  /** Host names (beyond localhost, 127.0.0.1, [::1] and DEVMESH_HOST) the servers answer to: DEVMESH_ALLOWED_HOSTS. */
  readonly extraHosts: readonly string[];
  /** Exact browser origins allowed to call the servers (CORS and Origin check): CORS_ALLOWED_ORIGINS. */
  readonly allowedOrigins: readonly string[];
  /** Largest request body in bytes: API_BODY_LIMIT. */
  readonly bodyLimit: number;
}

export interface AuthConfig {
  readonly accessTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  readonly maxFailedLogins: number;
  readonly lockoutSeconds: number;
  /** Login attempts allowed per client IP per minute. */
  readonly loginAttemptsPerMinute: number;
  /** JWT_SECRET: a fixed signing key instead of the generated, rotatable one. */
  readonly jwtSecret: Buffer | undefined;
  /** DEVMESH_ADMIN_PASSWORD: the first admin's password (otherwise one is generated and printed once). */
  readonly adminPassword: string | undefined;
}

export interface RateLimitConfig {
  /** Requests per second per client address, checked before authentication: RATE_LIMIT_IP_RPS / _BURST. */
  readonly ipRps: number;
  readonly ipBurst: number;
  /** Requests per second per authenticated subject (user or key): RATE_LIMIT_USER_RPS / _BURST. */
  readonly userRps: number;
  readonly userBurst: number;
}

export interface MeshConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly mcpPort: number;
  readonly apiPort: number;
  /** The raw ENCRYPTION_MASTER_KEY value, parsed later by core/crypto (it never leaves that module decoded). */
  readonly masterKeyEnv: string | undefined;
  readonly logLevel: LogLevel;
  readonly http: HttpConfig;
  readonly auth: AuthConfig;
  readonly rateLimit: RateLimitConfig;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs): TRUST_PROXY. Empty: the header is ignored. */
  readonly trustProxy: readonly string[];
  /** METRICS_PUBLIC=true serves /metrics without a credential. */
  readonly metricsPublic: boolean;
  /** Audit events older than this many days are pruned (a signed checkpoint keeps the rest verifiable); 0 keeps all. */
  readonly auditRetentionDays: number;
  readonly mcp: McpConfig;
  /** TLS of each server: API_TLS_* and MCP_TLS_*. */
  readonly tls: { readonly api: TlsConfig; readonly mcp: TlsConfig };
}

export interface McpConfig {
  /** An MCP session with no request for this long is closed: MCP_SESSION_IDLE_TIMEOUT. */
  readonly sessionIdleSeconds: number;
  /** Open MCP sessions (Streamable HTTP and WebSocket together) one credential may hold: MCP_MAX_SESSIONS_PER_SUBJECT. */
  readonly maxSessionsPerSubject: number;
}

export const DEFAULT_MCP_CONFIG: McpConfig = { sessionIdleSeconds: 3600, maxSessionsPerSubject: 32 };

export const DEFAULT_RATE_LIMIT_CONFIG: RateLimitConfig = { ipRps: 100, ipBurst: 200, userRps: 50, userBurst: 100 };

export const DEFAULT_HTTP_CONFIG: HttpConfig = { extraHosts: [], allowedOrigins: [], bodyLimit: 1024 * 1024 };

export const DEFAULT_AUTH_CONFIG: AuthConfig = {
  accessTtlSeconds: 15 * 60,
  refreshTtlSeconds: 7 * 86400,
  maxFailedLogins: 5,
  lockoutSeconds: 15 * 60,
  loginAttemptsPerMinute: 10,
  jwtSecret: undefined,
  adminPassword: undefined,
};

type Env = Readonly<Record<string, string | undefined>>;

/** The OS application-data folder the desktop app uses too, so headless and desktop share one mesh. */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: Env = process.env, home = homedir()): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg !== undefined && xdg.startsWith('/') ? xdg : join(home, '.config'), APP_DIR_NAME);
}

function portVar(name: string, fallback: number) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = raw.trim();
      if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
        ctx.addIssue({ code: 'custom', message: `${name}=${JSON.stringify(raw)} is not a port; use a whole number from 1 to 65535 (0 picks a free port), e.g. ${name}=${fallback}` });
        return z.NEVER;
      }
      return Number(value);
    });
}

function intVar(name: string, fallback: number, min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = Number(raw.trim());
      if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `${name}=${JSON.stringify(raw)} is not a whole number from ${min} to ${max}; e.g. ${name}=${fallback}` });
        return z.NEVER;
      }
      return value;
    });
}

function durationVar(name: string, fallback: number, min: number, max: number, example: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const seconds = parseDuration(raw);
      if (seconds === undefined || seconds < min || seconds > max) {
        ctx.addIssue({ code: 'custom', message: `${name}=${JSON.stringify(raw)} is not a duration between ${min} s and ${max} s; write it like ${name}=${example} (s, m, h, d)` });
        return z.NEVER;
      }
      return seconds;
    });
}

/** A comma-separated list whose items `problem` checks (undefined = fine). */
function listVar(name: string, problem: (item: string) => string | undefined, example: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const items = (raw ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
      for (const item of items) {
        const why = problem(item);
        if (why !== undefined) {
          ctx.addIssue({ code: 'custom', message: `${name}: ${JSON.stringify(item)} ${why}; write a comma-separated list, e.g. ${example}` });
          return z.NEVER;
        }
      }
      return items;
    });
}

/** "10.0.0.1", "::1", "10.0.0.0/8", "fd00::/8". */
export function isCidrOrIp(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  if (address === undefined || extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** DEVMESH_HOST's rule (the console's network.host setting follows it too): an IP address or a host name, brackets allowed around IPv6. */
export function hostProblem(value: string): string | undefined {
  const bare = value.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) === 0 && !HOSTNAME.test(bare) ? 'is not an IP address or host name' : undefined;
}

const envSchema = z.object({
  DEVMESH_DATA_DIR: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return undefined;
      if (raw.includes('\0')) {
        ctx.addIssue({ code: 'custom', message: 'DEVMESH_DATA_DIR contains a NUL byte; set it to a folder path, e.g. DEVMESH_DATA_DIR=~/.config/devmesh-console' });
        return z.NEVER;
      }
      return resolve(raw.replace(/^~(?=$|[\\/])/, homedir()));
    }),
  DEVMESH_HOST: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = raw?.trim() || '127.0.0.1';
      const bare = value.replace(/^\[(.*)\]$/, '$1');
      if (hostProblem(bare) !== undefined) {
        ctx.addIssue({ code: 'custom', message: `DEVMESH_HOST=${JSON.stringify(raw)} is not an IP address or host name; use e.g. DEVMESH_HOST=127.0.0.1` });
        return z.NEVER;
      }
      return bare;
    }),
  MCP_PORT: portVar('MCP_PORT', 8080),
  API_PORT: portVar('API_PORT', 8081),
  ENCRYPTION_MASTER_KEY: z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw.trim())),
  DEVMESH_ALLOWED_HOSTS: listVar('DEVMESH_ALLOWED_HOSTS', (value) => (isIP(value.replace(/^\[(.*)\]$/, '$1')) !== 0 || HOSTNAME.test(value) ? undefined : 'is not a host name or IP address'), 'DEVMESH_ALLOWED_HOSTS=mesh.local,devbox'),
  CORS_ALLOWED_ORIGINS: listVar('CORS_ALLOWED_ORIGINS', originProblem, 'CORS_ALLOWED_ORIGINS=http://localhost:5173'),
  API_BODY_LIMIT: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return DEFAULT_HTTP_CONFIG.bodyLimit;
      const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw.trim());
      const bytes = match === null ? NaN : Number(match[1]) * ({ b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb']);
      if (!Number.isFinite(bytes) || bytes < 1024 || bytes > 64 * 1024 * 1024) {
        ctx.addIssue({ code: 'custom', message: `API_BODY_LIMIT=${JSON.stringify(raw)} is not a size from 1kb to 64mb; use e.g. API_BODY_LIMIT=1mb` });
        return z.NEVER;
      }
      return bytes;
    }),
  JWT_SECRET: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return undefined;
      const bytes = Buffer.from(raw, 'utf8');
      if (bytes.length < 32 || new Set(bytes).size < 10) {
        ctx.addIssue({ code: 'custom', message: 'JWT_SECRET must be at least 32 bytes of random text; generate one with JWT_SECRET=$(openssl rand -base64 32), or unset it to let the mesh generate and rotate its own key' });
        return z.NEVER;
      }
      return bytes;
    }),
  JWT_ACCESS_TTL: durationVar('JWT_ACCESS_TTL', DEFAULT_AUTH_CONFIG.accessTtlSeconds, 60, 86400, '15m'),
  JWT_REFRESH_TTL: durationVar('JWT_REFRESH_TTL', DEFAULT_AUTH_CONFIG.refreshTtlSeconds, 300, 366 * 86400, '7d'),
  LOGIN_MAX_FAILURES: intVar('LOGIN_MAX_FAILURES', DEFAULT_AUTH_CONFIG.maxFailedLogins, 1, 100),
  LOGIN_LOCKOUT: durationVar('LOGIN_LOCKOUT', DEFAULT_AUTH_CONFIG.lockoutSeconds, 1, 7 * 86400, '15m'),
  LOGIN_RATE_LIMIT: intVar('LOGIN_RATE_LIMIT', DEFAULT_AUTH_CONFIG.loginAttemptsPerMinute, 1, 10_000),
  DEVMESH_ADMIN_PASSWORD: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return undefined;
      if (raw.length < 12 || Buffer.byteLength(raw) > 72) {
        ctx.addIssue({ code: 'custom', message: 'DEVMESH_ADMIN_PASSWORD must be 12 to 72 bytes long; pick a longer passphrase, or unset it to get a generated password' });
        return z.NEVER;
      }
      return raw;
    }),
  RATE_LIMIT_IP_RPS: intVar('RATE_LIMIT_IP_RPS', DEFAULT_RATE_LIMIT_CONFIG.ipRps, 1, 1_000_000),
  RATE_LIMIT_IP_BURST: intVar('RATE_LIMIT_IP_BURST', DEFAULT_RATE_LIMIT_CONFIG.ipBurst, 1, 1_000_000),
  RATE_LIMIT_USER_RPS: intVar('RATE_LIMIT_USER_RPS', DEFAULT_RATE_LIMIT_CONFIG.userRps, 1, 1_000_000),
  RATE_LIMIT_USER_BURST: intVar('RATE_LIMIT_USER_BURST', DEFAULT_RATE_LIMIT_CONFIG.userBurst, 1, 1_000_000),
  TRUST_PROXY: listVar('TRUST_PROXY', (value) => (isCidrOrIp(value) ? undefined : 'is not an IP address or CIDR range'), 'TRUST_PROXY=127.0.0.1,10.0.0.0/8'),
  METRICS_PUBLIC: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = (raw ?? '').trim().toLowerCase();
      if (value === '' || value === 'false' || value === '0') return false;
      if (value === 'true' || value === '1') return true;
      ctx.addIssue({ code: 'custom', message: `METRICS_PUBLIC=${JSON.stringify(raw)} must be true or false` });
      return z.NEVER;
    }),
  AUDIT_RETENTION_DAYS: intVar('AUDIT_RETENTION_DAYS', 90, 0, 36_500),
  MCP_SESSION_IDLE_TIMEOUT: durationVar('MCP_SESSION_IDLE_TIMEOUT', DEFAULT_MCP_CONFIG.sessionIdleSeconds, 10, 7 * 86400, '1h'),
  MCP_MAX_SESSIONS_PER_SUBJECT: intVar('MCP_MAX_SESSIONS_PER_SUBJECT', DEFAULT_MCP_CONFIG.maxSessionsPerSubject, 1, 100_000),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = (raw?.trim() || 'info').toLowerCase();
      if (!(LOG_LEVELS as readonly string[]).includes(value)) {
        ctx.addIssue({ code: 'custom', message: `LOG_LEVEL=${JSON.stringify(raw)} is not a log level; use one of ${LOG_LEVELS.join(', ')}` });
        return z.NEVER;
      }
      return value as LogLevel;
    }),
});

/** Reads `.env` in `cwd` if present; variables already in the environment win, as with dotenv. */
export function readDotenv(cwd: string): Record<string, string> {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return {};
  try {
    return parseDotenv(readFileSync(file));
  } catch (cause) {
    throw new AppError('CONFIG_INVALID', `cannot read ${file}: ${(cause as Error).message}; fix its permissions or remove it`, { cause });
  }
}

export interface LoadConfigOptions {
  env?: Env;
  cwd?: string;
  /** Read `.env` from cwd (default true). */
  dotenv?: boolean;
}

export function loadConfig(options: LoadConfigOptions = {}): MeshConfig {
  const env = options.env ?? process.env;
  const fromFile = options.dotenv === false ? {} : readDotenv(options.cwd ?? process.cwd());
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;

  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => issue.message);
    throw new AppError('CONFIG_INVALID', messages.join('; '));
  }
  const c = parsed.data;
  if (c.MCP_PORT !== 0 && c.MCP_PORT === c.API_PORT) {
    throw new AppError('CONFIG_INVALID', `MCP_PORT and API_PORT are both ${c.MCP_PORT}; give each server its own port, e.g. MCP_PORT=8080 API_PORT=8081`);
  }
  return {
    dataDir: c.DEVMESH_DATA_DIR ?? defaultDataDir(process.platform, merged),
    host: c.DEVMESH_HOST,
    mcpPort: c.MCP_PORT,
    apiPort: c.API_PORT,
    masterKeyEnv: c.ENCRYPTION_MASTER_KEY,
    logLevel: c.LOG_LEVEL,
    http: { extraHosts: c.DEVMESH_ALLOWED_HOSTS.map((h) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1')), allowedOrigins: c.CORS_ALLOWED_ORIGINS, bodyLimit: c.API_BODY_LIMIT },
    auth: {
      accessTtlSeconds: c.JWT_ACCESS_TTL,
      refreshTtlSeconds: c.JWT_REFRESH_TTL,
      maxFailedLogins: c.LOGIN_MAX_FAILURES,
      lockoutSeconds: c.LOGIN_LOCKOUT,
      loginAttemptsPerMinute: c.LOGIN_RATE_LIMIT,
      jwtSecret: c.JWT_SECRET,
      adminPassword: c.DEVMESH_ADMIN_PASSWORD,
    },
    rateLimit: { ipRps: c.RATE_LIMIT_IP_RPS, ipBurst: c.RATE_LIMIT_IP_BURST, userRps: c.RATE_LIMIT_USER_RPS, userBurst: c.RATE_LIMIT_USER_BURST },
    trustProxy: c.TRUST_PROXY,
    metricsPublic: c.METRICS_PUBLIC,
    auditRetentionDays: c.AUDIT_RETENTION_DAYS,
    mcp: { sessionIdleSeconds: c.MCP_SESSION_IDLE_TIMEOUT, maxSessionsPerSubject: c.MCP_MAX_SESSIONS_PER_SUBJECT },
    tls: { api: readTlsConfig('API', merged), mcp: readTlsConfig('MCP', merged) },
  };
}

/** True when the bind address is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
