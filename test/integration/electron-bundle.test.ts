// The electron-vite bundle: main loads the audit writer thread from next to index.js, and that bundled worker really commits.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'electron-vite';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuditService } from '../../src/main/core/audit/audit-service';
import { packBatch, toPendingEvent } from '../../src/main/core/audit/pending';
import type { FromWorker, ToWorker, WorkerData } from '../../src/main/core/audit/writer';
import { openStorage } from '../../src/main/core/storage/database';
import { REPO_ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';

const OUT = join(REPO_ROOT, 'out', 'main');

/** Every .js file the main build wrote, chunks included. */
function bundleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name));
}

beforeAll(async () => {
  // `npm test` builds first; when this file runs alone, build here.
  if (!existsSync(join(OUT, 'audit-writer-worker.js'))) await build({ root: REPO_ROOT, logLevel: 'silent' });
}, 120_000);

describe('electron-vite bundle', () => {
  it('builds each worker as its own entry, where the module that starts it resolves it', () => {
    expect(existsSync(join(OUT, 'index.js'))).toBe(true);
    // worker-threads.ts resolves `./audit-*-worker.js` against its own module's URL, wherever the bundler put that module.
    const loaders = bundleFiles(OUT).filter((file) => readFileSync(file, 'utf8').includes('"./audit-writer-worker.js"'));
    expect(loaders).toHaveLength(1);
    for (const worker of ['audit-writer-worker.js', 'audit-verify-worker.js']) {
      expect(readFileSync(loaders[0]!, 'utf8')).toContain(`"./${worker}"`);
      expect(existsSync(join(dirname(loaders[0]!), worker))).toBe(true);
    }
    expect(readFileSync(join(REPO_ROOT, 'out', 'preload', 'index.cjs'), 'utf8')).not.toMatch(/require\("(?!electron")/);
  });

  it('commits a batch with the bundled worker', async () => {
    const file = join(tempDir(), 'devmesh.db');
    const storage = openStorage({ file });
    const progress = new SharedArrayBuffer(4);
    const data: WorkerData = { file, nativeBinding: undefined, sinkFd: undefined, linesToMain: true, progress };
    const worker = new Worker(join(OUT, 'audit-writer-worker.js'), { workerData: { data } });
    const stamp = new Date().toISOString();
    const batch = packBatch([0, 1, 2].map((n) => toPendingEvent({ event_type: 'server_started', subject: 'system', action: 'start', resource: `server:${n}`, result: 'success' }, stamp)));
    const reply = new Promise<FromWorker>((resolve, reject) => {
      worker.on('message', resolve);
      worker.on('error', reject);
    });
    worker.postMessage({ type: 'commit', id: 1, batch } satisfies ToWorker);
    const message = await reply;
    expect(message).toMatchObject({ type: 'committed', id: 1, committed: { firstSeq: 1 } });
    if (message.type === 'committed') expect(message.committed.lines?.split('\n').filter(Boolean)).toHaveLength(3);
    expect(Atomics.load(new Int32Array(progress), 0)).toBe(3);
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    await new Promise((resolve) => worker.once('exit', resolve));
    expect(createAuditService({ db: storage.db }).verify()).toEqual({ ok: true, checked: 3, first_bad_seq: null });
    storage.close();
  });
});
