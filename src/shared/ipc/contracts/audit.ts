// IPC channels and events of the audit trail: search pages and one event's raw line, the live stream, "Verify now", and export to a file.
import { z } from 'zod';
import { AUDIT_EXPORT_FORMATS, auditEventSchema, auditVerifySchema, listAuditQuerySchema } from '../../api/audit';
import type { ChannelGroup, EventGroup } from '../channel';
import { saveCancelledSchema, savedFileSchema } from '../save';

const verifyResult = auditVerifySchema.extend({ verified_at: z.string() });

/** What the table shows of an event (the drawer fetches the rest; `error` cut to 200 characters): about a fifth of the full event, so 100,000 rows stay light. */
export const auditRowSchema = auditEventSchema.pick({ seq: true, timestamp: true, event_type: true, subject: true, action: true, resource: true, result: true, error: true });

/** The filters of the REST API's search, one for the history and the live stream alike. */
export const auditFilterSchema = listAuditQuerySchema.pick({ event_type: true, subject: true, result: true, resource: true, since: true, until: true, q: true });

/** The page size of the console's search: the audit service's maximum. */
export const AUDIT_PAGE_MAX = 1000;

const queryInput = auditFilterSchema.extend({
  /** next_cursor of the previous page. */
  cursor: z.number().int().min(1).optional(),
  limit: z.number().int().min(1).max(AUDIT_PAGE_MAX).default(AUDIT_PAGE_MAX),
});

const queryOutput = z.strictObject({
  rows: z.array(auditRowSchema),
  next_cursor: z.number().int().nullable(),
  /** The trail's last seq when the search began: subscribe with `after: head` for what comes next, with no gap. */
  head: z.number().int(),
});

const exportInput = z.strictObject({
  format: z.enum(AUDIT_EXPORT_FORMATS),
  since: auditFilterSchema.shape.since,
  until: auditFilterSchema.shape.until,
});

const exportOutput = z.discriminatedUnion('saved', [saveCancelledSchema, savedFileSchema.extend({ count: z.number().int(), signed: z.boolean() })]);

export const auditChannels = {
  'audit:verify': { input: z.undefined(), output: verifyResult },
  'audit:query': { input: queryInput, output: queryOutput },
  /** One event in full, with the stored line verbatim (what the hash chain covers). */
  'audit:event': { input: z.strictObject({ seq: z.number().int().min(1) }), output: z.strictObject({ event: auditEventSchema, raw: z.string() }) },
  /** Asks where to save (native dialog), then writes the signed export there (JSON lines verbatim, or CSV). */
  'audit:export': { input: exportInput, output: exportOutput },
} as const satisfies ChannelGroup;

export const auditEvents = {
  /** Events committed after `after` that pass the filter, in seq order, delivered in batches (at most ten a second). */
  'audit:events': { input: auditFilterSchema.extend({ after: z.number().int().min(0) }), payload: z.array(auditRowSchema) },
} as const satisfies EventGroup;

export type AuditVerifyResult = z.infer<typeof verifyResult>;
export type AuditRow = z.infer<typeof auditRowSchema>;
export type AuditFilter = z.infer<typeof auditFilterSchema>;
export type AuditQueryPage = z.infer<typeof queryOutput>;
export type AuditExportOutcome = z.infer<typeof exportOutput>;
