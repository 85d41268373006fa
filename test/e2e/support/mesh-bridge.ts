// The test bridge: window.mesh built by the preload's own builder from the same contract, each call forwarded to the same IPC dispatch, handler table and subscriptions over a real mesh.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ConsoleHost, SaveTarget } from '../../../src/main/ipc/console-host';
import { dispatchIpc, isIpcChannel } from '../../../src/main/ipc/dispatch';
import { eventSources } from '../../../src/main/ipc/event-sources';
import { consoleGuard, createIpcHandlers } from '../../../src/main/ipc/handlers';
import { openSubscriptions, type Subscriptions } from '../../../src/main/ipc/subscriptions';
import type { Mesh } from '../../../src/main/mesh';
import { eventMethodName, IPC_CHANNELS, IPC_EVENTS, methodName } from '../../../src/shared/ipc/contract';
import { buildMeshApi } from '../../../src/shared/ipc/mesh-api';

/** What main would only log, and what the operator was asked: a test can assert on both. */
export interface BridgeLog {
  internalErrors: unknown[];
  /** Every save dialog the console opened, in order. */
  saveDialogs: SaveTarget[];
  /** Where the stand-in dialog saves (a fresh directory per bridge). */
  saveDir: string;
  /** How the operator answers the next save dialogs: a path, or undefined to cancel. Default: `saveDir/<offered name>`. */
  answerSave: (target: SaveTarget) => string | undefined;
  /** Open subscriptions (a test can check that leaving a page ends them). */
  openSubscriptions(): number;
}

export async function installMeshBridge(page: Page, mesh: Mesh): Promise<BridgeLog> {
  const saveDir = mkdtempSync(join(tmpdir(), 'devmesh-e2e-saves-'));
  const log: BridgeLog = {
    internalErrors: [],
    saveDialogs: [],
    saveDir,
    answerSave: (target) => join(saveDir, target.defaultName),
    openSubscriptions: () => subscriptions.size,
  };
  // Stands in for Electron's native save dialog (src/main/app/save-dialog.ts): the test plays the operator.
  const host: ConsoleHost = {
    chooseSavePath(target) {
      log.saveDialogs.push(target);
      return Promise.resolve(log.answerSave(target));
    },
  };
  const handlers = createIpcHandlers(host);

  // Like webContents.send: messages reach the page in order; a page that has gone away just drops them.
  let delivery = Promise.resolve();
  const subscriptions: Subscriptions = openSubscriptions(
    eventSources,
    mesh,
    consoleGuard(host),
    (event, message) => {
      const text = JSON.stringify(message);
      delivery = delivery.then(() => page.evaluate(([name, m]) => (globalThis as unknown as { __meshReceive(e: string, m: string): void }).__meshReceive(name, m), [event, text] as const)).catch(() => undefined);
    },
    (error) => log.internalErrors.push(error),
  );
  // Like the 'did-start-navigation'/'destroyed' handlers in src/main/app/ipc.ts: a page's subscriptions end with it.
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) subscriptions.close();
  });
  page.on('close', () => subscriptions.close());

  // Like ipcMain.handle: the page sends (channel, input); the channel is checked, the input parsed by the contract in dispatch.
  // Results cross as JSON text, as plain data crosses Electron's IPC (structured clone): Playwright's own serializer takes
  // about 200 ms for a 1,000-row audit page, which would measure the bridge rather than the console.
  await page.exposeFunction('__meshInvoke', async (channel: unknown, input: unknown) => {
    if (!isIpcChannel(channel)) return JSON.stringify({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'unknown IPC channel' } });
    return JSON.stringify(await dispatchIpc(handlers, mesh, channel, input, (error) => log.internalErrors.push(error)));
  });
  await page.exposeFunction('__meshSubscribe', (request: unknown) => subscriptions.subscribe(request));
  await page.exposeFunction('__meshUnsubscribe', (request: unknown) => subscriptions.unsubscribe(request));

  // Like src/preload/index.ts: the same builder (its source text runs in the page) over the exposed functions, before any page script.
  const channels = IPC_CHANNELS.map((channel) => [methodName(channel), channel] as const);
  const events = IPC_EVENTS.map((event) => [eventMethodName(event), event] as const);
  await page.addInitScript({
    // (A no-op __name: tsx, which runs the benchmarks, wraps named functions in it; Playwright's own transform does not.)
    content: `(() => {
      const __name = (target) => target;
      const buildMeshApi = ${buildMeshApi.toString()};
      const receivers = new Map();
      Object.defineProperty(globalThis, '__meshReceive', { value: (event, message) => receivers.get(event)?.(JSON.parse(message)) });
      const api = buildMeshApi(${JSON.stringify(channels)}, ${JSON.stringify(events)}, {
        invoke: (channel, input) => globalThis.__meshInvoke(channel, input).then((text) => JSON.parse(text)),
        subscribe: (event, id, input) => globalThis.__meshSubscribe({ event, id, input }),
        unsubscribe: (id) => void globalThis.__meshUnsubscribe({ id }),
        listen: (event, receive) => receivers.set(event, receive),
      });
      Object.defineProperty(globalThis, 'mesh', { value: api, enumerable: true });
    })();`,
  });
  return log;
}
