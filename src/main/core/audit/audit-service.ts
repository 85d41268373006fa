// The audit trail: append (validated, redacted, queued), group commit with a hash chain (on a writer thread in serve), JSON lines on stdout, query, verify, subscribe.
import type { Database } from 'better-sqlite3';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import { createMetaStore } from '../storage/meta';
import { GENESIS_ANCHOR, parseAnchor, parseLine, type ChainAnchor } from './chain';
import { META_AUDIT_BASE, META_AUDIT_HEAD, type Committed } from './commit';
import { lineFields } from './line-fields';
import { MAX_ZONE_SUBJECTS, toPendingEvent, type PendingEvent } from './pending';
import type { AuditEvent, AuditInput, AuditPage, AuditQuery, VerifyResult } from './types';
import { createInlineWriter, createWorkerWriter, type AuditSink, type AuditWriter, type WriterCallbacks } from './writer';

export type AuditListener = (event: AuditEvent) => void;

export interface VerifyOptions {
  onProgress?: (checked: number) => void;
  /**
   * Called, inside the same read snapshot, when verification starts from a base left by retention pruning: returns why
   * that base cannot be trusted (checkpoint signature, see checkpoint.ts), or undefined. Without it the base is trusted.
   */
  checkBase?: (base: ChainAnchor) => string | undefined;
  /** Stop after the stored group holding this seq (pruning checks what it removes); the chain head is then not compared. */
  throughSeq?: number;
}

export interface AuditService {
  /** Queues an event; it is committed, printed and delivered to subscribers within `flushIntervalMs`. */
  append(input: AuditInput): void;
  /** Commits everything queued now; false if the database refused (the events stay queued and are retried). */
  flush(): boolean;
  query(filter?: AuditQuery): AuditPage;
  verify(options?: VerifyOptions): VerifyResult;
  subscribe(listener: AuditListener): () => void;
  /** A cheap synchronous hook called with each appended event's type (metrics); not for reading events. */
  observeAppends(observer: (eventType: string) => void): void;
  /** Events appended but not yet committed. */
  pending(): number;
  /** Commits everything and stops the writer; everything appended before is on disk when it resolves. */
  close(): Promise<void>;
}

export interface AuditServiceDeps {
  /** This thread's connection: queries, verify, and commits when there is no writer thread. */
  db: Database;
  /** Where committed events are printed as JSON lines (serve: { fd: 1 }). */
  sink?: AuditSink;
  /** Commit on a worker thread with its own connection to this file (serve, desktop); inline otherwise (CLI, tests). */
  writerThread?: { file: string; nativeBinding?: string | undefined };
  now?: () => Date;
  flushIntervalMs?: number;
  /** A batch is handed to the writer as soon as this many events are queued. */
  batchSize?: number;
  /** Above this many uncommitted events, append waits for the writer (backpressure instead of unbounded memory). */
  maxInflight?: number;
  /** A commit failed; the events stay queued and are retried. */
  onError?: (error: unknown) => void;
}

interface BatchRow {
  first_seq: number;
  last_seq: number;
  tenant_id: string;
  event_count: number;
  first_ts: string;
  last_ts: string;
  event_types: string;
  subjects: string | null;
  results: string;
  last_hash: string;
  lines: string;
}

const MAX_LIMIT = 1000;

/** A stored line back to an event. */
export function lineToEvent(line: string): AuditEvent {
  const { audit_event: _marker, metadata, ...rest } = JSON.parse(line) as AuditEvent & { audit_event: true };
  return { ...rest, error: rest.error ?? null, metadata: metadata ?? null };
}

function pendingToEvent({ fields: f }: PendingEvent, seq: number, prevHash: string, hash: string): AuditEvent {
  return { seq, ...f, metadata: f.metadata === null ? null : (JSON.parse(f.metadata) as Record<string, unknown>), prev_hash: prevHash, hash };
}

function linesOf(row: BatchRow): string[] {
  const lines = row.lines.split('\n');
  if (lines.pop() !== '') lines.push('\0'); // a row must end with a newline; a missing one shows up as a malformed line
  return lines;
}

function textMatches(e: AuditEvent, needle: string): boolean {
  const fields = [e.subject, e.resource, e.action, e.error ?? '', e.metadata === null ? '' : JSON.stringify(e.metadata)];
  return fields.some((f) => f.toLowerCase().includes(needle));
}

/** The search's filter as a test of one event (tenant and cursor aside): what the live stream applies to new events. */
export function auditFilterMatcher(filter: Omit<AuditQuery, 'tenant_id' | 'cursor' | 'limit'>): (e: AuditEvent) => boolean {
  const needle = filter.q === undefined || filter.q === '' ? undefined : filter.q.toLowerCase();
  return (e) =>
    (filter.event_type === undefined || e.event_type === filter.event_type) &&
    (filter.subject === undefined || e.subject === filter.subject) &&
    (filter.result === undefined || e.result === filter.result) &&
    (filter.resource === undefined || e.resource === filter.resource) &&
    (filter.since === undefined || e.timestamp >= filter.since) &&
    (filter.until === undefined || e.timestamp <= filter.until) &&
    (needle === undefined || textMatches(e, needle));
}

function sameSet(listed: readonly string[] | null, actual: ReadonlySet<string>): boolean {
  if (listed === null) return actual.size > MAX_ZONE_SUBJECTS;
  return listed.length === actual.size && listed.every((v) => actual.has(v));
}

export function createAuditService(deps: AuditServiceDeps): AuditService {
  const { db, sink, now = () => new Date(), flushIntervalMs = 25, batchSize = 2000, maxInflight = 50_000, onError } = deps;
  const meta = createMetaStore(db);
  const listeners = new Set<AuditListener>();
  let observer: ((eventType: string) => void) | undefined;
  let queue: PendingEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;

  const callbacks: WriterCallbacks = {
    onCommitted(batch: readonly PendingEvent[], committed: Committed) {
      if (listeners.size === 0) return;
      for (let i = 0; i < batch.length; i += 1) {
        const event = pendingToEvent(batch[i] as PendingEvent, committed.firstSeq + i, i === 0 ? committed.prevHash : (committed.hashes[i - 1] as string), committed.hashes[i] as string);
        for (const listener of listeners) {
          try {
            listener(event);
          } catch (error) {
            onError?.(error);
          }
        }
      }
    },
    onError: (error) => onError?.(error),
  };
  const writer: AuditWriter = deps.writerThread === undefined
    ? createInlineWriter(db, sink, callbacks)
    : createWorkerWriter({ ...deps.writerThread, sink, fallbackDb: db }, callbacks);

  function handOver(): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    writer.submit(batch);
  }

  function flush(): boolean {
    handOver();
    return writer.drainSync();
  }

  function append(input: AuditInput): void {
    queue.push(toPendingEvent(input, now().toISOString()));
    observer?.(input.event_type);
    if (closing !== undefined) {
      flush();
      return;
    }
    if (queue.length >= batchSize) {
      handOver();
      // Wait for the writer to get half-way, not all the way: it keeps working while we append again.
      if (writer.inflight() > maxInflight) writer.drainSync(30_000, maxInflight / 2);
    } else if (timer === undefined) {
      timer = setTimeout(handOver, flushIntervalMs);
      timer.unref();
    }
  }

  function query(filter: AuditQuery = {}): AuditPage {
    flush();
    const limit = Math.max(1, Math.min(MAX_LIMIT, filter.limit ?? 100));
    const where: string[] = ['tenant_id = ?'];
    const params: (string | number)[] = [filter.tenant_id ?? DEFAULT_TENANT_ID];
    if (filter.cursor !== undefined) {
      where.push('first_seq < ?');
      params.push(filter.cursor);
    }
    if (filter.since !== undefined) {
      where.push('last_ts >= ?');
      params.push(filter.since);
    }
    if (filter.until !== undefined) {
      where.push('first_ts <= ?');
      params.push(filter.until);
    }
    const needle = filter.q === undefined || filter.q === '' ? undefined : filter.q.toLowerCase();
    const rawNeedle = needle === undefined ? undefined : JSON.stringify(needle).slice(1, -1);
    const matches = auditFilterMatcher(filter);
    const rows = db
      .prepare(`SELECT first_seq, event_types, subjects, results, lines FROM audit_batches WHERE ${where.join(' AND ')} ORDER BY first_seq DESC`)
      .iterate(...params) as IterableIterator<BatchRow>;
    const found: AuditEvent[] = [];
    scan: for (const row of rows) {
      // The zone map rules a row out without reading its events.
      if (filter.event_type !== undefined && !(JSON.parse(row.event_types) as string[]).includes(filter.event_type)) continue;
      if (filter.result !== undefined && !(JSON.parse(row.results) as string[]).includes(filter.result)) continue;
      if (filter.subject !== undefined && row.subjects !== null && !(JSON.parse(row.subjects) as string[]).includes(filter.subject)) continue;
      const lines = row.lines.split('\n');
      for (let i = lines.length - 1; i >= 0; i -= 1) {
        const line = lines[i] as string;
        if (line === '' || (rawNeedle !== undefined && !line.toLowerCase().includes(rawNeedle))) continue;
        const e = lineToEvent(line);
        if (filter.cursor !== undefined && e.seq >= filter.cursor) continue;
        if (!matches(e)) continue;
        found.push(e);
        if (found.length > limit) break scan;
      }
    }
    const more = found.length > limit;
    const page = more ? found.slice(0, limit) : found;
    return { events: page, next_cursor: more ? (page[page.length - 1] as AuditEvent).seq : null };
  }

  function verify(options: VerifyOptions = {}): VerifyResult {
    flush();
    // One read transaction: base, rows and head from one snapshot, so commits landing meanwhile (the writer thread,
    // another process) are not mistaken for a truncated tail.
    return db.transaction(() => verifySnapshot(options))();
  }

  function verifySnapshot({ onProgress, checkBase, throughSeq }: VerifyOptions): VerifyResult {
    const storedBase = meta.get(META_AUDIT_BASE);
    const base: ChainAnchor = parseAnchor(storedBase) ?? GENESIS_ANCHOR;
    let expected = base.seq + 1;
    let prev = base.hash;
    let checked = 0;
    const fail = (seq: number, reason: string): VerifyResult => ({ ok: false, checked, first_bad_seq: seq, reason });
    if (storedBase !== undefined && checkBase !== undefined) {
      const distrust = checkBase(base);
      if (distrust !== undefined) return fail(expected, distrust);
    }
    const rows = db.prepare('SELECT * FROM audit_batches WHERE last_seq > ? AND first_seq <= ? ORDER BY first_seq').iterate(base.seq, throughSeq ?? Number.MAX_SAFE_INTEGER) as IterableIterator<BatchRow>;
    for (const row of rows) {
      if (row.first_seq !== expected) {
        return fail(expected, row.first_seq > expected ? `event ${expected} is missing (the next stored event is ${row.first_seq})` : `events from ${row.first_seq} are stored twice or out of order`);
      }
      const types = new Set<string>();
      const subjects = new Set<string>();
      const results = new Set<string>();
      let firstTs: string | undefined;
      let lastTs: string | undefined;
      for (const line of linesOf(row)) {
        const parts = parseLine(line);
        if (parts === undefined) return fail(expected, `event ${expected} is malformed (its line was altered)`);
        if (parts.seq !== expected) return fail(expected, `event ${expected} is missing or out of order (found ${parts.seq} in its place)`);
        if (parts.prevHash !== prev) return fail(parts.seq, `event ${parts.seq} does not link to the event before it (deleted, inserted or reordered)`);
        if (!parts.intact) return fail(parts.seq, `event ${parts.seq} was modified after it was written`);
        // The few fields the index covers, read from the line's fixed layout (a full JSON.parse costs twice the hash).
        const e = lineFields(line);
        if (e === undefined) return fail(expected, `event ${expected} is malformed (its line was altered)`);
        if (e.tenant_id !== row.tenant_id) return fail(parts.seq, `event ${parts.seq} is filed under another tenant`);
        types.add(e.event_type);
        subjects.add(e.subject);
        results.add(e.result);
        if (firstTs === undefined || e.timestamp < firstTs) firstTs = e.timestamp;
        if (lastTs === undefined || e.timestamp > lastTs) lastTs = e.timestamp;
        prev = parts.hash;
        expected += 1;
        checked += 1;
        if (onProgress !== undefined && checked % 100_000 === 0) onProgress(checked);
      }
      const zoneOk =
        row.last_seq === expected - 1 && row.event_count === row.last_seq - row.first_seq + 1 && row.last_hash === prev && row.first_ts === firstTs && row.last_ts === lastTs &&
        sameSet(JSON.parse(row.event_types) as string[], types) && sameSet(JSON.parse(row.results) as string[], results) && sameSet(row.subjects === null ? null : (JSON.parse(row.subjects) as string[]), subjects);
      if (!zoneOk) return fail(row.first_seq, `the index of events ${row.first_seq}..${row.last_seq} does not match the events (altered to hide them from searches)`);
    }
    const head = parseAnchor(meta.get(META_AUDIT_HEAD));
    if (head !== undefined && throughSeq === undefined) {
      if (head.seq > expected - 1) return fail(expected, `events ${expected}..${head.seq} were removed from the end of the trail`);
      if (head.seq === expected - 1 && head.hash !== prev) return fail(head.seq, `event ${head.seq} differs from the recorded chain head`);
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
    observeAppends(next) {
      observer = next;
    },
    pending: () => queue.length + writer.inflight(),
    close() {
      closing ??= (async () => {
        handOver();
        await writer.close();
      })();
      return closing;
    },
  };
}
