// Audit event shapes: what callers append (the seed's fields plus tenant, ip and user agent) and what the trail stores.

export const AUDIT_RESULTS = ['success', 'failure', 'denied'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** What a caller appends. Checked at append (a TypeError names the field), because a malformed event must fail at the caller. */
export interface AuditInput {
  /** snake_case, e.g. auth_failed. */
  event_type: string;
  subject: string;
  action: string;
  resource: string;
  result: AuditResult;
  error?: string | undefined;
  /** Redacted and encoded at append; a frozen object is encoded once and remembered (for metadata reused across events). */
  metadata?: Record<string, unknown> | undefined;
  trace_id?: string | undefined;
  ip?: string | undefined;
  user_agent?: string | undefined;
  tenant_id?: string | undefined;
}

/** An event as stored and delivered. */
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
