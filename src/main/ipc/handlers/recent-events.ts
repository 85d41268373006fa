// The newest security refusals from the audit trail, for the overview: denials, and rate-limit or blocklist hits.
import type { AuditEntry, LastVerification } from '../../../shared/ipc/contracts/overview';
import type { AuditService } from '../../core/audit/audit-service';
import type { AuditEvent } from '../../core/audit/types';

const SHOWN = 10;
const RATE_LIMIT_EVENTS: readonly string[] = ['rate_limited', 'ip_blocked'];
/** Denied events read while looking for SHOWN that are not rate-limit hits (a flood of those must not hide them forever, nor cost a full scan). */
const DENIALS_SCANNED = 1000;

function entry(e: AuditEvent): AuditEntry {
  return { seq: e.seq, timestamp: e.timestamp, event_type: e.event_type, subject: e.subject, action: e.action, resource: e.resource, error: e.error, ip: e.ip };
}

/** Denied decisions other than rate limiting (RBAC, refused sessions, refused certificates, refused key roles), newest first. */
export function recentDenials(audit: AuditService, tenantId: string): AuditEntry[] {
  const found: AuditEntry[] = [];
  let cursor: number | undefined;
  for (let scanned = 0; found.length < SHOWN && scanned < DENIALS_SCANNED; ) {
    const page = audit.query({ tenant_id: tenantId, result: 'denied', cursor, limit: 200 });
    for (const e of page.events) if (!RATE_LIMIT_EVENTS.includes(e.event_type) && found.length < SHOWN) found.push(entry(e));
    scanned += page.events.length;
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  return found;
}

export function recentRateLimitHits(audit: AuditService, tenantId: string): AuditEntry[] {
  const events = RATE_LIMIT_EVENTS.flatMap((type) => audit.query({ tenant_id: tenantId, event_type: type, limit: SHOWN }).events);
  return events.sort((a, b) => b.seq - a.seq).slice(0, SHOWN).map(entry);
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

export function lastVerification(audit: AuditService, tenantId: string): LastVerification | null {
  const [e] = audit.query({ tenant_id: tenantId, event_type: 'audit_verified', limit: 1 }).events;
  if (e === undefined) return null;
  return { at: e.timestamp, ok: e.result === 'success', subject: e.subject, checked: numberOrNull(e.metadata?.checked), first_bad_seq: numberOrNull(e.metadata?.first_bad_seq), error: e.error };
}
