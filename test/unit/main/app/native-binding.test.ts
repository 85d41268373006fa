// better-sqlite3's native module: Node's build under plain Node, the Electron build from build/electron-native in development, the unpacked one when packaged.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingBindingMessage, resolveNativeBinding } from '../../../../src/main/app/native-binding';
import { REPO_ROOT } from '../../../helpers/cli';

const base = { isPackaged: false, resourcesPath: '/opt/Developer Mesh Console/resources', appPath: '/home/dev/devmesh' };

describe('resolveNativeBinding', () => {
  it('leaves plain Node (tests, serve, the CLI) on better-sqlite3 default lookup', () => {
    expect(resolveNativeBinding({ ...base, electronVersion: undefined })).toBeUndefined();
    expect(resolveNativeBinding({ ...base, isPackaged: true, electronVersion: undefined })).toBeUndefined();
  });

  it('uses the Electron build beside the project in development (npm start)', () => {
    expect(resolveNativeBinding({ ...base, electronVersion: '45.5.0' })).toEqual({
      path: join('/home/dev/devmesh', 'build', 'electron-native', 'better_sqlite3.node'),
      origin: 'development',
    });
  });

  it('uses the copy electron-builder rebuilt and unpacked next to app.asar when packaged', () => {
    expect(resolveNativeBinding({ ...base, isPackaged: true, electronVersion: '45.5.0' })).toEqual({
      path: join('/opt/Developer Mesh Console/resources', 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
      origin: 'packaged',
    });
  });

  it('looks in development exactly where scripts/electron-native.mjs writes', () => {
    const written = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'electron-native.mjs'), '--print-path'], { encoding: 'utf8' }).trim();
    expect(resolveNativeBinding({ ...base, appPath: REPO_ROOT, electronVersion: '45.5.0' })?.path).toBe(written);
  });

  it('tells a developer the command that builds the missing binding, and an installer user to reinstall', () => {
    const dev = resolveNativeBinding({ ...base, electronVersion: '45.5.0' });
    const packaged = resolveNativeBinding({ ...base, isPackaged: true, electronVersion: '45.5.0' });
    expect(missingBindingMessage(dev!, '45.5.0')).toMatch(/Electron 45\.5\.0.*npm run electron:native/);
    expect(missingBindingMessage(packaged!, '45.5.0')).toMatch(/incomplete.*Reinstall/);
  });
});
