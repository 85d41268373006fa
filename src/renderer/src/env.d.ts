// window.mesh, as the preload exposes it (generated from the shared IPC contract).
import type { MeshApi } from '../../shared/ipc/contract';

declare global {
  interface Window {
    readonly mesh: MeshApi;
  }
}
