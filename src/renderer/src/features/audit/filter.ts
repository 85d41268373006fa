// The audit filter form: what the operator typed, checked before it is sent (main checks again), and turned into the contract's filter.
import type { AuditFilter } from '../../../../shared/ipc/contracts/audit';

export interface FilterDraft {
  event_type: string;
  subject: string;
  result: '' | 'success' | 'failure' | 'denied';
  resource: string;
  /** datetime-local values (the operator's local time), or empty. */
  since: string;
  until: string;
  q: string;
}

export const EMPTY_DRAFT: FilterDraft = { event_type: '', subject: '', result: '', resource: '', since: '', until: '', q: '' };

const EVENT_TYPE = /^[a-z][a-z0-9_.]{0,63}$/;

export type FilterErrors = Partial<Record<keyof FilterDraft, string>>;

/** A local datetime-local value as an instant, or undefined when it is not one. */
function instant(local: string): string | undefined {
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

export function checkDraft(draft: FilterDraft): { filter: AuditFilter; errors: FilterErrors } {
  const errors: FilterErrors = {};
  const filter: AuditFilter = {};
  const type = draft.event_type.trim();
  if (type !== '') {
    if (EVENT_TYPE.test(type)) filter.event_type = type;
    else errors.event_type = 'An event type is lower-case letters, digits, "_" or ".", e.g. authz_decision';
  }
  const subject = draft.subject.trim();
  if (subject !== '') {
    if (subject.length <= 256) filter.subject = subject;
    else errors.subject = 'At most 256 characters';
  }
  if (draft.result !== '') filter.result = draft.result;
  const resource = draft.resource.trim();
  if (resource !== '') {
    if (resource.length <= 512) filter.resource = resource;
    else errors.resource = 'At most 512 characters';
  }
  for (const key of ['since', 'until'] as const) {
    if (draft[key] === '') continue;
    const at = instant(draft[key]);
    if (at === undefined) errors[key] = 'Not a date and time';
    else filter[key] = at;
  }
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) errors.until = '"To" is before "From"';
  const q = draft.q.trim();
  if (q !== '') {
    if (q.length <= 200) filter.q = q;
    else errors.q = 'At most 200 characters';
  }
  return { filter, errors };
}

export function isFiltered(filter: AuditFilter): boolean {
  return Object.values(filter).some((v) => v !== undefined);
}

/** The form for a filter set elsewhere (e.g. "Show in Audit" on the Overview): instants back to local datetime-local values. */
export function draftOf(filter: AuditFilter): FilterDraft {
  const local = (iso: string | undefined): string => {
    if (iso === undefined) return '';
    const at = new Date(iso);
    const pad = (n: number): string => String(n).padStart(2, '0');
    return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  };
  return {
    event_type: filter.event_type ?? '',
    subject: filter.subject ?? '',
    result: filter.result ?? '',
    resource: filter.resource ?? '',
    since: local(filter.since),
    until: local(filter.until),
    q: filter.q ?? '',
  };
}
