// The console's host in Electron: exports are saved where the operator chooses in the native save dialog, attached to the console window.
import { BrowserWindow, dialog } from 'electron';
import type { ConsoleHost, SaveTarget } from '../ipc/console-host';

export function createElectronHost(): ConsoleHost {
  return {
    async chooseSavePath({ title, defaultName, filters }: SaveTarget) {
      const options = { title, defaultPath: defaultName, filters: filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })), properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[] };
      const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      const result = parent === undefined ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(parent, options);
      return result.canceled || result.filePath === undefined || result.filePath === '' ? undefined : result.filePath;
    },
  };
}
