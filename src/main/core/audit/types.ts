// Audit event shapes: what callers append (the seed's fields plus tenant, ip and user agent) and what the trail stores.
import { z } from 'zod';

export const AUDIT_RESULTS = ['success', 'failure', 'denied'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** What a caller appends. Validated, because a malformed event must fail loudly at the caller, not corrupt the trail. */
export const auditInputSchema = z.strictObject({
  event_type: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'event_type must be snake_case, e.g. auth_failed'),
  subject: z.string().min(1).max(256),
  action: z.string().min(1).max(128),
  resource: z.string().min(1).max(512),
  result: z.enum(AUDIT_RESULTS),
  error: z.string().max(2048).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  trace_id: z.string().max(128).optional(),
  ip: z.string().max(64).optional(),
  user_agent: z.string().max(512).optional(),
  tenant_id: z.string().min(1).max(64).optional(),
});

export type AuditInput = z.input<typeof auditInputSchema>;

export interface AuditEvent {
  seq: number;
  tenant_id: string;
  timestamp: string;
  event_type: string;
  subject: string;
  action: string;
  resource: string;
  result: AuditResult;
  error: string | null;
  metadata: Record<string, unknown> | null;
  trace_id: string | null;
  ip: string | null;
  user_agent: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditQuery {
  tenant_id?: string;
  event_type?: string;
  subject?: string;
  result?: AuditResult;
  resource?: string;
  /** ISO timestamps, inclusive. */
  since?: string;
  until?: string;
  /** Free text, matched in subject, resource, action, error and metadata. */
  q?: string;
  /** Return events with seq below this (the previous page's next_cursor). */
  cursor?: number;
  limit?: number;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  next_cursor: number | null;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  first_bad_seq: number | null;
  /** Human-readable reason when not ok. */
  reason?: string;
}
