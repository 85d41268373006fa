// Which better_sqlite3.node the process loads: Node's own build under plain Node, a build for Electron's ABI inside Electron.
import { join } from 'node:path';

/**
 * Where `scripts/electron-native.mjs` (run by `npm start`) writes the Electron build, relative to the project root. It
 * sits beside, not over, node_modules/better-sqlite3/build: tests and `serve` keep loading Node's build from there.
 */
export const DEV_ELECTRON_BINDING = join('build', 'electron-native', 'better_sqlite3.node');

/**
 * In a packaged app: electron-builder rebuilt node_modules/better-sqlite3 for Electron (npmRebuild) and unpacked every
 * `*.node` next to app.asar (asarUnpack), since the OS cannot dlopen a library from inside an archive.
 */
export const PACKAGED_BINDING = join('app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

export interface NativeBindingContext {
  /** `process.versions.electron`: undefined under plain Node (tests, `serve`, the CLI). */
  electronVersion: string | undefined;
  /** `app.isPackaged` */
  isPackaged: boolean;
  /** `process.resourcesPath`: the folder holding app.asar in a packaged app. */
  resourcesPath: string;
  /** `app.getAppPath()`: the project root when started with `electron .` */
  appPath: string;
}

export interface NativeBinding {
  readonly path: string;
  readonly origin: 'packaged' | 'development';
}

/** The `nativeBinding` to give better-sqlite3, or undefined to let it find Node's own build as usual. */
export function resolveNativeBinding(context: NativeBindingContext): NativeBinding | undefined {
  if (context.electronVersion === undefined) return undefined;
  if (context.isPackaged) return { path: join(context.resourcesPath, PACKAGED_BINDING), origin: 'packaged' };
  return { path: join(context.appPath, DEV_ELECTRON_BINDING), origin: 'development' };
}

/** What the start-up dialog says when the binding file is not there. */
export function missingBindingMessage(binding: NativeBinding, electronVersion: string): string {
  if (binding.origin === 'packaged') {
    return `this installation is incomplete: ${binding.path} is missing. Reinstall Developer Mesh Console`;
  }
  return `better-sqlite3 has not been built for Electron ${electronVersion} (${binding.path} is missing). ` +
    'Run `npm run electron:native` (`npm start` runs it for you) and start again';
}
