// Keeps node_modules/better-sqlite3's Node build safe while electron-builder rebuilds that module in place for Electron.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Where Node's build waits while electron-builder works; its presence at start means the last run was interrupted. */
export const PARKED = 'build.node-abi';

/** Puts Node's build back, dropping whatever Electron build electron-builder left. Returns true if there was one to restore. */
export function restoreNodeBuild(moduleDir) {
  const parked = join(moduleDir, PARKED);
  if (!existsSync(parked)) return false;
  rmSync(join(moduleDir, 'build'), { recursive: true, force: true });
  renameSync(parked, join(moduleDir, 'build'));
  return true;
}

/**
 * Runs `fn` with moduleDir/build moved aside, so the rebuild inside starts from the sources (nothing Node-built can be
 * packed, no stale @electron/rebuild marker can skip it), then restores Node's build even if `fn` throws.
 */
export async function withNodeBuildParked(moduleDir, fn) {
  restoreNodeBuild(moduleDir); // an earlier run that was killed before its finally
  const build = join(moduleDir, 'build');
  const parked = existsSync(build);
  if (parked) renameSync(build, join(moduleDir, PARKED));
  try {
    return await fn();
  } finally {
    if (parked) restoreNodeBuild(moduleDir);
    else rmSync(build, { recursive: true, force: true });
  }
}
