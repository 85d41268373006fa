// Runtime settings: rate limits and login policy start from the environment and can be changed while the mesh runs (audited, seen by every process).
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import type { MeshConfig } from '../../config';
import { createEpochCache, type ChangeEpoch } from '../storage/change-epoch';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';

/** Every setting that can change at runtime, with its schema. Names are stable: scripts and the console use them. */
export const settingsSchema = z.strictObject({
  'rate_limit.ip_rps': z.number().int().min(1).max(1_000_000),
  'rate_limit.ip_burst': z.number().int().min(1).max(1_000_000),
  'rate_limit.user_rps': z.number().int().min(1).max(1_000_000),
  'rate_limit.user_burst': z.number().int().min(1).max(1_000_000),
  'login.attempts_per_minute': z.number().int().min(1).max(10_000),
  /** Set by lockdown: only admins may log in. */
  'login.admins_only': z.boolean(),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as SettingKey[];

export interface SettingsService {
  /** Effective values: stored ones over the environment's defaults. */
  get(): Settings;
  /** Which keys were changed at runtime (the rest come from the environment). */
  overridden(): SettingKey[];
  /** Validates the whole change first; nothing is written unless all of it is valid. Returns before/after of the changed keys. */
  update(changes: Partial<Record<string, unknown>>, actor: string): { before: Partial<Settings>; after: Partial<Settings> };
  /** Back to the environment's value. */
  reset(keys: SettingKey[], actor: string): void;
}

export function defaultSettings(config: MeshConfig): Settings {
  return {
    'rate_limit.ip_rps': config.rateLimit.ipRps,
    'rate_limit.ip_burst': config.rateLimit.ipBurst,
    'rate_limit.user_rps': config.rateLimit.userRps,
    'rate_limit.user_burst': config.rateLimit.userBurst,
    'login.attempts_per_minute': config.auth.loginAttemptsPerMinute,
    'login.admins_only': false,
  };
}

export function createSettingsService({ db, config, epoch, now = () => new Date() }: { db: Database; config: MeshConfig; epoch: ChangeEpoch; now?: () => Date }): SettingsService {
  const defaults = defaultSettings(config);
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
      const parsed = settingsSchema.shape[key].safeParse(JSON.parse(row.value));
      // A value this version cannot read is ignored (the default applies), never half-used.
      if (parsed.success) {
        (values as Record<string, unknown>)[key] = parsed.data;
        overridden.push(key);
      }
    }
    const loaded = { values, overridden };
    cache.set('settings', loaded);
    return loaded;
  }

  return {
    get: () => load().values,
    overridden: () => load().overridden,
    update(changes, actor) {
      const unknown = Object.keys(changes).filter((k) => !(SETTING_KEYS as string[]).includes(k));
      if (unknown.length > 0) throw new AppError('VALIDATION_FAILED', `unknown setting ${unknown.map((k) => JSON.stringify(k)).join(', ')}; settings are ${SETTING_KEYS.join(', ')}`);
      const parsed = settingsSchema.partial().safeParse(changes);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AppError('VALIDATION_FAILED', `setting ${String(issue?.path[0] ?? '')}: ${issue?.message ?? 'invalid'}`);
      }
      const current = load().values;
      const before: Partial<Settings> = {};
      const after: Partial<Settings> = {};
      const at = now().toISOString();
      const upsert = db.prepare(
        'INSERT INTO settings (tenant_id, key, value, updated_by, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at',
      );
      db.transaction(() => {
        for (const [key, value] of Object.entries(parsed.data) as [SettingKey, Settings[SettingKey]][]) {
          (before as Record<string, unknown>)[key] = current[key];
          (after as Record<string, unknown>)[key] = value;
          upsert.run(DEFAULT_TENANT_ID, key, JSON.stringify(value), actor, at);
        }
      }).immediate();
      cache.clear();
      return { before, after };
    },
    reset(keys, actor) {
      void actor;
      const remove = db.prepare('DELETE FROM settings WHERE tenant_id = ? AND key = ?');
      db.transaction(() => {
        for (const key of keys) remove.run(DEFAULT_TENANT_ID, key);
      }).immediate();
      cache.clear();
    },
  };
}
