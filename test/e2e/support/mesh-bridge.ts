// The test bridge: window.mesh built from the same contract as the preload (one method per channel, methodName), each call forwarded to the same IPC dispatch and handler table over a real mesh.
import type { Page } from '@playwright/test';
import { dispatchIpc, isIpcChannel } from '../../../src/main/ipc/dispatch';
import { ipcHandlers } from '../../../src/main/ipc/handlers';
import type { Mesh } from '../../../src/main/mesh';
import { IPC_CHANNELS, methodName, type IpcResult } from '../../../src/shared/ipc/contract';

type Invoke = (channel: string, input: unknown) => Promise<IpcResult<unknown>>;

/** Errors main would only log (the renderer sees `internal error`): a test can assert there were none. */
export interface BridgeLog {
  internalErrors: unknown[];
}

export async function installMeshBridge(page: Page, mesh: Mesh): Promise<BridgeLog> {
  const log: BridgeLog = { internalErrors: [] };
  // Like ipcMain.handle: the page sends (channel, input); the channel is checked, the input parsed by the contract in dispatch.
  await page.exposeFunction('__meshInvoke', async (channel: unknown, input: unknown) => {
    if (!isIpcChannel(channel)) return { ok: false, error: { code: 'VALIDATION_FAILED', message: 'unknown IPC channel' } };
    return dispatchIpc(ipcHandlers, mesh, channel, input, (error) => log.internalErrors.push(error));
  });
  // Like src/preload/index.ts: a frozen object of methods generated from IPC_CHANNELS, installed before any page script runs.
  const methods = IPC_CHANNELS.map((channel) => [methodName(channel), channel] as const);
  await page.addInitScript((pairs) => {
    const invoke = (globalThis as unknown as { __meshInvoke: Invoke }).__meshInvoke;
    const api = Object.fromEntries(pairs.map(([name, channel]) => [name, (input?: unknown) => invoke(channel, input)]));
    Object.defineProperty(globalThis, 'mesh', { value: Object.freeze(api), enumerable: true });
  }, methods);
  return log;
}
