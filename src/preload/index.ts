// Preload: exposes window.mesh, one method per IPC contract channel and one `on<Name>` per event, built from the contract by the shared builder. No raw ipcRenderer ever reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { eventMethodName, IPC_CHANNELS, IPC_EVENTS, methodName, SUBSCRIBE_CHANNEL, UNSUBSCRIBE_CHANNEL, type MeshApi } from '../shared/ipc/contract';
import { buildMeshApi } from '../shared/ipc/mesh-api';

const api = buildMeshApi(
  IPC_CHANNELS.map((channel) => [methodName(channel), channel] as const),
  IPC_EVENTS.map((event) => [eventMethodName(event), event] as const),
  {
    invoke: (channel, input) => ipcRenderer.invoke(channel, input),
    subscribe: (event, id, input) => ipcRenderer.invoke(SUBSCRIBE_CHANNEL, { event, id, input }) as Promise<{ ok: boolean }>,
    unsubscribe: (id) => void ipcRenderer.invoke(UNSUBSCRIBE_CHANNEL, { id }),
    // The page gets the message only: the IpcRendererEvent (with its sender) never crosses the bridge.
    listen: (event, receive) => ipcRenderer.on(event, (_event, message: { id: string; result: unknown }) => receive(message)),
  },
) as MeshApi;

contextBridge.exposeInMainWorld('mesh', api);
