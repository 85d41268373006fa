// Every console IPC call is authorized as the console operator and the decision audited, like a REST request; a principal without the permission is refused before the handler runs.
import { describe, expect, it } from 'vitest';
import { localOperator } from '../../../../src/main/core/auth/local-operator';
import type { Principal } from '../../../../src/main/core/auth/principal';
import { guardHandlers, type ConsoleHandlers } from '../../../../src/main/ipc/console-handler';
import { dispatchIpc } from '../../../../src/main/ipc/dispatch';
import { createIpcHandlers } from '../../../../src/main/ipc/handlers';
import { NO_SAVE_DIALOG } from '../../../../src/main/ipc/console-host';
import { connectHandlers } from '../../../../src/main/ipc/handlers/connect';
import type { Mesh } from '../../../../src/main/mesh';
import type { IpcChannel } from '../../../../src/shared/ipc/contract';
import { mergeContracts } from '../../../../src/shared/ipc/contract';
import { meshChannels } from '../../../../src/shared/ipc/contracts/mesh';
import { startTestMesh } from '../../../helpers/mesh';

const ipcHandlers = createIpcHandlers(NO_SAVE_DIALOG);

/** A real mesh (stopped after each test by the helper). */
const start = async (): Promise<Mesh> => (await startTestMesh()).mesh;

describe('console IPC authorization', () => {
  it('acts as console:<os user>, admin of the default tenant, and audits the decision with a trace id', async () => {
    const m = await start();
    const subject = localOperator('console').subject;
    expect(subject).toMatch(/^console:.+/);
    const result = await dispatchIpc(ipcHandlers, m, 'roles:list', undefined);
    expect(result.ok).toBe(true);
    const [decision] = m.core.audit.query({ event_type: 'authz_decision', subject }).events;
    expect(decision).toMatchObject({ result: 'success', action: 'read', resource: 'roles:read', tenant_id: 'default', metadata: { role: 'admin' } });
    expect(decision?.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a principal whose role lacks the permission (FORBIDDEN, audited as denied) and never runs the handler', async () => {
    const m = await start();
    const viewer: Principal = { ...localOperator('console'), subject: 'console:viewer', role: 'viewer' };
    let ran = false;
    const handle = () => {
      ran = true;
      return {};
    };
    const table = Object.fromEntries(Object.keys(ipcHandlers).map((channel) => [channel, { needs: [{ resource: 'audit', action: 'read' }], handle }])) as unknown as ConsoleHandlers<IpcChannel>;
    const guarded = guardHandlers(table, { principal: () => viewer, request: () => ({ traceId: 'trace-1' }), host: NO_SAVE_DIALOG });
    const result = await dispatchIpc(guarded, m, 'audit:verify', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(ran).toBe(false);
    expect(m.core.audit.query({ event_type: 'authz_decision', subject: 'console:viewer' }).events.map((e) => [e.result, e.resource, e.trace_id])).toEqual([['denied', 'audit:read', 'trace-1']]);
  });

  it('refuses a key role above the operator and records the refusal', async () => {
    const m = await start();
    const user: Principal = { ...localOperator('console'), subject: 'console:limited', role: 'user' };
    const guarded = guardHandlers(connectHandlers as unknown as ConsoleHandlers<IpcChannel>, { principal: () => user, request: () => ({}), host: NO_SAVE_DIALOG });
    const result = await dispatchIpc(guarded, m, 'connect:setup', { client: 'cursor', role: 'admin' });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('cannot create a key with role admin') } });
    expect(m.services.apiKeys.list({})).toEqual([]);
    expect(m.core.audit.query({ event_type: 'api_key_created' }).events.map((e) => [e.subject, e.result])).toEqual([['console:limited', 'denied']]);
  });
});

describe('mergeContracts', () => {
  it('refuses a channel that two features define', () => {
    expect(() => mergeContracts(meshChannels, meshChannels)).toThrow(new TypeError('IPC channel mesh:status is defined by two features'));
  });
});
