// The role channels over a real mesh: holders scoped to the console's tenant, why a role is read-only, the catalog's real tool names, refused changes audited, and the simulator answering as the REST one does.
import { describe, expect, it } from 'vitest';
import { localOperator } from '../../../../src/main/core/auth/local-operator';
import { simulateAccess } from '../../../../src/main/core/rbac/simulate';
import type { PermissionCatalog, RoleDetails } from '../../../../src/shared/ipc/contracts/roles';
import { NO_SAVE_DIALOG } from '../../../../src/main/ipc/console-host';
import { dispatchIpc } from '../../../../src/main/ipc/dispatch';
import { createIpcHandlers } from '../../../../src/main/ipc/handlers';
import type { Mesh } from '../../../../src/main/mesh';
import { TOOLS } from '../../../../src/main/servers/mcp/tools';
import { startTestMesh } from '../../../helpers/mesh';

const ipcHandlers = createIpcHandlers(NO_SAVE_DIALOG);
const consoleSubject = localOperator('console').subject;

/** A real mesh (stopped after each test by the helper). */
const start = async (): Promise<Mesh> => (await startTestMesh()).mesh;

describe('role channels', () => {
  it('roles:get lists the holders of the console tenant, counts the others, and keeps revoked keys out', async () => {
    const m = await start();
    const cli = localOperator('cli');
    m.services.roles.create(cli, { name: 'ci', permissions: ['contexts:read'] });
    const other = m.services.tenants.create('acme');
    await m.services.users.create({ username: 'bob', password: 'a long password 1', role: 'ci' });
    await m.services.users.create({ username: 'eve', password: 'a long password 2', role: 'ci', tenantId: other.id });
    const { record: kept } = m.services.apiKeys.create({ name: 'job', role: 'ci', tenantId: 'default', ownerId: null, createdBy: 'test' });
    const { record: gone } = m.services.apiKeys.create({ name: 'old', role: 'ci', tenantId: 'default', ownerId: null, createdBy: 'test' });
    m.services.apiKeys.revoke(gone.id);

    const result = await dispatchIpc(ipcHandlers, m, 'roles:get', { name: 'ci' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const role = result.value as RoleDetails;
    expect(role).toMatchObject({ name: 'ci', permissions: ['contexts:read'], builtin: false, read_only_reason: null });
    expect(role.holders.users.map((u) => u.username)).toEqual(['bob']);
    expect(role.holders.api_keys).toEqual([{ id: kept.id, name: 'job', status: 'active' }]);
    expect(role.holders.other_tenants).toBe(1);
  });

  it('roles:get says why a built-in role is read-only; roles:catalog offers the real MCP tools', async () => {
    const m = await start();
    const admin = await dispatchIpc(ipcHandlers, m, 'roles:get', { name: 'admin' });
    expect(admin).toMatchObject({ ok: true, value: { builtin: true, read_only_reason: 'admin is a built-in role and cannot be changed; create a custom role instead' } });
    const catalog = await dispatchIpc(ipcHandlers, m, 'roles:catalog', undefined);
    expect(catalog.ok).toBe(true);
    if (!catalog.ok) return;
    const value = catalog.value as PermissionCatalog;
    expect(value.tools.map((t) => t.name)).toEqual(TOOLS.map((t) => t.name));
    expect(value.resources).toContain('audit');
    expect(value.actions).toEqual(['read', 'write', 'delete', 'execute', 'manage']);
  });

  it('audits created, updated and deleted roles, and a refused change as role_change_denied', async () => {
    const m = await start();
    expect(await dispatchIpc(ipcHandlers, m, 'roles:create', { name: 'ops', permissions: ['audit:read'] })).toMatchObject({ ok: true, value: { name: 'ops', version: 1 } });
    expect(await dispatchIpc(ipcHandlers, m, 'roles:update', { name: 'ops', permissions: ['audit:*'] })).toMatchObject({ ok: true, value: { permissions: ['audit:*'], version: 2 } });
    const builtin = await dispatchIpc(ipcHandlers, m, 'roles:update', { name: 'viewer', permissions: ['audit:read'] });
    expect(builtin).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: 'viewer is a built-in role and cannot be changed; create a custom role instead' } });
    const badName = await dispatchIpc(ipcHandlers, m, 'roles:create', { name: 'Ops Team', permissions: [] });
    expect(badName).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await dispatchIpc(ipcHandlers, m, 'roles:delete', { name: 'ops' })).toEqual({ ok: true, value: { name: 'ops' } });

    const events = m.core.audit.query({ subject: consoleSubject }).events.filter((e) => e.event_type.startsWith('role_'));
    expect(events.map((e) => `${e.event_type} ${e.action} ${e.resource} ${e.result}`).sort()).toEqual([
      'role_change_denied update role:viewer denied',
      'role_created created role:ops success',
      'role_deleted deleted role:ops success',
      'role_updated updated role:ops success',
    ]);
  });

  it('roles:simulate answers as the REST simulator does, and refuses a subject of another tenant as nobody', async () => {
    const m = await start();
    const other = m.services.tenants.create('acme');
    await m.services.users.create({ username: 'eve', password: 'a long password 2', role: 'viewer', tenantId: other.id });
    const question = { subject: 'role:viewer', resource: 'contexts', action: 'write' };
    const answer = await dispatchIpc(ipcHandlers, m, 'roles:simulate', question);
    expect(answer).toEqual({ ok: true, value: simulateAccess(m.services, localOperator('console'), question) });
    expect(answer).toMatchObject({ value: { allowed: false, reason: 'role viewer lacks contexts:write', matched_permission: null, role: 'viewer' } });
    expect(await dispatchIpc(ipcHandlers, m, 'roles:simulate', { subject: 'user:eve', resource: 'contexts', action: 'read' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'no user "eve"' } });
  });
});
