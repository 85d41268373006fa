// Incident response and settings over REST: lockdown, the IP blocklist, settings (live and start-up).
import { z } from 'zod';
import { isoTimestamp } from './common';
import { TLS_CLIENT_AUTH_MODES, TLS_MIN_VERSIONS } from '../settings/rules';

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

const tlsMinVersion = z.enum(TLS_MIN_VERSIONS);
const tlsClientAuth = z.enum(TLS_CLIENT_AUTH_MODES);

export const settingsValuesSchema = z.strictObject({
  'rate_limit.ip_rps': z.number().int(),
  'rate_limit.ip_burst': z.number().int(),
  'rate_limit.user_rps': z.number().int(),
  'rate_limit.user_burst': z.number().int(),
  'login.attempts_per_minute': z.number().int(),
  'login.admins_only': z.boolean(),
  'cors.allowed_origins': z.array(z.string()),
  'audit.retention_days': z.number().int(),
  // Start-up settings: stored now, used by the servers from their next start.
  'network.host': z.string(),
  'network.api_port': z.number().int(),
  'network.mcp_port': z.number().int(),
  'tls.api.enabled': z.boolean(),
  'tls.api.min_version': tlsMinVersion,
  'tls.api.client_auth': tlsClientAuth,
  'tls.api.http2': z.boolean(),
  'tls.api.session_tickets': z.boolean(),
  'tls.mcp.enabled': z.boolean(),
  'tls.mcp.min_version': tlsMinVersion,
  'tls.mcp.client_auth': tlsClientAuth,
  'tls.mcp.http2': z.boolean(),
  'tls.mcp.session_tickets': z.boolean(),
});

export const settingsResponseSchema = z.strictObject({
  settings: settingsValuesSchema,
  /** Keys changed at runtime; the others come from the environment. */
  overridden: z.array(z.string()),
});

export const settingsPatchSchema = z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.array(z.string()), z.null()])).describe('setting -> new value, or null to go back to the environment value');
