// The Access control page in Chromium over a real mesh: a role created (bad names refused), its matrix edited with a diff preview and saved, a user given it, the simulator agreeing with the REST one, a held role's deletion refused, built-in roles read-only — all audited as the console.
import { localOperator } from '../../src/main/core/auth/local-operator';
import type { Mesh } from '../../src/main/mesh';
import { expect, test } from './fixtures';
import { screenshotPath } from './support/screenshots';

const subject = localOperator('console').subject;

/** The REST policy simulator's answer, asked with an admin key: the console must say the same. */
async function restSimulate(mesh: Mesh, adminKey: string, body: { subject: string; resource: string; action: string; target?: string }): Promise<{ allowed: boolean; reason: string; matched_permission: string | null; role: string | null }> {
  const response = await fetch(`${mesh.urls.api}/api/v1/authz/check`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as { allowed: boolean; reason: string; matched_permission: string | null; role: string | null };
}

test.describe('Access control', () => {
  test('creates a role, edits its matrix through a diff preview, gives it to a user, and the simulator agrees with REST', async ({ openConsole, testMesh }) => {
    const { page, bridge } = await openConsole();
    const { mesh } = testMesh;
    const alice = await mesh.services.users.create({ username: 'alice', password: 'correct horse battery staple', role: 'viewer' });
    const { key: adminKey } = mesh.services.apiKeys.create({ name: 'e2e-admin', role: 'admin', tenantId: 'default', ownerId: null, createdBy: 'e2e' });

    await page.getByRole('button', { name: 'Access control' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Access control' })).toBeFocused();
    await expect(page.getByText('Choose a role to see and edit its permissions')).toBeVisible();

    // A bad name is refused with the core's rule, and nothing is created.
    await page.getByLabel('New role name').fill('CI Reader');
    await page.getByRole('button', { name: 'Create role' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Invalid role name' })).toContainText('a role is lower-case letters, digits, - and _');
    await expect(page.getByLabel('New role name')).toHaveAttribute('aria-invalid', 'true');
    expect(mesh.services.roles.list().map((r) => r.name)).toEqual(['admin', 'user', 'viewer']);

    await page.getByLabel('New role name').fill('ci-reader');
    await page.getByLabel('Description (optional)').fill('CI jobs: read contexts and the audit trail');
    await page.getByRole('button', { name: 'Create role' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Created role ci-reader' })).toBeVisible();
    await expect(page.getByTestId('role-ci-reader')).toHaveAttribute('aria-current', 'true');
    await expect(page.getByText('ci-reader grants nothing yet')).toBeVisible();
    expect(mesh.services.roles.get('ci-reader')).toMatchObject({ permissions: [], builtin: false, version: 1, updated_by: subject });

    // An API key made with the role (e.g. by a script) shows among its holders.
    const { record: ciKey } = mesh.services.apiKeys.create({ name: 'ci-job', role: 'ci-reader', tenantId: 'default', ownerId: null, createdBy: 'e2e' });
    await page.getByTestId('role-ci-reader').click();
    await expect(page.getByTestId(`holder-key-${ciKey.id}`)).toContainText('ci-job');

    // Edit the matrix locally: a wildcard column implies the cells under it.
    const matrix = page.getByTestId('permission-matrix');
    // From the keyboard: Space ticks the focused cell.
    await matrix.getByRole('checkbox', { name: 'contexts:read', exact: true }).focus();
    await page.keyboard.press('Space');
    await expect(matrix.getByRole('checkbox', { name: 'contexts:read', exact: true })).toBeChecked();
    await matrix.getByRole('checkbox', { name: 'contexts:write', exact: true }).check();
    await matrix.getByRole('checkbox', { name: 'audit:*', exact: true }).check();
    const impliedAuditRead = matrix.getByRole('checkbox', { name: 'audit:read (granted by audit:*)' });
    await expect(impliedAuditRead).toBeChecked();
    await expect(impliedAuditRead).toBeDisabled();
    await page.getByTestId('tool-grants').getByRole('checkbox', { name: 'tools:execute:context_get', exact: true }).check();
    await expect(page.getByText('Unsaved changes')).toBeVisible();
    expect(mesh.services.roles.get('ci-reader').permissions).toEqual([]);

    // The diff preview: what is added, and who is affected; back to editing drops contexts:write.
    await page.getByRole('button', { name: 'Review changes' }).click();
    const review = page.getByTestId('change-review');
    await expect(review.getByRole('list', { name: 'Added permissions' }).getByRole('listitem')).toHaveText(['+ audit:*', '+ contexts:read', '+ contexts:write', '+ tools:execute:context_get']);
    await expect(review.getByTestId('affected')).toHaveText('Affects 0 users and 1 API key from their very next request.');
    await page.getByRole('button', { name: 'Back to editing' }).click();
    await matrix.getByRole('checkbox', { name: 'contexts:write', exact: true }).uncheck();
    await page.getByRole('button', { name: 'Review changes' }).click();
    await expect(review.getByRole('list', { name: 'Added permissions' }).getByRole('listitem')).toHaveText(['+ audit:*', '+ contexts:read', '+ tools:execute:context_get']);
    await page.screenshot({ path: screenshotPath('access.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved role ci-reader' })).toContainText('version 2');
    expect(mesh.services.roles.get('ci-reader')).toMatchObject({ permissions: ['contexts:read', 'audit:*', 'tools:execute:context_get'], version: 2 });

    // Cancel discards local edits.
    await matrix.getByRole('checkbox', { name: 'certs:read', exact: true }).check();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(matrix.getByRole('checkbox', { name: 'certs:read', exact: true })).not.toBeChecked();
    await expect(page.getByRole('button', { name: 'Review changes' })).toBeDisabled();

    // Role assignment: alice gets ci-reader.
    await page.getByLabel('Give ci-reader to').selectOption({ label: 'alice (now viewer)' });
    await page.getByRole('button', { name: 'Assign role' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'alice: role viewer → ci-reader' })).toBeVisible();
    await expect(page.getByTestId('holder-alice')).toBeVisible();
    expect(mesh.services.users.require('alice').role).toBe('ci-reader');

    // The simulator, for a user and for an API key, says what the REST simulator says.
    const cases = [
      { kind: 'User', pick: 'alice (ci-reader)', subject: 'user:alice', resource: 'audit', action: 'read', allowed: true, reason: 'role ci-reader grants audit:*' },
      { kind: 'User', pick: 'alice (ci-reader)', subject: 'user:alice', resource: 'contexts', action: 'write', allowed: false, reason: 'role ci-reader lacks contexts:write' },
      { kind: 'API key', pick: `ci-job — ${ciKey.id} (ci-reader, active)`, subject: `key:${ciKey.id}`, resource: 'tools', action: 'execute', tool: 'context_get', allowed: true, reason: 'role ci-reader grants tools:execute:context_get' },
      { kind: 'API key', pick: `ci-job — ${ciKey.id} (ci-reader, active)`, subject: `key:${ciKey.id}`, resource: 'tools', action: 'execute', tool: 'whoami', allowed: false, reason: 'role ci-reader lacks tools:execute:whoami' },
    ];
    for (const c of cases) {
      await page.getByLabel('Subject kind').selectOption({ label: c.kind });
      await page.getByLabel('Subject', { exact: true }).selectOption({ label: c.pick });
      await page.getByLabel('Resource').selectOption(c.resource);
      await page.getByLabel('Action').selectOption(c.action);
      if (c.tool !== undefined) await page.getByLabel('Tool (optional)').selectOption(c.tool);
      await page.getByRole('button', { name: 'Check' }).click();
      const rest = await restSimulate(mesh, adminKey, { subject: c.subject, resource: c.resource, action: c.action, ...(c.tool === undefined ? {} : { target: c.tool }) });
      expect(rest).toMatchObject({ allowed: c.allowed, reason: c.reason, role: 'ci-reader' });
      const verdict = page.getByTestId('verdict');
      await expect(verdict.locator('.verdict-title')).toHaveText(c.allowed ? 'Allowed' : 'Denied');
      await expect(verdict.getByTestId('verdict-reason')).toHaveText(rest.reason);
      await expect(verdict).toContainText(rest.matched_permission ?? 'none');
    }

    // Deleting a role in use is refused, with who holds it; the role stays.
    await page.getByRole('button', { name: 'Delete role ci-reader' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete role ci-reader?' });
    await expect(dialog).toContainText('still held by 2');
    await dialog.getByRole('button', { name: 'Delete role' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Role ci-reader was not deleted' });
    await expect(refused).toContainText(`role ci-reader is in use by user alice, API key ${ciKey.id}`);
    await expect(refused).toContainText('CONFLICT');
    expect(mesh.services.roles.get('ci-reader').version).toBe(2);

    // Once nobody holds it (alice moved back, the key revoked), it goes after confirmation.
    await page.getByTestId('holder-alice').getByLabel('Role of alice').selectOption('viewer');
    await expect(page.getByRole('status').filter({ hasText: 'alice: role ci-reader → viewer' })).toBeVisible();
    await expect(page.getByText('No user holds ci-reader.')).toBeVisible();
    mesh.services.apiKeys.revoke(ciKey.id);
    await page.getByTestId('role-ci-reader').click();
    await page.getByRole('button', { name: 'Delete role ci-reader' }).click();
    await page.getByRole('dialog', { name: 'Delete role ci-reader?' }).getByRole('button', { name: 'Delete role' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Deleted role ci-reader' })).toBeVisible();
    await expect(page.getByTestId('role-ci-reader')).toHaveCount(0);
    expect(mesh.services.roles.list().map((r) => r.name)).toEqual(['admin', 'user', 'viewer']);

    const events = mesh.core.audit.query({ subject }).events.filter((e) => e.event_type.startsWith('role_') || e.event_type === 'user_role_changed');
    expect(events.map((e) => `${e.event_type} ${e.resource} ${e.result}`).sort()).toEqual([
      'role_created role:ci-reader success',
      'role_deleted role:ci-reader success',
      'role_updated role:ci-reader success',
      'user_role_changed user:alice success',
      'user_role_changed user:alice success',
    ]);
    const [updated] = mesh.core.audit.query({ event_type: 'role_updated' }).events;
    expect(updated?.metadata).toMatchObject({ before: { permissions: [], version: 1 }, after: { permissions: ['contexts:read', 'audit:*', 'tools:execute:context_get'], version: 2 } });
    expect(alice.id).toBe(mesh.services.users.require('alice').id);
    expect(bridge.internalErrors).toEqual([]);
  });

  test('shows built-in roles read-only: their grants and what those imply, with nothing to save or delete', async ({ openConsole }) => {
    const { page } = await openConsole();
    await page.getByRole('button', { name: 'Access control' }).click();
    await expect(page.getByTestId('role-admin')).toContainText('built-in · read-only');

    await page.getByTestId('role-admin').click();
    await expect(page.getByTestId('read-only')).toContainText('admin is a built-in role and cannot be changed; create a custom role instead');
    const matrix = page.getByTestId('permission-matrix');
    await expect(matrix.getByRole('checkbox', { name: '*:*', exact: true })).toBeChecked();
    await expect(matrix.getByRole('checkbox', { name: '*:*', exact: true })).toBeDisabled();
    await expect(matrix.getByRole('checkbox', { name: 'audit:read (granted by *:*)' })).toBeChecked();
    await expect(page.getByRole('button', { name: 'Review changes' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^Delete role/ })).toHaveCount(0);

    await page.getByTestId('role-viewer').click();
    await expect(matrix.getByRole('checkbox', { name: 'contexts:read', exact: true })).toBeChecked();
    await expect(matrix.getByRole('checkbox', { name: 'contexts:read', exact: true })).toBeDisabled();
    await expect(matrix.getByRole('checkbox', { name: 'contexts:write', exact: true })).not.toBeChecked();
    // Clicking or pressing Space on a read-only cell changes nothing.
    await matrix.getByRole('checkbox', { name: 'contexts:write', exact: true }).click({ force: true });
    await matrix.getByRole('checkbox', { name: 'contexts:read', exact: true }).focus();
    await page.keyboard.press('Space');
    await expect(matrix.getByRole('checkbox', { name: 'contexts:write', exact: true })).not.toBeChecked();
    await expect(matrix.getByRole('checkbox', { name: 'contexts:read', exact: true })).toBeChecked();
    await expect(page.getByTestId('tool-grants').getByRole('checkbox', { name: 'tools:execute:whoami', exact: true })).not.toBeChecked();
  });

  test('shows the error, with its code, when a role changed elsewhere cannot be saved or loaded', async ({ openConsole, testMesh }) => {
    const { mesh } = testMesh;
    const cli = localOperator('cli');
    mesh.services.roles.create(cli, { name: 'temp', permissions: ['contexts:read'] });
    const { page } = await openConsole();
    await page.getByRole('button', { name: 'Access control' }).click();
    await page.getByTestId('role-temp').click();
    await page.getByTestId('permission-matrix').getByRole('checkbox', { name: 'tools:read', exact: true }).check();

    // Someone deletes the role (CLI, REST) while it is being edited here: the save fails with the core's answer, the edits stay.
    mesh.services.roles.remove(cli, 'temp');
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const failed = page.getByRole('alert').filter({ hasText: 'Role temp was not saved' });
    await expect(failed).toContainText('no role "temp"');
    await expect(failed).toContainText('NOT_FOUND');
    await expect(page.getByTestId('permission-matrix').getByRole('checkbox', { name: 'tools:read', exact: true })).toBeChecked();
    expect(mesh.core.audit.query({ event_type: 'role_updated' }).events).toEqual([]);

    // Opening it again would drop the edits, so the console asks first; Cancel keeps them.
    await page.getByTestId('role-temp').click();
    const discard = page.getByRole('dialog', { name: 'Discard the unsaved changes to temp?' });
    await expect(discard.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(discard).toHaveCount(0);
    await expect(page.getByTestId('permission-matrix').getByRole('checkbox', { name: 'tools:read', exact: true })).toBeChecked();
    await page.getByTestId('role-temp').click();
    await discard.getByRole('button', { name: 'Discard changes' }).click();
    // The role is gone: the load error, with a way to retry.
    const missing = page.getByRole('alert').filter({ hasText: 'Role temp could not be loaded' });
    await expect(missing).toContainText('NOT_FOUND');
    await expect(missing.getByRole('button', { name: 'Try again' })).toBeVisible();
  });

  test('asks before another page drops unsaved edits; staying keeps them, discarding leaves them unsaved', async ({ openConsole, testMesh }) => {
    const { mesh } = testMesh;
    mesh.services.roles.create(localOperator('cli'), { name: 'drafty', permissions: ['contexts:read'] });
    const { page } = await openConsole();
    await page.getByRole('button', { name: 'Access control' }).click();
    await page.getByTestId('role-drafty').click();
    const toolsRead = page.getByTestId('permission-matrix').getByRole('checkbox', { name: 'tools:read', exact: true });
    await toolsRead.check();

    await page.getByRole('button', { name: 'Overview' }).click();
    const leave = page.getByRole('dialog', { name: 'Discard unsaved changes?' });
    await expect(leave).toContainText('the edits to role drafty');
    await expect(leave.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(leave).toHaveCount(0);
    await expect(page.getByRole('heading', { level: 1, name: 'Access control' })).toBeVisible();
    await expect(toolsRead).toBeChecked();

    await page.getByRole('button', { name: 'Overview' }).click();
    await leave.getByRole('button', { name: 'Discard and open Overview' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeFocused();
    expect(mesh.services.roles.get('drafty')).toMatchObject({ permissions: ['contexts:read'], version: 1 });

    // Nothing unsaved any more: moving on asks nothing.
    await page.getByRole('button', { name: 'Access control' }).click();
    await page.getByRole('button', { name: 'Audit', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeFocused();
  });
});
