// IPC dispatch over a real mesh: every contract channel has a handler, answers are wrapped {ok,value}, input the contract refuses never reaches a handler.
import { describe, expect, it } from 'vitest';
import { dispatchIpc } from '../../../../src/main/ipc/dispatch';
import { createIpcHandlers } from '../../../../src/main/ipc/handlers';
import { NO_SAVE_DIALOG } from '../../../../src/main/ipc/console-host';
import { IPC_CHANNELS, ipcContract, methodName } from '../../../../src/shared/ipc/contract';
import { LATEST_SCHEMA_VERSION } from '../../../../src/main/core/storage/migrations/index';
import { startTestMesh } from '../../../helpers/mesh';

const ipcHandlers = createIpcHandlers(NO_SAVE_DIALOG);

describe('IPC dispatch over a real mesh', () => {
  it('has a handler for every contract channel and a method name for each', () => {
    expect(Object.keys(ipcHandlers).sort()).toEqual(Object.keys(ipcContract).sort());
    expect(IPC_CHANNELS.map(methodName)).toContain('meshStatus');
  });

  it('returns {ok:true,value} matching the contract', async () => {
    const { mesh } = await startTestMesh();
    const result = await dispatchIpc(ipcHandlers, mesh, 'mesh:status', undefined);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ urls: mesh.urls, masterKeySource: 'env', keyVersion: 1, schemaVersion: LATEST_SCHEMA_VERSION });
  });

  it('refuses input the contract does not allow, as {ok:false}', async () => {
    const { mesh } = await startTestMesh();
    const result = await dispatchIpc(ipcHandlers, mesh, 'mesh:status', { sneaky: true });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});
