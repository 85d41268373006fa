// Incident response and runtime settings over REST: lockdown, the IP blocklist, settings.
import { z } from 'zod';
import { isoTimestamp } from './common';

export const lockdownRequestSchema = z.strictObject({
  admins_only: z.boolean().optional().describe('also refuse logins of everyone but admins until the setting login.admins_only is turned off'),
});

export const lockdownResponseSchema = z.strictObject({
  api_keys_revoked: z.number().int(),
  refresh_tokens_revoked: z.number().int(),
  jwt_kid: z.string().nullable(),
  admins_only: z.boolean(),
});

export const blockedRangeSchema = z.strictObject({ cidr: z.string(), reason: z.string(), created_by: z.string(), created_at: isoTimestamp });
export const blocklistSchema = z.strictObject({ blocked: z.array(blockedRangeSchema) });
export const blockRequestSchema = z.strictObject({ cidr: z.string().min(1).max(64), reason: z.string().max(500).optional() });
export const unblockQuerySchema = z.strictObject({ cidr: z.string().min(1).max(64) });

export const settingsValuesSchema = z.strictObject({
  'rate_limit.ip_rps': z.number().int(),
  'rate_limit.ip_burst': z.number().int(),
  'rate_limit.user_rps': z.number().int(),
  'rate_limit.user_burst': z.number().int(),
  'login.attempts_per_minute': z.number().int(),
  'login.admins_only': z.boolean(),
});

export const settingsResponseSchema = z.strictObject({
  settings: settingsValuesSchema,
  /** Keys changed at runtime; the others come from the environment. */
  overridden: z.array(z.string()),
});

export const settingsPatchSchema = z.record(z.string(), z.union([z.number(), z.boolean(), z.null()])).describe('setting -> new value, or null to go back to the environment default');
