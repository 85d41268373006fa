// The console's first page: the running mesh's status as the main process reports it over IPC.
import { useEffect, useState } from 'react';
import type { IpcResult, MeshStatus } from '../../shared/ipc/contract';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; status: MeshStatus };

export function App(): React.JSX.Element {
  const [load, setLoad] = useState<Load>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    window.mesh
      .meshStatus()
      .then((result: IpcResult<MeshStatus>) => {
        if (!live) return;
        setLoad(result.ok ? { state: 'ready', status: result.value } : { state: 'error', message: result.error.message });
      })
      .catch((error: unknown) => live && setLoad({ state: 'error', message: String(error) }));
    return () => {
      live = false;
    };
  }, []);

  return (
    <main className="page">
      <h1>Developer Mesh Console</h1>
      {load.state === 'loading' && <p role="status">Connecting to the mesh…</p>}
      {load.state === 'error' && <p role="alert" className="error">{load.message}</p>}
      {load.state === 'ready' && (
        <dl className="status">
          <dt>MCP server</dt>
          <dd>{load.status.urls.mcp}</dd>
          <dt>REST API</dt>
          <dd>{load.status.urls.api}</dd>
          <dt>Master key</dt>
          <dd>{load.status.masterKeySource === 'keychain' ? 'OS keychain' : 'ENCRYPTION_MASTER_KEY'} (version {load.status.keyVersion})</dd>
          <dt>Data</dt>
          <dd>{load.status.dataDir} · schema {load.status.schemaVersion}</dd>
          <dt>Audit events</dt>
          <dd>{load.status.auditEvents.toLocaleString()}</dd>
          <dt>Version</dt>
          <dd>{load.status.version}</dd>
        </dl>
      )}
    </main>
  );
}
