// Streams the audit trail out as JSON lines (the stored lines verbatim) or CSV, ending with a trailer that carries the chain head and a signature, so an export can be verified offline.
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { createMetaStore } from '../storage/meta';
import { lineToEvent, type AuditService } from './audit-service';
import { GENESIS_ANCHOR, parseAnchor, type ChainAnchor } from './chain';
import { hmacHex } from './checkpoint';
import { META_AUDIT_BASE, META_AUDIT_HEAD } from './commit';
import { lineFields } from './line-fields';
import { createLineReader, type StoredLine } from './lines';
import type { AuditEvent, AuditInput } from './types';

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const anchorSchema = z.strictObject({ seq: z.number().int().min(0), hash: z.string().regex(/^[0-9a-f]{64}$/) });

/** The last line of every export. */
export const exportTrailerSchema = z.strictObject({
  audit_export: z.literal(true),
  version: z.literal(1),
  format: z.enum(EXPORT_FORMATS),
  /** The installation that wrote it (whose checkpoint key signed it). */
  installation_id: z.string().nullable(),
  exported_at: z.string(),
  /** Only this tenant's events; null: every tenant. */
  tenant_id: z.string().nullable(),
  since: z.string().nullable(),
  until: z.string().nullable(),
  count: z.number().int().min(0),
  first_seq: z.number().int().nullable(),
  last_seq: z.number().int().nullable(),
  last_hash: z.string().nullable(),
  /** Every event from first_seq to last_seq is in the file (false when other tenants' events were left out). */
  complete: z.boolean(),
  /** Where the stored chain starts (genesis, or where retention pruning stopped) and its head when the export began. */
  base: anchorSchema,
  head: anchorSchema,
  /** SHA-256 of the exported lines (each with its newline), whatever the format. */
  lines_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** HMAC-SHA256 of this trailer without the signature, under the installation's audit checkpoint key; null when unsigned. */
  signature: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
});

export type ExportTrailer = z.infer<typeof exportTrailerSchema>;

export interface ExportSummary {
  format: ExportFormat;
  count: number;
  first_seq: number | null;
  last_seq: number | null;
  complete: boolean;
  signed: boolean;
}

export interface ExportOptions {
  db: Database;
  audit: AuditService;
  format: ExportFormat;
  /** undefined: every tenant (the CLI); the REST API passes the caller's. */
  tenantId?: string | undefined;
  /** ISO timestamps: from the first event at or after `since` up to (not including) the first event after `until`. */
  since?: string | undefined;
  until?: string | undefined;
  /** Signs the trailer (the audit checkpoint key); unsigned without. */
  signingKey?: Buffer | undefined;
  installationId?: string | undefined;
  now?: () => Date;
  /** Called once when the export ends: completely (error undefined), or aborted by the reader or a failure. */
  onEnd?: (summary: ExportSummary, error: unknown) => void;
}

/** The `audit_exported` event of an export that ended, less who and where (each adapter adds its subject, tenant and request). */
export function exportedEvent(summary: ExportSummary, error: unknown, { since, until, via }: { since: string | undefined; until: string | undefined; via: 'rest' | 'cli' | 'console' }): Omit<AuditInput, 'subject'> {
  return {
    event_type: 'audit_exported',
    action: 'export',
    resource: 'audit',
    result: error === undefined ? 'success' : 'failure',
    ...(error === undefined ? {} : { error: error instanceof Error ? error.message.slice(0, 2048) : 'export failed' }),
    metadata: { ...summary, since: since ?? null, until: until ?? null, via },
  };
}

const EXPORT_SIGNATURE_CONTEXT = 'devmesh/audit-export/v1\n';

/** The text an export signature covers: the trailer as written, minus its signature. */
export function exportSignedText(trailer: Omit<ExportTrailer, 'signature'>): string {
  return `${EXPORT_SIGNATURE_CONTEXT}${JSON.stringify(trailer)}`;
}

export const CSV_COLUMNS = ['seq', 'timestamp', 'tenant_id', 'event_type', 'subject', 'action', 'resource', 'result', 'error', 'metadata', 'trace_id', 'ip', 'user_agent', 'prev_hash', 'hash'] as const;

/**
 * One CSV cell (RFC 4180 quoting). Text a spreadsheet would run as a formula (= + - @, or a leading tab or CR) gets a
 * leading apostrophe first: audit fields carry attacker-chosen text (user agents, resource names).
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: readonly (string | number | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvEventRow(e: AuditEvent): string {
  return csvRow([e.seq, e.timestamp, e.tenant_id, e.event_type, e.subject, e.action, e.resource, e.result, e.error, e.metadata === null ? null : JSON.stringify(e.metadata), e.trace_id, e.ip, e.user_agent, e.prev_hash, e.hash]);
}

/** The hash at the end of a stored line (its last 64 hex characters before `"}`). */
function hashOfLine(line: string): string {
  return line.slice(-66, -2);
}

/** Rows read per page; each row (one group commit) is emitted as one chunk, at most a few MB. */
const ROWS_PER_PAGE = 16;

/**
 * The export as text chunks, read page by page (never the whole trail in memory, and no statement open between
 * chunks, so a slow reader holds nothing). The range is fixed when it starts: the chain head at that moment.
 */
export function* exportAudit(options: ExportOptions): Generator<string, void, undefined> {
  const { db, audit, format, tenantId, since, until, now = () => new Date() } = options;
  audit.flush();
  const reader = createLineReader(db);
  const meta = createMetaStore(db);
  const { head, base } = db.transaction(() => ({
    head: parseAnchor(meta.get(META_AUDIT_HEAD)) ?? GENESIS_ANCHOR,
    base: parseAnchor(meta.get(META_AUDIT_BASE)) ?? GENESIS_ANCHOR,
  }))() as { head: ChainAnchor; base: ChainAnchor };
  const through = Math.max(head.seq, reader.head());
  let after = base.seq;
  if (since !== undefined) {
    // Skip whole groups that ended before `since` without reading them.
    const first = db.prepare<[number, string], number>('SELECT first_seq FROM audit_batches WHERE first_seq > ? AND last_ts >= ? ORDER BY first_seq LIMIT 1').pluck().get(base.seq, since);
    after = first === undefined ? through : first - 1;
  }
  const digest = createHash('sha256');
  let count = 0;
  let firstSeq: number | null = null;
  let last: StoredLine | undefined;
  let started = since === undefined;
  let stopped = false;
  let ended = false;
  const summary = (): ExportSummary => ({
    format,
    count,
    first_seq: firstSeq,
    last_seq: last?.seq ?? null,
    complete: firstSeq === null || last === undefined || count === last.seq - firstSeq + 1,
    signed: options.signingKey !== undefined,
  });

  try {
    if (format === 'csv') yield csvRow(CSV_COLUMNS);
    while (!stopped && after < through) {
      const page = reader.page(after, { tenantId, through, maxRows: ROWS_PER_PAGE });
      let chunk = '';
      for (const stored of page.lines) {
        if (!started || until !== undefined) {
          const timestamp = lineFields(stored.line)?.timestamp ?? '';
          if (!started && since !== undefined && timestamp < since) continue;
          started = true;
          if (until !== undefined && timestamp > until) {
            stopped = true;
            break;
          }
        }
        const text = `${stored.line}\n`;
        digest.update(text);
        count += 1;
        firstSeq ??= stored.seq;
        last = stored;
        chunk += format === 'jsonl' ? text : csvEventRow(lineToEvent(stored.line));
        // Keep chunks to a few MB even for a large group commit.
        if (chunk.length > 1 << 20) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk !== '') yield chunk;
      after = page.done ? through : page.scannedThrough;
    }

    const s = summary();
    const unsigned: Omit<ExportTrailer, 'signature'> = {
      audit_export: true,
      version: 1,
      format,
      installation_id: options.installationId ?? null,
      exported_at: now().toISOString(),
      tenant_id: tenantId ?? null,
      since: since ?? null,
      until: until ?? null,
      count,
      first_seq: s.first_seq,
      last_seq: s.last_seq,
      last_hash: last === undefined ? null : hashOfLine(last.line),
      complete: s.complete,
      base,
      head,
      lines_sha256: digest.digest('hex'),
    };
    const trailer: ExportTrailer = { ...unsigned, signature: options.signingKey === undefined ? null : hmacHex(options.signingKey, exportSignedText(unsigned)) };
    const json = JSON.stringify(trailer);
    yield format === 'jsonl' ? `${json}\n` : csvRow(['#audit_export', json]);
    ended = true;
    options.onEnd?.(s, undefined);
  } catch (error) {
    ended = true;
    options.onEnd?.(summary(), error);
    throw error;
  } finally {
    // The reader went away (client disconnected, pipe closed) before the end.
    if (!ended) options.onEnd?.(summary(), new Error('the export was not read to the end'));
  }
}
