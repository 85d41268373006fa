// The one hardened window: sandboxed renderer, context isolation, no Node, navigation/new windows/webviews denied, permissions denied but clipboard writes from the console's own page.
import { BrowserWindow, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { externalLinkTarget } from './external-links';
import { permissionHandlers } from './permissions';

/** Deny everything a page could use to leave the app or reach the OS. */
export function hardenWebContents(contents: WebContents, isOwnUrl: (url: string) => boolean): void {
  contents.setWindowOpenHandler(({ url }) => {
    // Reviewed for electronegativity's OPEN_EXTERNAL_JS_CHECK (it flags every non-constant argument): the only URL that
    // reaches openExternal is the one externalLinkTarget() returned, https on an allowlisted documentation host.
    const target = externalLinkTarget(url);
    if (target !== undefined) void shell.openExternal(target); // eng-disable OPEN_EXTERNAL_JS_CHECK
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isOwnUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOwnUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * Default-deny permission table: the console needs no camera, notifications, geolocation...; the one exception is writing
 * to the clipboard from its own page (the copy buttons), decided by permissionAllowed() for both handlers alike (app/permissions.ts).
 */
export function applyPermissionPolicy(isOwnUrl: (url: string) => boolean): void {
  const { request, check } = permissionHandlers(isOwnUrl);
  session.defaultSession.setPermissionRequestHandler(request);
  session.defaultSession.setPermissionCheckHandler(check);
}

export function createMainWindow(rendererIndex: string, preload: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    show: false,
    title: 'Developer Mesh Console',
    webPreferences: {
      // Reviewed for electronegativity's PRELOAD_JS_CHECK (it flags every preload for review): src/preload/index.ts is
      // sandboxed, imports only electron and the shared contract, and exposes one frozen method per contract channel
      // that calls ipcRenderer.invoke on that fixed channel; no ipcRenderer, no Node API, no generic send/on reaches the page.
      preload, // eng-disable PRELOAD_JS_CHECK
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click (auxclick) on a link would open it in a new window; the open handler denies that too, this stops it earlier.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const ownUrl = new URL(`file://${join(rendererIndex)}`).href;
  hardenWebContents(win.webContents, (url) => url === ownUrl);
  win.once('ready-to-show', () => win.show());
  void win.loadFile(rendererIndex);
  return win;
}
