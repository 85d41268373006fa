// Electron entry: single instance, the same composition root as headless serve, one hardened window, graceful quit; start-up failures become a dialog.
import { app, dialog } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/errors';
import { loadConfig } from './config';
import { createOsKeychain } from './core/keychain/keychain';
import { createLogger } from './core/logging/logger';
import { failureLine } from './cli/run';
import { eventSources } from './ipc/event-sources';
import { consoleGuard, createIpcHandlers } from './ipc/handlers';
import { startMesh, type Mesh } from './mesh';
import { registerIpc } from './app/ipc';
import { createElectronHost } from './app/save-dialog';
import { missingBindingMessage, resolveNativeBinding } from './app/native-binding';
import { applyPermissionPolicy, createMainWindow } from './app/window';

const rendererIndex = join(import.meta.dirname, '../renderer/index.html');
const preload = join(import.meta.dirname, '../preload/index.cjs');
const ownUrl = new URL(`file://${rendererIndex}`).href;

let mesh: Mesh | undefined;
let quitting = false;
let unregisterIpc: (() => void) | undefined;

async function boot(): Promise<void> {
  applyPermissionPolicy((url) => url === ownUrl);
  // better-sqlite3 built for Electron's ABI (node_modules keeps Node's build for tests and `serve`); see app/native-binding.ts.
  const electronVersion = process.versions.electron;
  const binding = resolveNativeBinding({ electronVersion, isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appPath: app.getAppPath() });
  if (binding !== undefined && !existsSync(binding.path)) throw new AppError('INTERNAL', missingBindingMessage(binding, electronVersion ?? ''));
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  mesh = await startMesh(config, { logger, keychain: createOsKeychain(), ...(binding === undefined ? {} : { nativeBinding: binding.path }) });
  const host = createElectronHost();
  unregisterIpc = registerIpc({ handlers: createIpcHandlers(host), sources: eventSources, guard: consoleGuard(host), mesh, isOwnUrl: (url) => url === ownUrl, logger });
  createMainWindow(rendererIndex, preload);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.enableSandbox();
  app.whenReady().then(boot).catch((error: unknown) => {
    dialog.showErrorBox('Developer Mesh Console could not start', failureLine(error).line.replace(/^devmesh: /, ''));
    app.exit(1);
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (quitting || mesh === undefined) return;
    event.preventDefault();
    quitting = true;
    // Live streams stop before the database closes under them.
    unregisterIpc?.();
    void mesh.stop().finally(() => app.quit());
  });
}
