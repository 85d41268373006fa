// electron-builder's afterPack hook refuses a package without better_sqlite3.node, or with the one built for Node.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGED_BINDING } from '../../../src/main/app/native-binding';
import { REPO_ROOT } from '../../helpers/cli';
import { tempDir } from '../../helpers/temp-dir';

interface AfterPackModule {
  PACKED_BINDING: string;
  checkPackedBinding(resourcesDir: string, target: { platform: string; arch: string }): string | undefined;
}

const hook = (await import(pathToFileURL(join(REPO_ROOT, 'scripts', 'after-pack.mjs')).href)) as AfterPackModule;
const here = { platform: process.platform, arch: process.arch };
const nodeBuild = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');

function resourcesWith(file: string | undefined): string {
  const resources = tempDir();
  if (file !== undefined) {
    mkdirSync(dirname(join(resources, hook.PACKED_BINDING)), { recursive: true });
    copyFileSync(file, join(resources, hook.PACKED_BINDING));
  }
  return resources;
}

describe('after-pack check', () => {
  it('checks the very file the packaged app loads', () => {
    expect(hook.PACKED_BINDING).toBe(PACKAGED_BINDING);
  });

  it('refuses a package without the module, saying native modules are not cross-compiled', () => {
    expect(hook.checkPackedBinding(resourcesWith(undefined), { platform: 'win32', arch: 'x64' })).toMatch(/missing.*cannot be cross-compiled/);
  });

  it("refuses Node's build, which Electron would reject at start", () => {
    expect(hook.checkPackedBinding(resourcesWith(nodeBuild), here)).toMatch(/loads in plain Node.*not Electron's/);
  });

  it('cannot load-test a module for another platform, so only requires it to be there', () => {
    expect(hook.checkPackedBinding(resourcesWith(nodeBuild), { platform: here.platform === 'darwin' ? 'win32' : 'darwin', arch: 'arm64' })).toBeUndefined();
  });
});
