// Starts the core's worker threads both from TypeScript sources (through tsx, via bin/ts-worker.mjs) and from the electron-vite bundle.
import { Worker } from 'node:worker_threads';

/** Worker entries: the source file, and the bundle file electron-vite writes next to out/main/index.js. */
const ENTRIES = {
  'audit-writer': { source: './audit/writer-worker.ts', bundle: './audit-writer-worker.js' },
  'audit-verify': { source: './audit/verify-worker.ts', bundle: './audit-verify-worker.js' },
} as const;

export type WorkerName = keyof typeof ENTRIES;

export function startWorker(name: WorkerName, data: unknown): Worker {
  const entry = ENTRIES[name];
  if (import.meta.url.endsWith('.ts')) {
    // Running unbundled: Node cannot load .ts itself, and Node 20 ignores `--import tsx` for a worker's entry module.
    return new Worker(new URL('../../../bin/ts-worker.mjs', import.meta.url), { workerData: { entry: new URL(entry.source, import.meta.url).href, data } });
  }
  return new Worker(new URL(entry.bundle, import.meta.url), { workerData: { data } });
}
