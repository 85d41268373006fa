// Whether the real Electron app can be launched here: the electron package's binary present, executable and answering --version, and a display to open a window on.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronBinary = { usable: true; executable: string; version: string } | { usable: false; reason: string };

const require = createRequire(import.meta.url);

/**
 * Finds the binary the way node_modules/electron/index.js does (path.txt names it under dist/, or under
 * ELECTRON_OVERRIDE_DIST_PATH) without requiring that module: when the binary is missing, requiring it starts a download.
 */
export function findElectronBinary(): ElectronBinary {
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { usable: false, reason: 'the electron package is not installed (npm install)' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (name === undefined && override === undefined) {
    return { usable: false, reason: 'the Electron binary was never downloaded: node_modules/electron/path.txt and dist/ are missing (the electron package fetches it from GitHub on first use, e.g. `npx electron --version`, which needs network access)' };
  }
  const executable = override !== undefined ? join(override, name ?? 'electron') : join(packageDir, 'dist', name as string);
  try {
    accessSync(executable, constants.X_OK);
  } catch {
    return { usable: false, reason: `the Electron binary ${executable} is missing or not executable (reinstall: rm -rf node_modules/electron && npm install)` };
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const run = spawnSync(executable, ['--version'], { encoding: 'utf8', timeout: 30_000, env });
  const version = run.stdout?.trim() ?? '';
  if (run.error !== undefined || run.status !== 0 || !/^v\d+\./.test(version)) {
    const why = run.error?.message ?? (run.stderr.trim() || `exit ${run.status ?? run.signal}`);
    return { usable: false, reason: `${executable} --version did not run: ${why.split('\n')[0]}` };
  }
  if (process.platform === 'linux' && process.env.DISPLAY === undefined && process.env.WAYLAND_DISPLAY === undefined) {
    return { usable: false, reason: `Electron ${version} is installed but there is no display to open a window on (no DISPLAY or WAYLAND_DISPLAY): run under xvfb-run` };
  }
  return { usable: true, executable, version };
}
