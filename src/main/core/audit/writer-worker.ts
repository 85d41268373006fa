// The audit writer thread: owns its own SQLite connection, commits batches in order (retrying until they succeed) and writes stdout lines itself.
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createCommitter, type Committed } from './commit';
import type { FromWorker, ToWorker, WorkerData } from './writer';

const data = (workerData as { data: WorkerData }).data;
const port = parentPort;
if (port === null) throw new Error('writer-worker must run as a worker thread');

const db = new Database(data.file, { nativeBinding: data.nativeBinding, fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
const commit = createCommitter(db);
const progress = new Int32Array(data.progress);
const wantLines = data.sinkFd !== undefined || data.linesToMain;

const queue: Extract<ToWorker, { type: 'commit' }>[] = [];
let closing = false;
let failures = 0;
let timer: NodeJS.Timeout | undefined;

function post(message: FromWorker): void {
  port?.postMessage(message);
}

function pump(): void {
  while (queue.length > 0) {
    const next = queue[0] as Extract<ToWorker, { type: 'commit' }>;
    let committed: Committed;
    try {
      committed = commit(next.batch, wantLines);
    } catch (error) {
      failures += 1;
      post({ type: 'error', message: `audit commit failed (attempt ${failures}; events kept and retried): ${(error as Error).message}` });
      timer ??= setTimeout(() => {
        timer = undefined;
        pump();
      }, Math.min(5000, 25 * 2 ** failures));
      return;
    }
    failures = 0;
    queue.shift();
    if (data.sinkFd !== undefined && committed.lines !== undefined) writeSync(data.sinkFd, committed.lines);
    Atomics.add(progress, 0, next.batch.count);
    Atomics.notify(progress, 0);
    post({ type: 'committed', id: next.id, committed: data.linesToMain ? committed : { ...committed, lines: undefined } });
  }
  if (closing) finish();
}

function finish(): void {
  db.close();
  post({ type: 'closed' });
  port?.close();
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'close') {
    closing = true;
    if (queue.length === 0) finish();
    return;
  }
  queue.push(message);
  if (timer === undefined && queue.length === 1) pump();
});
