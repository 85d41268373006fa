// The one hardened window: sandboxed renderer, context isolation, no Node, navigation/new windows/webviews/permissions denied.
import { BrowserWindow, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';

/** Deny everything a page could use to leave the app or reach the OS. */
export function hardenWebContents(contents: WebContents, isOwnUrl: (url: string) => boolean): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
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

/** Default-deny permission table: the console needs no camera, notifications, geolocation... */
export function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

export function createMainWindow(rendererIndex: string, preload: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    show: false,
    title: 'Developer Mesh Console',
    webPreferences: {
      preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  const ownUrl = new URL(`file://${join(rendererIndex)}`).href;
  hardenWebContents(win.webContents, (url) => url === ownUrl);
  win.once('ready-to-show', () => win.show());
  void win.loadFile(rendererIndex);
  return win;
}
