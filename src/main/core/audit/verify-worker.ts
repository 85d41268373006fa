// The audit verify thread: opens the database read-only on its own connection and runs the same verify as the service, so a long check never blocks the server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createMetaStore } from '../storage/meta';
import { createAuditService } from './audit-service';
import { META_AUDIT_CHECKPOINT } from './checkpoint';
import type { CapturedBase, VerifyWorkerData, VerifyWorkerMessage } from './verify-trail';

const data = (workerData as { data: VerifyWorkerData }).data;
const port = parentPort;
if (port === null) throw new Error('verify-worker must run as a worker thread');

const post = (message: VerifyWorkerMessage): void => port.postMessage(message);

const db = new Database(data.file, { readonly: true, fileMustExist: true, nativeBinding: data.nativeBinding });
try {
  db.pragma('busy_timeout = 5000');
  const meta = createMetaStore(db);
  const audit = createAuditService({ db });
  let base: CapturedBase;
  const result = audit.verify({
    throughSeq: data.throughSeq,
    // The signature is checked by the caller, which holds the key; here we only note what the snapshot said.
    checkBase: (anchor) => {
      base = { anchor, stored: meta.get(META_AUDIT_CHECKPOINT) };
      return undefined;
    },
    onProgress: (checked) => post({ type: 'progress', checked }),
  });
  post({ type: 'done', result, base });
} finally {
  db.close();
}
