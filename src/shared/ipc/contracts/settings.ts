// IPC channels of the "Settings" page: effective values with their source, what the servers run with, and audited all-or-nothing changes and resets — the REST API's setting names and shapes.
import { z } from 'zod';
import { settingsValuesSchema } from '../../api/admin';
import { STARTUP_SETTING_KEYS } from '../../settings/rules';
import type { ChannelGroup } from '../channel';

export const settingKeySchema = settingsValuesSchema.keyof();
const startupValues = settingsValuesSchema.pick(Object.fromEntries(STARTUP_SETTING_KEYS.map((k) => [k, true])) as { [K in (typeof STARTUP_SETTING_KEYS)[number]]: true });

export const settingsViewSchema = z.strictObject({
  /** Effective values: console-set ones over the environment's. */
  values: settingsValuesSchema,
  /** The environment's values (what "Reset to environment" goes back to). */
  environment: settingsValuesSchema,
  /** Keys set from the console or REST; the others come from the environment. */
  overridden: z.array(settingKeySchema),
  /** Start-up settings the servers are running with now. */
  running: startupValues,
  /** Start-up settings whose saved value differs from the running one: they apply when the mesh starts again. */
  restart_pending: z.array(settingKeySchema),
  /** The environment variable each setting starts from. */
  variables: z.record(z.string(), z.string()),
  /** Whether each server has a certificate to serve (TLS can be enabled only then). */
  certificates: z.strictObject({ api: z.boolean(), mcp: z.boolean() }),
});

const changeResult = z.strictObject({
  before: settingsValuesSchema.partial(),
  after: settingsValuesSchema.partial(),
  /** Changed keys that apply at the next start. */
  restart_required: z.array(settingKeySchema),
  settings: settingsViewSchema,
});

export const settingsChannels = {
  'settings:get': { input: z.undefined(), output: settingsViewSchema },
  /** Validated as a whole by main: nothing is written unless every value (and the result) is valid. */
  'settings:update': { input: z.strictObject({ changes: settingsValuesSchema.partial().refine((c) => Object.keys(c).length > 0, { error: 'nothing to change' }) }), output: changeResult },
  'settings:reset': { input: z.strictObject({ keys: z.array(settingKeySchema).min(1).max(64) }), output: changeResult },
} as const satisfies ChannelGroup;

export type SettingsView = z.infer<typeof settingsViewSchema>;
export type SettingValues = z.infer<typeof settingsValuesSchema>;
export type SettingName = z.infer<typeof settingKeySchema>;
export type SettingsChangeOutcome = z.infer<typeof changeResult>;
