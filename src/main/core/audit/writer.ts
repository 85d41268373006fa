// Where committed audit batches are written: inline on a given connection, or on a worker thread with its own connection (off the request path).
import { writeSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { startWorker } from '../worker-threads';
import { createCommitter, type Committed } from './commit';
import { packBatch, type PackedBatch, type PendingEvent } from './pending';

/** stdout lines go to a function (tests, inline) or straight to a file descriptor (the worker writes fd 1 itself). */
export type AuditSink = ((lines: string) => void) | { fd: number };

export interface WriterCallbacks {
  /** A batch was committed (in submission order). */
  onCommitted(batch: readonly PendingEvent[], committed: Committed): void;
  /** A commit failed; the batch stays queued and is retried. */
  onError(error: unknown): void;
}

export interface AuditWriter {
  /** Queues a batch; batches commit in submission order and are retried until they do. */
  submit(batch: PendingEvent[]): void;
  /**
   * Blocks until at most `below` submitted events are uncommitted (0: everything committed), or returns false after
   * `timeoutMs` if commits keep failing.
   */
  drainSync(timeoutMs?: number, below?: number): boolean;
  /** Events submitted but not yet committed. */
  inflight(): number;
  close(): Promise<void>;
}

function emitLines(sink: AuditSink | undefined, lines: string | undefined): void {
  if (sink === undefined || lines === undefined || lines === '') return;
  if (typeof sink === 'function') sink(lines);
  else writeSync(sink.fd, lines);
}

/** Commits on the caller's thread: for short-lived CLI commands, read-only tools and as the worker's fallback. */
export function createInlineWriter(db: Database, sink: AuditSink | undefined, callbacks: WriterCallbacks): AuditWriter {
  const commit = createCommitter(db);
  const queue: PendingEvent[][] = [];
  let queued = 0;
  let retry: NodeJS.Timeout | undefined;
  let failures = 0;

  function pump(): boolean {
    while (queue.length > 0) {
      const batch = queue[0] as PendingEvent[];
      let committed: Committed;
      try {
        committed = commit(packBatch(batch), sink !== undefined);
      } catch (error) {
        failures += 1;
        callbacks.onError(error);
        if (retry === undefined) {
          retry = setTimeout(() => {
            retry = undefined;
            pump();
          }, Math.min(5000, 25 * 2 ** failures));
          retry.unref();
        }
        return false;
      }
      failures = 0;
      queue.shift();
      queued -= batch.length;
      emitLines(sink, committed.lines);
      callbacks.onCommitted(batch, committed);
    }
    return true;
  }

  return {
    submit(batch) {
      queue.push(batch);
      queued += batch.length;
      if (retry === undefined) pump();
    },
    drainSync: () => pump(),
    inflight: () => queued,
    async close() {
      if (retry !== undefined) clearTimeout(retry);
      retry = undefined;
      pump();
    },
  };
}

/** Messages between the service and its writer worker. */
export type ToWorker = { type: 'commit'; id: number; batch: PackedBatch } | { type: 'close' };
export type FromWorker =
  | { type: 'committed'; id: number; committed: Committed }
  | { type: 'error'; message: string }
  | { type: 'closed' };

export interface WorkerWriterOptions {
  file: string;
  nativeBinding?: string | undefined;
  sink: AuditSink | undefined;
  /** Used to finish the work if the worker dies. */
  fallbackDb: Database;
}

export interface WorkerData {
  file: string;
  nativeBinding: string | undefined;
  /** fd for stdout lines; with a function sink the lines come back in messages instead. */
  sinkFd: number | undefined;
  linesToMain: boolean;
  /** Int32 [events committed] shared with the service, so it can wait for commits synchronously. */
  progress: SharedArrayBuffer;
}

/**
 * Chaining and inserting move to a worker thread: the request thread only validates, redacts and enqueues, and a
 * group commit never stalls its event loop. `drainSync` waits on a shared counter (Atomics.wait), so flush, query and
 * verify stay synchronous.
 */
export function createWorkerWriter(options: WorkerWriterOptions, callbacks: WriterCallbacks): AuditWriter {
  const progress = new SharedArrayBuffer(4);
  const committedCount = new Int32Array(progress);
  const sinkFd = options.sink !== undefined && typeof options.sink !== 'function' ? options.sink.fd : undefined;
  const linesToMain = typeof options.sink === 'function';
  const data: WorkerData = { file: options.file, nativeBinding: options.nativeBinding, sinkFd, linesToMain, progress };
  const worker: Worker = startWorker('audit-writer', data);
  worker.unref();

  const inflightBatches = new Map<number, PendingEvent[]>();
  let nextId = 1;
  let submitted = 0;
  let acknowledged = 0;
  let fallback: AuditWriter | undefined;
  let closed: Promise<void> | undefined;
  const idleWaiters: (() => void)[] = [];

  function settleIdle(): void {
    if (inflightBatches.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  worker.on('message', (message: FromWorker) => {
    if (message.type === 'committed') {
      const batch = inflightBatches.get(message.id);
      if (batch === undefined) return;
      inflightBatches.delete(message.id);
      acknowledged += batch.length;
      if (linesToMain) emitLines(options.sink, message.committed.lines);
      callbacks.onCommitted(batch, message.committed);
      settleIdle();
    } else if (message.type === 'error') {
      callbacks.onError(new Error(message.message));
    }
  });

  function takeOver(reason: unknown): void {
    if (fallback !== undefined) return;
    callbacks.onError(reason);
    fallback = createInlineWriter(options.fallbackDb, options.sink, callbacks);
    // Batches are committed in order, so the shared counter says exactly which ones the worker finished.
    let done = Atomics.load(committedCount, 0) - acknowledged;
    for (const [id, batch] of [...inflightBatches]) {
      inflightBatches.delete(id);
      if (done >= batch.length) {
        done -= batch.length; // committed, but its acknowledgement was lost with the worker
        continue;
      }
      fallback.submit(batch);
    }
    settleIdle();
  }

  worker.on('error', takeOver);
  worker.on('exit', (code) => {
    if (closed === undefined) takeOver(new Error(`audit writer thread exited (code ${code}); writing on the main thread`));
  });

  return {
    submit(batch) {
      if (fallback !== undefined) return fallback.submit(batch);
      const id = nextId++;
      inflightBatches.set(id, batch);
      submitted += batch.length;
      worker.postMessage({ type: 'commit', id, batch: packBatch(batch) } satisfies ToWorker);
    },
    drainSync(timeoutMs = 30_000, below = 0) {
      if (fallback !== undefined) return fallback.drainSync(timeoutMs);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const done = Atomics.load(committedCount, 0);
        if (submitted - done <= below) return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        Atomics.wait(committedCount, 0, done, Math.min(left, 100));
        if (fallback !== undefined) return (fallback as AuditWriter).drainSync(Math.max(0, deadline - Date.now()));
      }
    },
    inflight: () => (fallback !== undefined ? fallback.inflight() : submitted - Atomics.load(committedCount, 0)),
    close() {
      closed ??= (async () => {
        if (fallback === undefined && inflightBatches.size > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
        if (fallback !== undefined) {
          await fallback.close();
          return;
        }
        worker.ref();
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage({ type: 'close' } satisfies ToWorker);
        await exited;
        // Anything appended after close is still written, on this thread.
        fallback = createInlineWriter(options.fallbackDb, options.sink, callbacks);
      })();
      return closed;
    },
  };
}
