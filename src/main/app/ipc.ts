// Registers every contract channel with ipcMain; a call from any frame other than the app's own page is refused.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { IPC_CHANNELS } from '../../shared/ipc/contract';
import { dispatchIpc } from '../ipc/dispatch';
import type { IpcHandlers } from '../ipc/handlers';
import type { Logger } from '../core/logging/logger';
import type { Mesh } from '../mesh';

export function registerIpc(handlers: IpcHandlers, mesh: Mesh, isOwnUrl: (url: string) => boolean, logger: Logger): () => void {
  const senderAllowed = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    return frame !== null && frame.parent === null && isOwnUrl(frame.url);
  };
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!senderAllowed(event)) {
        logger.warn({ channel, url: event.senderFrame?.url }, 'IPC call from an unexpected frame refused');
        return { ok: false, error: { code: 'ORIGIN_NOT_ALLOWED', message: 'IPC from an unexpected frame' } };
      }
      return dispatchIpc(handlers, mesh, channel, input, (error) => logger.error({ err: error, channel }, 'IPC handler failed'));
    });
  }
  return () => {
    for (const channel of IPC_CHANNELS) ipcMain.removeHandler(channel);
  };
}
