// Worker-thread entry used when the mesh runs from TypeScript sources (serve, tests): registers tsx in the worker, then loads the real entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
