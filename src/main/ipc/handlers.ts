// The IPC handler table: contract channel -> function(mesh, input). Electron registers it (main/app/ipc.ts); tests and the browser bridge call it directly.
import type { IpcChannel, IpcInput, IpcOutput } from '../../shared/ipc/contract';
import { appVersion, type Mesh } from '../mesh';

export type IpcHandlers = { [C in IpcChannel]: (mesh: Mesh, input: IpcInput<C>) => Promise<IpcOutput<C>> | IpcOutput<C> };

export const ipcHandlers: IpcHandlers = {
  'mesh:status': (mesh) => ({
    version: appVersion(),
    dataDir: mesh.core.paths.dir,
    urls: { mcp: mesh.urls.mcp, api: mesh.urls.api },
    masterKeySource: mesh.core.masterKeySource,
    keyVersion: mesh.core.keyVersion(),
    schemaVersion: mesh.core.storage.schemaVersion,
    auditEvents: mesh.core.db.prepare('SELECT coalesce(sum(event_count), 0) FROM audit_batches').pluck().get() as number,
  }),
};
