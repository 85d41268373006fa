// Builds the three Electron targets: main (ESM), preload (CommonJS, as sandboxed preloads require) and the React renderer.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The audit writer and verifier run on worker threads; core/worker-threads.ts loads them from next to index.js.
        input: {
          index: resolve('src/main/index.ts'),
          'audit-writer-worker': resolve('src/main/core/audit/writer-worker.ts'),
          'audit-verify-worker': resolve('src/main/core/audit/verify-worker.ts'),
        },
        // Shared chunks sit beside index.js too: worker-threads.ts resolves './audit-*-worker.js' from its own module URL.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can only require('electron'): bundle everything else into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: { rollupOptions: { input: { index: resolve('src/renderer/index.html') } } },
    plugins: [react()],
  },
});
