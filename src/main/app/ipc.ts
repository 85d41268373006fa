// Registers every contract channel with ipcMain, and the subscribe/unsubscribe pair for the contract's events; a call from any frame other than the app's own page is refused.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_CHANNELS, SUBSCRIBE_CHANNEL, UNSUBSCRIBE_CHANNEL } from '../../shared/ipc/contract';
import type { GuardOptions } from '../ipc/console-handler';
import { dispatchIpc } from '../ipc/dispatch';
import type { IpcHandlers } from '../ipc/handlers';
import { openSubscriptions, type ConsoleEventSources, type Subscriptions } from '../ipc/subscriptions';
import type { Logger } from '../core/logging/logger';
import type { Mesh } from '../mesh';

export interface IpcRegistration {
  handlers: IpcHandlers;
  sources: ConsoleEventSources;
  guard: GuardOptions;
  mesh: Mesh;
  isOwnUrl: (url: string) => boolean;
  logger: Logger;
}

const REFUSED = { ok: false, error: { code: 'ORIGIN_NOT_ALLOWED', message: 'IPC from an unexpected frame' } } as const;

export function registerIpc({ handlers, sources, guard, mesh, isOwnUrl, logger }: IpcRegistration): () => void {
  const senderAllowed = (event: IpcMainInvokeEvent, channel: string): boolean => {
    const frame = event.senderFrame;
    const allowed = frame !== null && frame.parent === null && isOwnUrl(frame.url);
    if (!allowed) logger.warn({ channel, url: event.senderFrame?.url }, 'IPC call from an unexpected frame refused');
    return allowed;
  };
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!senderAllowed(event, channel)) return REFUSED;
      return dispatchIpc(handlers, mesh, channel, input, (error) => logger.error({ err: error, channel }, 'IPC handler failed'));
    });
  }

  // Each window's subscriptions end with it (closed, crashed or reloaded).
  const byContents = new Map<number, Subscriptions>();
  const subscriptionsOf = (contents: WebContents): Subscriptions => {
    let subs = byContents.get(contents.id);
    if (subs === undefined) {
      const opened = openSubscriptions(sources, mesh, guard, (name, message) => {
        if (!contents.isDestroyed()) contents.send(name, message);
      }, (error, name) => logger.error({ err: error, event: name }, 'IPC subscription failed'));
      const end = (): void => {
        opened.close();
        byContents.delete(contents.id);
      };
      contents.once('destroyed', end);
      contents.on('did-start-navigation', (_event, _url, isInPlace, isMainFrame) => {
        if (isMainFrame && !isInPlace) opened.close();
      });
      byContents.set(contents.id, opened);
      subs = opened;
    }
    return subs;
  };
  ipcMain.handle(SUBSCRIBE_CHANNEL, (event, request: unknown) => (senderAllowed(event, SUBSCRIBE_CHANNEL) ? subscriptionsOf(event.sender).subscribe(request) : REFUSED));
  ipcMain.handle(UNSUBSCRIBE_CHANNEL, (event, request: unknown) => {
    if (senderAllowed(event, UNSUBSCRIBE_CHANNEL)) byContents.get(event.sender.id)?.unsubscribe(request);
  });

  return () => {
    for (const channel of [...IPC_CHANNELS, SUBSCRIBE_CHANNEL, UNSUBSCRIBE_CHANNEL]) ipcMain.removeHandler(channel);
    for (const subs of byContents.values()) subs.close();
    byContents.clear();
  };
}
