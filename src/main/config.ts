// Headless configuration: environment plus an optional .env file, validated at start so a bad value fails with the variable's name and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { AppError } from '../shared/errors';

export const APP_DIR_NAME = 'devmesh-console';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface MeshConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly mcpPort: number;
  readonly apiPort: number;
  /** The raw ENCRYPTION_MASTER_KEY value, parsed later by core/crypto (it never leaves that module decoded). */
  readonly masterKeyEnv: string | undefined;
  readonly logLevel: LogLevel;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The OS application-data folder the desktop app uses too, so headless and desktop share one mesh. */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: Env = process.env, home = homedir()): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg !== undefined && xdg.startsWith('/') ? xdg : join(home, '.config'), APP_DIR_NAME);
}

const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

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
      if (isIP(bare) === 0 && !HOSTNAME.test(bare)) {
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
  };
}

/** True when the bind address is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
