// The audit API over REST: an audit event, the list filters and page, the verify result, and the export and stream parameters.
import { z } from 'zod';
import { isoTimestamp } from './common';

export const AUDIT_RESULT_VALUES = ['success', 'failure', 'denied'] as const;
export const AUDIT_EXPORT_FORMATS = ['jsonl', 'csv'] as const;

const hash = z.string().regex(/^[0-9a-f]{64}$/);
const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 date-time, e.g. 2025-01-31T12:00:00Z');

export const auditEventSchema = z.strictObject({
  seq: z.number().int().describe('position in the hash chain (installation-wide)'),
  tenant_id: z.string(),
  timestamp: isoTimestamp,
  event_type: z.string(),
  subject: z.string(),
  action: z.string(),
  resource: z.string(),
  result: z.enum(AUDIT_RESULT_VALUES),
  error: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  trace_id: z.string().nullable(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  prev_hash: hash,
  hash,
});

export const listAuditQuerySchema = z.strictObject({
  event_type: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/).optional().describe('e.g. authz_decision, auth_failed'),
  subject: z.string().min(1).max(256).optional().describe('exact subject, e.g. user:alice or key:<id>'),
  result: z.enum(AUDIT_RESULT_VALUES).optional(),
  resource: z.string().min(1).max(512).optional().describe('exact resource'),
  since: instant.optional().describe('events at or after this instant'),
  until: instant.optional().describe('events at or before this instant'),
  q: z.string().min(1).max(200).optional().describe('free text in subject, resource, action, error and metadata'),
  cursor: z.coerce.number().int().min(1).optional().describe('next_cursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('page size (default 100)'),
});

export const auditPageSchema = z.strictObject({
  events: z.array(auditEventSchema).describe('newest first'),
  next_cursor: z.number().int().nullable().describe('pass as cursor for the next (older) page; null at the end'),
});

export const auditVerifySchema = z.strictObject({
  ok: z.boolean(),
  checked: z.number().int().describe('events verified'),
  first_bad_seq: z.number().int().nullable().describe('the first event that does not verify; null when ok'),
  reason: z.string().optional().describe('what is wrong, when not ok'),
  base_seq: z.number().int().describe('verification starts after this event: 0, or where retention pruning stopped'),
  checkpoint: z.enum(['none', 'valid', 'unchecked']).describe("the signed checkpoint behind a pruned base"),
  duration_ms: z.number().int(),
  events_per_s: z.number().int(),
});

export const exportAuditQuerySchema = z.strictObject({
  format: z.enum(AUDIT_EXPORT_FORMATS).optional().describe('jsonl (default): the stored lines verbatim, verifiable offline; csv: for spreadsheets'),
  since: instant.optional().describe('from the first event at or after this instant'),
  until: instant.optional().describe('up to the last event before the first one after this instant'),
});

export type AuditEventDto = z.infer<typeof auditEventSchema>;
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;
export type AuditVerifyDto = z.infer<typeof auditVerifySchema>;
export type ExportAuditQuery = z.infer<typeof exportAuditQuerySchema>;
