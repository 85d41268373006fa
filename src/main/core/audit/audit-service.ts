// The audit trail: append (off the request path), group commit into SQLite with a hash chain, JSON lines on stdout, query, verify, subscribe.
//
// Sequence numbers and hashes are assigned at flush time inside an IMMEDIATE transaction that reads the chain head
// from the database, so several processes (a running `serve` and a CLI command) extend one chain without forking it.
import type { Database } from 'better-sqlite3';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import type { MetaStore } from '../storage/meta';
import { redact, redactString } from '../redact';
import { eventHash, formatAnchor, GENESIS_ANCHOR, parseAnchor, type ChainAnchor, type ChainedFields } from './chain';
import { auditInputSchema, type AuditEvent, type AuditInput, type AuditPage, type AuditQuery, type AuditResult, type VerifyResult } from './types';

/** meta keys: the last committed event (detects a truncated tail) and where verification starts (moved by pruning). */
export const META_AUDIT_HEAD = 'audit_head';
export const META_AUDIT_BASE = 'audit_base';

export type AuditListener = (event: AuditEvent) => void;

export interface AuditService {
  /** Queues an event; it is committed, printed and delivered to subscribers within `flushIntervalMs`. */
  append(input: AuditInput): void;
  /** Commits everything queued now; returns how many events were written. */
  flush(): number;
  query(filter?: AuditQuery): AuditPage;
  verify(options?: { onProgress?: (checked: number) => void }): VerifyResult;
  subscribe(listener: AuditListener): () => void;
  /** Events queued but not yet committed. */
  pending(): number;
  /** Flushes and stops the timer; appends after close are written synchronously. */
  close(): void;
}

export interface AuditServiceDeps {
  db: Database;
  meta: MetaStore;
  /** Receives newline-terminated JSON lines, one per committed event (stdout in serve; a no-op in the desktop app). */
  sink?: (lines: string) => void;
  now?: () => Date;
  flushIntervalMs?: number;
  /** Above this many queued events, append commits synchronously (backpressure instead of unbounded memory). */
  maxPending?: number;
  /** Called when a flush fails; the events stay queued and are retried. */
  onError?: (error: unknown) => void;
}

interface Pending {
  tenant_id: string;
  timestamp: string;
  event_type: string;
  subject: string;
  action: string;
  resource: string;
  result: AuditResult;
  error: string | null;
  metadata: string | null;
  trace_id: string | null;
  ip: string | null;
  user_agent: string | null;
}

type Row = ChainedFields & { hash: string };

const COLUMNS = 'seq, tenant_id, timestamp, event_type, subject, action, resource, result, error, metadata, trace_id, ip, user_agent, prev_hash, hash';
const MAX_LIMIT = 1000;

function toEvent(row: Row): AuditEvent {
  return { ...row, result: row.result as AuditResult, metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, unknown>) };
}

/** One stdout line. `audit_event: true` first, so `grep audit_event | jq` works as the seed documents. */
function toLine(row: Row): string {
  const { metadata, ...rest } = row;
  const head = JSON.stringify({ audit_event: true, ...rest });
  return metadata === null ? head : `${head.slice(0, -1)},"metadata":${metadata}}`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function createAuditService(deps: AuditServiceDeps): AuditService {
  const { db, meta, sink, now = () => new Date(), flushIntervalMs = 25, maxPending = 20_000, onError } = deps;
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let failures = 0;
  const listeners = new Set<AuditListener>();

  const selectHead = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare(
    `INSERT INTO audit_events (${COLUMNS}) VALUES (@seq, @tenant_id, @timestamp, @event_type, @subject, @action, @resource, @result, @error, @metadata, @trace_id, @ip, @user_agent, @prev_hash, @hash)`,
  );

  const commit = db.transaction((batch: Pending[]): Row[] => {
    // The recorded head wins over the last row, so events appended after a truncated tail leave the gap visible.
    const candidates = [selectHead.get(), parseAnchor(meta.get(META_AUDIT_HEAD)), parseAnchor(meta.get(META_AUDIT_BASE)), GENESIS_ANCHOR];
    const head = candidates.reduce<ChainAnchor>((best, c) => (c !== undefined && c.seq > best.seq ? c : best), GENESIS_ANCHOR);
    let seq = head.seq;
    let prev = head.hash;
    const rows: Row[] = new Array<Row>(batch.length);
    for (let i = 0; i < batch.length; i += 1) {
      seq += 1;
      const fields = { seq, ...(batch[i] as Pending), prev_hash: prev };
      const row = { ...fields, hash: eventHash(fields) };
      insert.run(row);
      rows[i] = row;
      prev = row.hash;
    }
    meta.set(META_AUDIT_HEAD, formatAnchor({ seq, hash: prev }));
    return rows;
  });

  function schedule(): void {
    if (timer !== undefined || closed) return;
    const delay = failures === 0 ? flushIntervalMs : Math.min(5000, flushIntervalMs * 2 ** failures);
    timer = setTimeout(() => {
      timer = undefined;
      flush();
    }, delay);
    timer.unref();
  }

  function flush(): number {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (queue.length === 0) return 0;
    const batch = queue;
    queue = [];
    let rows: Row[];
    try {
      rows = commit.immediate(batch);
      failures = 0;
    } catch (error) {
      // Keep every event: put the batch back in front of anything appended meanwhile, and retry with backoff.
      queue = batch.concat(queue);
      failures += 1;
      onError?.(error);
      schedule();
      return 0;
    }
    if (sink !== undefined) {
      let lines = '';
      for (const row of rows) lines += `${toLine(row)}\n`;
      sink(lines);
    }
    if (listeners.size > 0) {
      for (const row of rows) {
        const event = toEvent(row);
        for (const listener of listeners) {
          try {
            listener(event);
          } catch (error) {
            onError?.(error);
          }
        }
      }
    }
    return rows.length;
  }

  function append(input: AuditInput): void {
    const parsed = auditInputSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TypeError(`invalid audit event: ${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`);
    }
    const e = parsed.data;
    queue.push({
      tenant_id: e.tenant_id ?? DEFAULT_TENANT_ID,
      timestamp: now().toISOString(),
      event_type: e.event_type,
      subject: redactString(e.subject),
      action: e.action,
      resource: redactString(e.resource),
      result: e.result,
      error: e.error === undefined ? null : redactString(e.error),
      metadata: e.metadata === undefined ? null : JSON.stringify(redact(e.metadata)),
      trace_id: e.trace_id ?? null,
      ip: e.ip ?? null,
      user_agent: e.user_agent === undefined ? null : redactString(e.user_agent),
    });
    if (closed || queue.length >= maxPending) flush();
    else schedule();
  }

  function query(filter: AuditQuery = {}): AuditPage {
    flush();
    const where: string[] = ['tenant_id = ?'];
    const params: (string | number)[] = [filter.tenant_id ?? DEFAULT_TENANT_ID];
    const exact = [
      ['event_type', filter.event_type],
      ['subject', filter.subject],
      ['result', filter.result],
      ['resource', filter.resource],
    ] as const;
    for (const [column, value] of exact) {
      if (value !== undefined) {
        where.push(`${column} = ?`);
        params.push(value);
      }
    }
    if (filter.since !== undefined) {
      where.push('timestamp >= ?');
      params.push(filter.since);
    }
    if (filter.until !== undefined) {
      where.push('timestamp <= ?');
      params.push(filter.until);
    }
    if (filter.cursor !== undefined) {
      where.push('seq < ?');
      params.push(filter.cursor);
    }
    if (filter.q !== undefined && filter.q !== '') {
      const like = `%${escapeLike(filter.q)}%`;
      where.push("(subject LIKE ? ESCAPE '\\' OR resource LIKE ? ESCAPE '\\' OR action LIKE ? ESCAPE '\\' OR error LIKE ? ESCAPE '\\' OR metadata LIKE ? ESCAPE '\\')");
      params.push(like, like, like, like, like);
    }
    const limit = Math.max(1, Math.min(MAX_LIMIT, filter.limit ?? 100));
    const rows = db.prepare(`SELECT ${COLUMNS} FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`).all(...params, limit + 1) as Row[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return { events: page.map(toEvent), next_cursor: more ? (page[page.length - 1] as Row).seq : null };
  }

  function verify({ onProgress }: { onProgress?: (checked: number) => void } = {}): VerifyResult {
    flush();
    const base: ChainAnchor = parseAnchor(meta.get(META_AUDIT_BASE)) ?? GENESIS_ANCHOR;
    let expectedSeq = base.seq + 1;
    let prev = base.hash;
    let checked = 0;
    const fail = (seq: number, reason: string): VerifyResult => ({ ok: false, checked, first_bad_seq: seq, reason });
    const rows = db.prepare(`SELECT ${COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq`).iterate(base.seq) as IterableIterator<Row>;
    for (const row of rows) {
      if (row.seq !== expectedSeq) return fail(expectedSeq, `event ${expectedSeq} is missing (next stored event is ${row.seq})`);
      if (row.prev_hash !== prev) return fail(row.seq, `event ${row.seq} does not link to the event before it (deleted, inserted or reordered)`);
      if (eventHash(row) !== row.hash) return fail(row.seq, `event ${row.seq} was modified after it was written`);
      prev = row.hash;
      expectedSeq += 1;
      checked += 1;
      if (onProgress !== undefined && checked % 100_000 === 0) onProgress(checked);
    }
    const head = parseAnchor(meta.get(META_AUDIT_HEAD));
    if (head !== undefined) {
      if (head.seq > expectedSeq - 1) return fail(expectedSeq, `events ${expectedSeq}..${head.seq} were removed from the end of the trail`);
      if (head.seq === expectedSeq - 1 && head.hash !== prev) return fail(head.seq, `event ${head.seq} differs from the recorded chain head`);
    }
    return { ok: true, checked, first_bad_seq: null };
  }

  return {
    append,
    flush,
    query,
    verify,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    pending: () => queue.length,
    close() {
      flush();
      closed = true;
    },
  };
}
