// The "Keys & identities" page in Chromium over a real mesh: a key created (shown once, working, revoked and refused), users managed with the last-admin guard rail, JWT rotation and lockdown, each destructive step confirmed in the modal dialog — all audited as the console.
import { localOperator } from '../../src/main/core/auth/local-operator';
import { expect, test } from './fixtures';
import { restGet } from './support/rest';
import { screenshotPath } from './support/screenshots';

const RAW_KEY = /^dmk_[0-9A-Za-z]{16}_[0-9A-Za-z]{43}$/;
const subject = localOperator('console').subject;

test.describe('Keys & identities', () => {
  test('creates a key shown once that works, then revokes it and it is refused', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    const { mesh } = testMesh;
    await page.getByRole('button', { name: 'Keys & identities' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Keys & identities' })).toBeFocused();
    await expect(page.getByText('No API keys yet.')).toBeVisible();

    await page.getByLabel('Key name').fill('ci-bot');
    await page.locator('#key-role').selectOption('viewer');
    await page.getByLabel('Expires after').selectOption('30d');
    await page.getByRole('button', { name: 'Create key' }).click();

    const notice = page.getByTestId('new-key');
    await expect(notice).toContainText('shown only this once');
    const key = (await page.getByTestId('api-key').textContent()) ?? '';
    expect(key).toMatch(RAW_KEY);
    const [record] = mesh.services.apiKeys.list({ tenantId: 'default' });
    expect(record).toMatchObject({ name: 'ci-bot', role: 'viewer', created_by: subject });
    expect(record?.expires_at).not.toBeNull();
    const row = page.getByTestId(`key-${record?.id}`);
    await expect(row).toContainText('viewer');
    await expect(row).toContainText('active');

    // The key works against the running REST API.
    expect(await restGet(mesh.urls.api, '/api/v1/whoami', key)).toBe(200);

    await notice.getByRole('button', { name: 'I have stored it — hide the key' }).click();
    await expect(page.getByTestId('api-key')).toHaveCount(0);
    expect(await page.content()).not.toContain(key);

    // Revoking asks first in the modal: focus on Cancel, and Cancel or Escape changes nothing.
    const revoke = page.getByRole('dialog', { name: 'Revoke "ci-bot"?' });
    await row.getByRole('button', { name: 'Revoke ci-bot' }).click();
    await expect(revoke).toBeVisible();
    await expect(revoke.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await revoke.getByRole('button', { name: 'Cancel' }).click();
    await expect(revoke).toHaveCount(0);
    await row.getByRole('button', { name: 'Revoke ci-bot' }).click();
    await page.keyboard.press('Escape');
    await expect(revoke).toHaveCount(0);
    expect(mesh.services.apiKeys.list({ tenantId: 'default' })[0]?.revoked_at).toBeNull();
    expect(await restGet(mesh.urls.api, '/api/v1/whoami', key)).toBe(200);
    await row.getByRole('button', { name: 'Revoke ci-bot' }).click();
    await expect(revoke).toContainText(record?.id as string);
    await revoke.getByRole('button', { name: 'Revoke key' }).click();
    await expect(revoke).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: 'Revoked' })).toContainText(`Revoked ${record?.id} "ci-bot"`);
    await expect(row).toContainText('revoked');
    await expect(row.getByRole('button', { name: 'Revoke ci-bot' })).toHaveCount(0);
    expect(await restGet(mesh.urls.api, '/api/v1/whoami', key)).toBe(401);

    const { audit } = mesh.core;
    expect(audit.query({ event_type: 'api_key_created' }).events.map((e) => ({ subject: e.subject, resource: e.resource }))).toEqual([{ subject, resource: `api_key:${record?.id}` }]);
    expect(audit.query({ event_type: 'api_key_revoked' }).events.map((e) => ({ subject: e.subject, resource: e.resource }))).toEqual([{ subject, resource: `api_key:${record?.id}` }]);
    expect(audit.query({ event_type: 'authz_decision', subject, resource: 'api_keys:delete' }).events.map((e) => e.result)).toEqual(['success']);
  });

  test('creates a user, changes the role, disables them, resets the password, and refuses to demote the last admin', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    const { mesh } = testMesh;
    await page.getByRole('button', { name: 'Keys & identities' }).click();

    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await page.locator('#user-role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create user' }).click();
    const alice = page.getByTestId('user-alice');
    await expect(alice).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Created alice' })).toBeVisible();
    await expect(alice.getByLabel('Role of alice')).toHaveValue('viewer');

    await alice.getByLabel('Role of alice').selectOption('user');
    await expect(page.getByRole('status').filter({ hasText: 'alice: role viewer → user' })).toBeVisible();
    expect(mesh.services.users.require('alice').role).toBe('user');

    const disable = page.getByRole('dialog', { name: 'Disable alice?' });
    await alice.getByRole('button', { name: 'Disable alice' }).click();
    await expect(disable.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(disable).toHaveCount(0);
    expect(mesh.services.users.require('alice').disabled).toBe(false);
    await alice.getByRole('button', { name: 'Disable alice' }).click();
    await disable.getByRole('button', { name: 'Disable user' }).click();
    await expect(disable).toHaveCount(0);
    await expect(alice).toContainText('disabled');
    expect(mesh.services.users.require('alice').disabled).toBe(true);
    await expect(alice.getByRole('button', { name: 'Enable alice' })).toBeVisible();

    // Resetting the password: confirmed in the modal, which holds the new password (Set password waits for one).
    const reset = page.getByRole('dialog', { name: 'Reset the password of alice?' });
    await alice.getByRole('button', { name: 'Reset password' }).click();
    await expect(reset.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expect(reset.getByRole('button', { name: 'Set password' })).toBeDisabled();
    // Refused (too short): the reason shown inside the dialog, which stays open with the password to fix.
    await reset.getByLabel('New password for alice').fill('x');
    await reset.getByLabel('New password for alice').press('Enter');
    await expect(reset.getByRole('alert')).toContainText('The password of alice was not reset');
    await expect(reset.getByLabel('New password for alice')).toHaveValue('x');
    await reset.getByLabel('New password for alice').fill('another long passphrase');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await expect(reset).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: 'alice: password reset' })).toBeVisible();

    // The guard rail: the only active admin cannot be demoted; the error is shown and nothing changes.
    await page.getByTestId('user-admin').getByLabel('Role of admin').selectOption('viewer');
    const alert = page.getByRole('alert').filter({ hasText: 'was not changed' });
    await expect(alert).toContainText('admin is the last active admin and cannot be demoted');
    await expect(alert).toContainText('CONFLICT');
    await expect(page.getByTestId('user-admin').getByLabel('Role of admin')).toHaveValue('admin');
    expect(mesh.services.users.require('admin').role).toBe('admin');

    const events = mesh.core.audit.query({ subject }).events.filter((e) => e.event_type.startsWith('user_'));
    expect(events.map((e) => `${e.event_type} ${e.resource}`).sort()).toEqual(['user_created user:alice', 'user_disabled user:alice', 'user_password_reset user:alice', 'user_role_changed user:alice']);
  });

  test('rotates the JWT signing key after confirmation', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    await page.getByRole('button', { name: 'Keys & identities' }).click();
    const before = testMesh.mesh.services.jwt.currentKid();
    const dialog = page.getByRole('dialog', { name: 'Rotate the JWT signing key?' });
    await page.getByRole('button', { name: 'Rotate JWT signing key' }).click();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    expect(testMesh.mesh.services.jwt.currentKid()).toBe(before);
    await page.getByRole('button', { name: 'Rotate JWT signing key' }).click();
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    await expect(dialog).toHaveCount(0);
    const kid = testMesh.mesh.services.jwt.currentKid();
    expect(kid).not.toBe(before);
    await expect(page.getByRole('status').filter({ hasText: 'Signing key rotated' })).toContainText(kid);
    expect(testMesh.mesh.core.audit.query({ event_type: 'jwt_key_rotated' }).events.map((e) => e.subject)).toEqual([subject]);
  });

  test('refuses to rotate a master key that comes from ENCRYPTION_MASTER_KEY, saying how, after confirmation', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    await page.getByRole('button', { name: 'Keys & identities' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the master key?' });
    await page.getByRole('button', { name: 'Rotate master key' }).click();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await dialog.getByRole('button', { name: 'Rotate master key now' }).click();
    await expect(dialog).toHaveCount(0);
    const alert = page.getByRole('alert').filter({ hasText: 'The master key was not rotated' });
    await expect(alert).toContainText('devmesh rotate-master-key --new-key-stdin');
    await expect(alert).toContainText('VALIDATION_FAILED');
    expect(testMesh.mesh.core.keyVersion()).toBe(1);
  });

  test('locks down only after LOCKDOWN is typed, revoking every key, and shows the counts', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    const { mesh } = testMesh;
    await page.getByRole('button', { name: 'Keys & identities' }).click();
    for (const name of ['agent-1', 'agent-2']) {
      await page.getByLabel('Key name').fill(name);
      await page.getByRole('button', { name: 'Create key' }).click();
      await expect(page.getByTestId('api-key')).toBeVisible();
    }
    const key = (await page.getByTestId('api-key').textContent()) ?? '';
    expect(await restGet(mesh.urls.api, '/api/v1/whoami', key)).toBe(200);

    // The typed confirmation lives in the modal: Cancel first (focused), Escape cancels, the confirm button waits for LOCKDOWN.
    const dialog = page.getByRole('dialog', { name: 'Lock down the mesh?' });
    const lockdownButton = dialog.getByRole('button', { name: 'Lock down now' });
    await page.getByRole('button', { name: 'Lock down…' }).click();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expect(lockdownButton).toBeDisabled();
    await dialog.getByLabel('Type LOCKDOWN to confirm').fill('lockdown');
    await expect(lockdownButton).toBeDisabled();
    // Enter in the field does nothing either while the word is wrong.
    await dialog.getByLabel('Type LOCKDOWN to confirm').press('Enter');
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    expect(await restGet(mesh.urls.api, '/api/v1/whoami', key)).toBe(200);
    // Reopened, the typed word starts empty again.
    await page.getByRole('button', { name: 'Lock down…' }).click();
    await expect(dialog.getByLabel('Type LOCKDOWN to confirm')).toHaveValue('');
    await dialog.getByLabel('Type LOCKDOWN to confirm').fill('LOCKDOWN');
    await dialog.getByLabel('Also refuse logins of everyone but admins').check();
    await expect(lockdownButton).toBeEnabled();
    // The whole page in the viewport, so the open dialog's backdrop covers all of it in the picture.
    await page.setViewportSize({ width: 1200, height: await page.evaluate(() => document.documentElement.scrollHeight) });
    await page.screenshot({ path: screenshotPath('keys.png') });
    await lockdownButton.click();
    await expect(dialog).toHaveCount(0);

    await expect(page.getByTestId('lockdown-result')).toContainText('Lockdown done: 2 API keys and 0 sessions revoked; every access token is now invalid; only admins can log in.');
    // The shown key went with the lockdown too.
    await expect(page.getByTestId('api-key')).toHaveCount(0);
    await expect(page.getByTestId('keys-table').getByText('revoked')).toHaveCount(2);
    expect(await restGet(mesh.urls.api, '/api/v1/whoami', key)).toBe(401);
    expect(mesh.core.audit.query({ event_type: 'lockdown' }).events.map((e) => ({ subject: e.subject, keys: e.metadata?.keys_revoked }))).toEqual([{ subject, keys: 2 }]);
  });

  test('refuses a key name over 100 characters with the reason, and creates nothing', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    await page.getByRole('button', { name: 'Keys & identities' }).click();
    await page.getByLabel('Key name').evaluate((el) => el.removeAttribute('maxlength'));
    await page.getByLabel('Key name').fill('k'.repeat(101));
    await page.getByRole('button', { name: 'Create key' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The key was not created' });
    await expect(alert).toContainText('VALIDATION_FAILED');
    await expect(page.getByTestId('api-key')).toHaveCount(0);
    expect(testMesh.mesh.services.apiKeys.list({ tenantId: 'default' })).toEqual([]);
  });
});
