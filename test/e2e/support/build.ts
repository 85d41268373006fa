// Runs electron-vite build when a built output is missing or older than the sources it is made from, so a test never drives a stale build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt(file: string): number {
  try {
    return statSync(join(root, file)).mtimeMs;
  } catch {
    return 0;
  }
}

/** `outputs` and `sources` are relative to the repository root. */
export function buildIfStale({ outputs, sources }: { outputs: readonly string[]; sources: readonly string[] }): void {
  const changed = Math.max(...sources.map((dir) => newest(join(root, dir))));
  if (outputs.every((file) => builtAt(file) >= changed)) return;
  process.stderr.write(`${outputs.join(', ')}: missing or older than the sources; running electron-vite build\n`);
  const result = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`electron-vite build failed (exit ${result.status ?? result.signal})`);
}
