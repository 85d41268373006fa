// The audit page's view of events: the table row (light, for 100,000 of them) and the filter in the stored form the trail compares.
import type { AuditFilter, AuditRow } from '../../../shared/ipc/contracts/audit';
import type { AuditEvent, AuditQuery } from '../../core/audit/types';

const ROW_ERROR_CHARS = 200;

export function auditRow(e: AuditEvent): AuditRow {
  return {
    seq: e.seq,
    timestamp: e.timestamp,
    event_type: e.event_type,
    subject: e.subject,
    action: e.action,
    resource: e.resource,
    result: e.result,
    error: e.error === null ? null : e.error.slice(0, ROW_ERROR_CHARS),
  };
}

/** Instants as stored (UTC, milliseconds), so they compare as text with stored timestamps; an empty text filter is no filter. */
export function storedFilter(filter: AuditFilter): Omit<AuditQuery, 'tenant_id' | 'cursor' | 'limit'> {
  const instant = (value: string | undefined): string | undefined => (value === undefined ? undefined : new Date(value).toISOString());
  return {
    event_type: filter.event_type,
    subject: filter.subject,
    result: filter.result,
    resource: filter.resource,
    since: instant(filter.since),
    until: instant(filter.until),
    q: filter.q === '' ? undefined : filter.q,
  };
}
