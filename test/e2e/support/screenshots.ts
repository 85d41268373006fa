// Where page screenshots go: docs/screenshots (shown in the README) when DEVMESH_UPDATE_SCREENSHOTS=1, else test-results, so an ordinary run leaves the tracked images alone.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;

export function screenshotPath(name: string): string {
  const dir = process.env.DEVMESH_UPDATE_SCREENSHOTS === '1' ? join(root, 'docs/screenshots') : join(root, 'test-results/screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
