// Settings changed from the console or REST over the environment's values: live ones (rate limits, login policy, CORS origins, audit retention) apply at once; start-up ones (host, ports, TLS) at the next start. Validated as a whole, audited by the caller, seen by every process.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { originProblem, PORT_MAX, PORT_MIN, RETENTION_MAX_DAYS, STARTUP_SETTING_KEYS, TLS_CLIENT_AUTH_MODES, TLS_MIN_VERSIONS } from '../../../shared/settings/rules';
import { hostProblem, type MeshConfig } from '../../config';
import { createEpochCache, type ChangeEpoch } from '../storage/change-epoch';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';

const MAX_ORIGINS = 100;

const origins = z
  .array(z.string().max(2048))
  .max(MAX_ORIGINS, { error: `at most ${MAX_ORIGINS} origins` })
  .superRefine((list, ctx) => {
    for (const origin of list) {
      const why = originProblem(origin);
      if (why !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(origin)} ${why}, e.g. http://localhost:5173` });
    }
    const twice = list.find((origin, i) => list.indexOf(origin) !== i);
    if (twice !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(twice)} is listed twice` });
  });

const host = z
  .string()
  .trim()
  .max(255)
  .superRefine((value, ctx) => {
    const why = hostProblem(value);
    if (why !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} ${why}; use e.g. 127.0.0.1` });
  })
  .transform((value) => value.replace(/^\[(.*)\]$/, '$1'));

const port = z.number({ error: 'must be a number' }).int({ error: 'is not a port; use a whole number from 1 to 65535 (0 picks a free port)' }).min(PORT_MIN, { error: 'is not a port; use a whole number from 1 to 65535 (0 picks a free port)' }).max(PORT_MAX, { error: 'is not a port; use a whole number from 1 to 65535 (0 picks a free port)' });
const count = (max: number) => z.number().int({ error: `must be a whole number from 1 to ${max}` }).min(1, { error: `must be a whole number from 1 to ${max}` }).max(max, { error: `must be a whole number from 1 to ${max}` });

/** Every setting the console and REST can change, with its schema. Names are stable: scripts and the console use them. */
export const settingsSchema = z.strictObject({
  'rate_limit.ip_rps': count(1_000_000),
  'rate_limit.ip_burst': count(1_000_000),
  'rate_limit.user_rps': count(1_000_000),
  'rate_limit.user_burst': count(1_000_000),
  'login.attempts_per_minute': count(10_000),
  /** Set by lockdown: only admins may log in. */
  'login.admins_only': z.boolean(),
  /** Exact origins browsers may call from (CORS and the Origin check); never "*". */
  'cors.allowed_origins': origins,
  /** 0 keeps the audit trail forever. */
  'audit.retention_days': z.number().int({ error: `must be a whole number of days from 0 (keep forever) to ${RETENTION_MAX_DAYS}` }).min(0, { error: `must be a whole number of days from 0 (keep forever) to ${RETENTION_MAX_DAYS}` }).max(RETENTION_MAX_DAYS, { error: `must be a whole number of days from 0 (keep forever) to ${RETENTION_MAX_DAYS}` }),
  'network.host': host,
  'network.api_port': port,
  'network.mcp_port': port,
  'tls.api.enabled': z.boolean(),
  'tls.api.min_version': z.enum(TLS_MIN_VERSIONS, { error: 'must be TLSv1.2 or TLSv1.3' }),
  'tls.api.client_auth': z.enum(TLS_CLIENT_AUTH_MODES, { error: `must be one of ${TLS_CLIENT_AUTH_MODES.join(', ')}` }),
  'tls.api.http2': z.boolean(),
  'tls.api.session_tickets': z.boolean(),
  'tls.mcp.enabled': z.boolean(),
  'tls.mcp.min_version': z.enum(TLS_MIN_VERSIONS, { error: 'must be TLSv1.2 or TLSv1.3' }),
  'tls.mcp.client_auth': z.enum(TLS_CLIENT_AUTH_MODES, { error: `must be one of ${TLS_CLIENT_AUTH_MODES.join(', ')}` }),
  'tls.mcp.http2': z.boolean(),
  'tls.mcp.session_tickets': z.boolean(),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as SettingKey[];

/** Settings the servers read when they start: a change waits for the next start. */
export const STARTUP_KEYS = STARTUP_SETTING_KEYS satisfies readonly SettingKey[];
export type StartupKey = (typeof STARTUP_KEYS)[number];
export type StartupSettings = Pick<Settings, StartupKey>;

export function isStartupKey(key: string): key is StartupKey {
  return (STARTUP_KEYS as readonly string[]).includes(key);
}

/** The environment variable each setting starts from (login.admins_only has none: only lockdown and the console set it). */
export const SETTING_ENV_VARS: Partial<Record<SettingKey, string>> = {
  'rate_limit.ip_rps': 'RATE_LIMIT_IP_RPS',
  'rate_limit.ip_burst': 'RATE_LIMIT_IP_BURST',
  'rate_limit.user_rps': 'RATE_LIMIT_USER_RPS',
  'rate_limit.user_burst': 'RATE_LIMIT_USER_BURST',
  'login.attempts_per_minute': 'LOGIN_RATE_LIMIT',
  'cors.allowed_origins': 'CORS_ALLOWED_ORIGINS',
  'audit.retention_days': 'AUDIT_RETENTION_DAYS',
  'network.host': 'DEVMESH_HOST',
  'network.api_port': 'API_PORT',
  'network.mcp_port': 'MCP_PORT',
  ...Object.fromEntries((['api', 'mcp'] as const).flatMap((s) => {
    const p = s.toUpperCase();
    return [[`tls.${s}.enabled`, `${p}_TLS_ENABLED`], [`tls.${s}.min_version`, `${p}_TLS_MIN_VERSION`], [`tls.${s}.client_auth`, `${p}_TLS_CLIENT_AUTH`], [`tls.${s}.http2`, `${p}_TLS_HTTP2`], [`tls.${s}.session_tickets`, `${p}_TLS_SESSION_TICKETS`]];
  })),
};

export interface SettingsChange {
  /** New values (validated). */
  set?: Partial<Record<string, unknown>>;
  /** Keys going back to the environment's value. */
  reset?: readonly string[];
}

export interface SettingsService {
  /** Effective values: stored ones over the environment's. Same object until something changes (cheap on hot paths). */
  get(): Settings;
  /** The environment's values (what a reset goes back to). */
  environment(): Settings;
  /** Which keys were changed from the console or REST (the rest come from the environment). */
  overridden(): SettingKey[];
  /**
   * Sets and resets in one transaction, after validating all of it together (each value and the result: the two servers
   * need different ports); nothing is written unless all of it is valid. Returns before/after of the touched keys.
   */
  apply(change: SettingsChange, actor: string): { before: Partial<Settings>; after: Partial<Settings> };
  update(changes: Partial<Record<string, unknown>>, actor: string): { before: Partial<Settings>; after: Partial<Settings> };
  /** Back to the environment's value. */
  reset(keys: SettingKey[], actor: string): void;
}

export function defaultSettings(config: MeshConfig): Settings {
  const { api, mcp } = config.tls;
  return {
    'rate_limit.ip_rps': config.rateLimit.ipRps,
    'rate_limit.ip_burst': config.rateLimit.ipBurst,
    'rate_limit.user_rps': config.rateLimit.userRps,
    'rate_limit.user_burst': config.rateLimit.userBurst,
    'login.attempts_per_minute': config.auth.loginAttemptsPerMinute,
    'login.admins_only': false,
    'cors.allowed_origins': [...config.http.allowedOrigins],
    'audit.retention_days': config.auditRetentionDays,
    'network.host': config.host,
    'network.api_port': config.apiPort,
    'network.mcp_port': config.mcpPort,
    'tls.api.enabled': api.enabled,
    'tls.api.min_version': api.minVersion,
    'tls.api.client_auth': api.clientAuth,
    'tls.api.http2': api.http2,
    'tls.api.session_tickets': api.sessionTickets,
    'tls.mcp.enabled': mcp.enabled,
    'tls.mcp.min_version': mcp.minVersion,
    'tls.mcp.client_auth': mcp.clientAuth,
    'tls.mcp.http2': mcp.http2,
    'tls.mcp.session_tickets': mcp.sessionTickets,
  };
}

function validationError(key: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `setting ${key}: ${message}`);
}

function requireKnown(keys: readonly string[]): void {
  const unknown = keys.filter((k) => !(SETTING_KEYS as string[]).includes(k));
  if (unknown.length > 0) throw new AppError('VALIDATION_FAILED', `unknown setting ${unknown.map((k) => JSON.stringify(k)).join(', ')}; settings are ${SETTING_KEYS.join(', ')}`);
}

/** Checks that span settings, on the values that would result. */
function crossCheck(values: Settings, touched: ReadonlySet<string>): void {
  const api = values['network.api_port'];
  const mcp = values['network.mcp_port'];
  if (api !== 0 && api === mcp) {
    const key = touched.has('network.mcp_port') ? 'network.mcp_port' : 'network.api_port';
    throw validationError(key, `the API and MCP servers would both use port ${api}; give each server its own port`);
  }
}

export function createSettingsService({ db, config, epoch, now = () => new Date() }: { db: Database; config: MeshConfig; epoch: ChangeEpoch; now?: () => Date }): SettingsService {
  const defaults = Object.freeze(defaultSettings(config));
  const cache = createEpochCache<'settings', { values: Settings; overridden: SettingKey[] }>(epoch, 1);
  const select = db.prepare<[string], { key: string; value: string }>('SELECT key, value FROM settings WHERE tenant_id = ?');

  function load(): { values: Settings; overridden: SettingKey[] } {
    const cached = cache.get('settings');
    if (cached !== undefined) return cached;
    const values: Settings = { ...defaults };
    const overridden: SettingKey[] = [];
    for (const row of select.all(DEFAULT_TENANT_ID)) {
      if (!(SETTING_KEYS as string[]).includes(row.key)) continue;
      const key = row.key as SettingKey;
      let stored: unknown;
      try {
        stored = JSON.parse(row.value);
      } catch {
        continue;
      }
      const parsed = settingsSchema.shape[key].safeParse(stored);
      // A value this version cannot read is ignored (the environment's applies), never half-used.
      if (parsed.success) {
        (values as Record<string, unknown>)[key] = parsed.data;
        overridden.push(key);
      }
    }
    const loaded = { values, overridden };
    cache.set('settings', loaded);
    return loaded;
  }

  function apply({ set = {}, reset = [] }: SettingsChange, actor: string): { before: Partial<Settings>; after: Partial<Settings> } {
    requireKnown([...Object.keys(set), ...reset]);
    const both = reset.filter((k) => Object.hasOwn(set, k));
    if (both.length > 0) throw validationError(both[0] as string, 'cannot be set and reset in one change');
    const parsed = settingsSchema.partial().safeParse(set);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw validationError(String(issue?.path[0] ?? ''), issue?.message ?? 'invalid');
    }
    const current = load().values;
    const next: Settings = { ...current, ...parsed.data };
    for (const key of reset as SettingKey[]) (next as Record<string, unknown>)[key] = defaults[key];
    const touched = new Set<string>([...Object.keys(parsed.data), ...reset]);
    crossCheck(next, touched);

    const before: Partial<Settings> = {};
    const after: Partial<Settings> = {};
    for (const key of touched as Set<SettingKey>) {
      (before as Record<string, unknown>)[key] = current[key];
      (after as Record<string, unknown>)[key] = next[key];
    }
    const at = now().toISOString();
    const upsert = db.prepare(
      'INSERT INTO settings (tenant_id, key, value, updated_by, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at',
    );
    const remove = db.prepare('DELETE FROM settings WHERE tenant_id = ? AND key = ?');
    db.transaction(() => {
      for (const [key, value] of Object.entries(parsed.data)) upsert.run(DEFAULT_TENANT_ID, key, JSON.stringify(value), actor, at);
      for (const key of reset) remove.run(DEFAULT_TENANT_ID, key);
    }).immediate();
    cache.clear();
    return { before, after };
  }

  return {
    get: () => load().values,
    environment: () => defaults,
    overridden: () => load().overridden,
    apply,
    update: (changes, actor) => apply({ set: changes }, actor),
    reset(keys, actor) {
      apply({ reset: keys }, actor);
    },
  };
}
