// IPC channels of the Overview page: servers, sessions, counts, recent denials and rate-limit hits, certificate warnings, audit-chain status.
import { z } from 'zod';
import type { ChannelGroup } from '../channel';

const count = z.number().int().nonnegative();

const servedTls = z.strictObject({
  certificate_serial: z.string(),
  not_after: z.string(),
  source: z.enum(['file', 'mesh']),
  min_version: z.string(),
  client_auth: z.string(),
});

const serverStatus = z.strictObject({
  name: z.enum(['mcp', 'api']),
  url: z.string(),
  /** null: plain HTTP. */
  tls: servedTls.nullable(),
});

/** An audit event as a list shows it (no hashes, no metadata). */
const auditEntry = z.strictObject({
  seq: count,
  timestamp: z.string(),
  event_type: z.string(),
  subject: z.string(),
  action: z.string(),
  resource: z.string(),
  error: z.string().nullable(),
  ip: z.string().nullable(),
});

const certificateWarning = z.strictObject({
  serial: z.string(),
  kind: z.string(),
  subject_cn: z.string(),
  not_after: z.string(),
  /** Negative once expired. */
  seconds_left: z.number(),
  expired: z.boolean(),
  is_current_ca: z.boolean(),
  serving: z.array(z.enum(['api', 'mcp'])),
});

/** The latest `audit_verified` event, by whoever asked (console, REST, CLI). */
const lastVerification = z.strictObject({
  at: z.string(),
  ok: z.boolean(),
  subject: z.string(),
  checked: count.nullable(),
  first_bad_seq: z.number().int().nullable(),
  error: z.string().nullable(),
});

const overview = z.strictObject({
  servers: z.array(serverStatus),
  sessions: z.strictObject({ mcp_http: count, mcp_ws: count, refresh_families: count }),
  counts: z.strictObject({ users: count, api_keys: count, contexts: count, roles: count, certificates: count, audit_events: count }),
  /** Newest first, at most 10 each. */
  recent_denials: z.array(auditEntry),
  rate_limit_hits: z.array(auditEntry),
  certificate_warnings: z.array(certificateWarning),
  last_verification: lastVerification.nullable(),
  generated_at: z.string(),
});

export const overviewChannels = {
  'overview:get': { input: z.undefined(), output: overview },
} as const satisfies ChannelGroup;

export type Overview = z.infer<typeof overview>;
export type AuditEntry = z.infer<typeof auditEntry>;
export type CertificateWarning = z.infer<typeof certificateWarning>;
export type ServerStatus = z.infer<typeof serverStatus>;
export type LastVerification = z.infer<typeof lastVerification>;
