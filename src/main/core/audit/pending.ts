// Turns an appended AuditInput into a validated, redacted, timestamped pending event, and packs batches for the writer.
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import { redact, redactString } from '../redact';
import { AUDIT_RESULTS, type AuditEvent, type AuditInput } from './types';

/** The columns of an event that are known before it is chained; metadata is its (redacted) JSON text. */
export type PendingFields = Omit<AuditEvent, 'seq' | 'prev_hash' | 'hash' | 'metadata'> & { metadata: string | null };

/**
 * A pending event: its fields, and the middle of its log line (`,"tenant_id":…,"metadata":{…}`), encoded here on the
 * appending thread so the single writer thread, which must chain events one after another, only concatenates and hashes.
 */
export interface PendingEvent {
  fields: PendingFields;
  lineBody: string;
}

const EVENT_TYPE = /^[a-z][a-z0-9_.]{0,63}$/;
const KNOWN_FIELDS = new Set(['event_type', 'subject', 'action', 'resource', 'result', 'error', 'metadata', 'trace_id', 'ip', 'user_agent', 'tenant_id']);

function text(input: AuditInput, field: keyof AuditInput, max: number, required: boolean): string | null {
  const value = input[field];
  if (value === undefined && !required) return null;
  if (typeof value !== 'string' || (required && value.length === 0) || value.length > max) {
    throw new TypeError(`invalid audit event: ${field} must be ${required ? 'a non-empty' : 'a'} string of at most ${max} characters`);
  }
  return value;
}

export function lineBodyOf(f: PendingFields): string {
  // A literal with a fixed shape (not a rest spread) keeps JSON.stringify on its fast path.
  const body = JSON.stringify({
    tenant_id: f.tenant_id, timestamp: f.timestamp, event_type: f.event_type, subject: f.subject, action: f.action, resource: f.resource,
    result: f.result, error: f.error, trace_id: f.trace_id, ip: f.ip, user_agent: f.user_agent,
  });
  // metadata is stored as JSON text and embedded as an object.
  return `,${body.slice(1, -1)}${f.metadata === null ? '' : `,"metadata":${f.metadata}`}`;
}

/** Encoded (redacted JSON) metadata of frozen objects: the same object, for instance an authorization decision's, is encoded once. */
const encodedFrozen = new WeakMap<object, string>();

function encodeMetadata(metadata: Record<string, unknown>): string {
  if (!Object.isFrozen(metadata)) return JSON.stringify(redact(metadata));
  let encoded = encodedFrozen.get(metadata);
  if (encoded === undefined) {
    encoded = JSON.stringify(redact(metadata));
    encodedFrozen.set(metadata, encoded);
  }
  return encoded;
}

/**
 * Validates by hand rather than with zod: this runs for every audited request, it checks our own code (not
 * untrusted input), and a hand check costs a tenth of a schema parse.
 */
export function toPendingEvent(input: AuditInput, timestamp: string): PendingEvent {
  if (typeof input !== 'object' || input === null) throw new TypeError('invalid audit event: not an object');
  for (const key in input) if (!KNOWN_FIELDS.has(key)) throw new TypeError(`invalid audit event: unknown field ${key}`);
  if (typeof input.event_type !== 'string' || !EVENT_TYPE.test(input.event_type)) throw new TypeError('invalid audit event: event_type must be snake_case, e.g. auth_failed');
  if (!(AUDIT_RESULTS as readonly unknown[]).includes(input.result)) throw new TypeError(`invalid audit event: result must be one of ${AUDIT_RESULTS.join(', ')}`);
  const metadata = input.metadata;
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) throw new TypeError('invalid audit event: metadata must be an object');
  const error = text(input, 'error', 2048, false);
  const userAgent = text(input, 'user_agent', 512, false);
  const fields: PendingFields = {
    tenant_id: text(input, 'tenant_id', 64, false) ?? DEFAULT_TENANT_ID,
    timestamp,
    event_type: input.event_type,
    subject: redactString(text(input, 'subject', 256, true) as string),
    action: text(input, 'action', 128, true) as string,
    resource: redactString(text(input, 'resource', 512, true) as string),
    result: input.result,
    error: error === null ? null : redactString(error),
    metadata: metadata === undefined ? null : encodeMetadata(metadata),
    trace_id: text(input, 'trace_id', 128, false),
    ip: text(input, 'ip', 64, false),
    user_agent: userAgent === null ? null : redactString(userAgent),
  };
  return { fields, lineBody: lineBodyOf(fields) };
}

/** Most distinct subjects a row's zone map lists; beyond it the row says "any" (null) and queries look inside. */
export const MAX_ZONE_SUBJECTS = 64;

/** Consecutive events of one tenant, stored as one row. */
export interface Run {
  tenant_id: string;
  count: number;
  first_ts: string;
  last_ts: string;
  event_types: string[];
  subjects: string[] | null;
  results: string[];
}

/** A batch as it crosses to the writer thread: line bodies in one string (JSON never holds a raw newline) and its runs. */
export interface PackedBatch {
  count: number;
  bodies: string;
  runs: Run[];
}

export function packBatch(batch: readonly PendingEvent[]): PackedBatch {
  const runs: Run[] = [];
  let run: { r: Run; types: Set<string>; subjects: Set<string> | null; results: Set<string> } | undefined;
  const close = () => {
    if (run === undefined) return;
    run.r.event_types = [...run.types];
    run.r.subjects = run.subjects === null ? null : [...run.subjects];
    run.r.results = [...run.results];
    runs.push(run.r);
  };
  for (const { fields: f } of batch) {
    if (run === undefined || run.r.tenant_id !== f.tenant_id) {
      close();
      run = { r: { tenant_id: f.tenant_id, count: 0, first_ts: f.timestamp, last_ts: f.timestamp, event_types: [], subjects: [], results: [] }, types: new Set(), subjects: new Set(), results: new Set() };
    }
    const r = run.r;
    r.count += 1;
    if (f.timestamp < r.first_ts) r.first_ts = f.timestamp;
    if (f.timestamp > r.last_ts) r.last_ts = f.timestamp;
    run.types.add(f.event_type);
    run.results.add(f.result);
    if (run.subjects !== null) {
      run.subjects.add(f.subject);
      if (run.subjects.size > MAX_ZONE_SUBJECTS) run.subjects = null;
    }
  }
  close();
  return { count: batch.length, bodies: batch.map((p) => p.lineBody).join('\n'), runs };
}
