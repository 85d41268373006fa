// `npm run dist` moves better-sqlite3's Node build aside while electron-builder rebuilds the module in place, and always puts it back.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli';
import { tempDir } from '../../helpers/temp-dir';

interface ParkingModule {
  PARKED: string;
  restoreNodeBuild(moduleDir: string): boolean;
  withNodeBuildParked<T>(moduleDir: string, fn: () => T | Promise<T>): Promise<T>;
}

const parking = (await import(pathToFileURL(join(REPO_ROOT, 'scripts', 'lib', 'node-build-parking.mjs')).href)) as ParkingModule;
const binding = (moduleDir: string): string => join(moduleDir, 'build', 'Release', 'better_sqlite3.node');

function moduleWithNodeBuild(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
  writeFileSync(binding(dir), 'node abi');
  return dir;
}

/** What electron-builder's in-place rebuild does: writes an Electron build where Node's was. */
function electronRebuild(moduleDir: string): void {
  mkdirSync(join(moduleDir, 'build', 'Release'), { recursive: true });
  writeFileSync(binding(moduleDir), 'electron abi');
}

describe('withNodeBuildParked', () => {
  it("hides Node's build during the run and restores it over the Electron build afterwards", async () => {
    const dir = moduleWithNodeBuild();
    const seen = await parking.withNodeBuildParked(dir, () => {
      const before = existsSync(binding(dir));
      electronRebuild(dir);
      return before;
    });
    expect(seen).toBe(false);
    expect(readFileSync(binding(dir), 'utf8')).toBe('node abi');
    expect(existsSync(join(dir, parking.PARKED))).toBe(false);
  });

  it('restores it when packaging fails', async () => {
    const dir = moduleWithNodeBuild();
    await expect(parking.withNodeBuildParked(dir, () => {
      electronRebuild(dir);
      throw new Error('electron-builder failed');
    })).rejects.toThrow('electron-builder failed');
    expect(readFileSync(binding(dir), 'utf8')).toBe('node abi');
  });

  it('repairs a run that was killed before it could restore', async () => {
    const dir = moduleWithNodeBuild();
    // What a kill in the middle of packaging leaves: Node's build parked, an Electron build in its place.
    renameSync(join(dir, 'build'), join(dir, parking.PARKED));
    electronRebuild(dir);
    expect(parking.restoreNodeBuild(dir)).toBe(true);
    expect(readFileSync(binding(dir), 'utf8')).toBe('node abi');
    expect(parking.restoreNodeBuild(dir)).toBe(false);
  });
});
