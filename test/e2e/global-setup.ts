// Before the browser tests: builds the app when out/renderer is missing or older than the renderer and shared sources, so a run never drives a stale build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt(): number {
  try {
    return statSync(join(root, 'out/renderer/index.html')).mtimeMs;
  } catch {
    return 0;
  }
}

export default function globalSetup(): void {
  const sources = Math.max(newest(join(root, 'src/renderer')), newest(join(root, 'src/shared')));
  if (builtAt() >= sources) return;
  process.stderr.write('out/renderer is missing or older than its sources: running electron-vite build\n');
  const result = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`electron-vite build failed (exit ${result.status ?? result.signal})`);
}
