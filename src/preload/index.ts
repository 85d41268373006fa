// Preload: exposes window.mesh, one method per IPC contract channel, generated from the contract. No raw ipcRenderer ever reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNELS, methodName, type MeshApi } from '../shared/ipc/contract';

const api = Object.fromEntries(IPC_CHANNELS.map((channel) => [methodName(channel), (input?: unknown) => ipcRenderer.invoke(channel, input)])) as MeshApi;

contextBridge.exposeInMainWorld('mesh', Object.freeze(api));
