// The "Connect an agent" page in Chromium over a real mesh: a key created once (shown once, working, audited as the console), reused after, and refused input.
import { localOperator } from '../../src/main/core/auth/local-operator';
import { BRIDGE_KEY_ACCOUNT } from '../../src/shared/mcp-clients';
import { expect, test } from './fixtures';
import { readClipboard } from './support/clipboard';
import { screenshotPath } from './support/screenshots';
import { restGet } from './support/rest';

const RAW_KEY = /^dmk_[0-9A-Za-z]{16}_[0-9A-Za-z]{43}$/;

test.describe('Connect an agent', () => {
  test('creates a Cursor key once, shows it once with a warning and copy, and reuses it after', async ({ openConsole, testMesh, context, renderer }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(renderer.url).origin });
    const { page } = await openConsole();
    const { mesh } = testMesh;
    // Keyboard: the navigation is real buttons, and switching pages moves focus to the new page's heading.
    await page.getByRole('button', { name: 'Connect an agent' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Connect an agent' })).toBeFocused();

    await page.getByLabel('Client').selectOption({ label: 'Cursor' });
    await page.getByLabel('Role of a new key').selectOption('user');
    await page.getByRole('button', { name: 'Get key and setup' }).click();

    const notice = page.getByTestId('new-key');
    await expect(notice).toContainText('shown only this once');
    const key = (await page.getByTestId('api-key').textContent()) ?? '';
    expect(key).toMatch(RAW_KEY);
    const url = `${mesh.urls.mcp}/mcp`;
    const snippet = page.getByTestId('snippet');
    await expect(snippet).toContainText(url);
    await expect(snippet).toContainText('${env:DEVMESH_API_KEY}');
    await expect(snippet).not.toContainText('dmk_');
    await expect(page.getByRole('heading', { name: `Cursor → ${url}` })).toBeVisible();

    await notice.getByRole('button', { name: 'Copy key' }).click();
    await expect(notice.getByRole('status')).toHaveText('Copied');
    expect(await readClipboard(page)).toBe(key);

    await page.screenshot({ path: screenshotPath('connect.png'), fullPage: true });

    // The key works against the running REST API with the role asked for.
    expect(await restGet(mesh.urls.api, '/api/v1/whoami', key)).toBe(200);
    const [record] = mesh.services.apiKeys.list({ tenantId: 'default' });
    expect(record).toMatchObject({ name: 'mcp-cursor', role: 'user', created_by: localOperator('console').subject });

    // Authorized and recorded as the console operator, like the REST API and the CLI record it.
    const subject = localOperator('console').subject;
    const { audit } = mesh.core;
    expect(audit.query({ event_type: 'api_key_created' }).events.map((e) => ({ subject: e.subject, resource: e.resource, metadata: e.metadata }))).toEqual([
      { subject, resource: `api_key:${record?.id}`, metadata: { name: 'mcp-cursor', role: 'user', expires_at: null, client: 'cursor' } },
    ]);
    expect(audit.query({ event_type: 'authz_decision', subject, resource: 'api_keys:write' }).events.map((e) => e.result)).toEqual(['success']);

    // Hidden on request, and never shown again: the second setup reuses the key without its value.
    await notice.getByRole('button', { name: 'I have stored it — hide the key' }).click();
    await expect(page.getByTestId('api-key')).toHaveCount(0);
    await page.getByRole('button', { name: 'Get key and setup' }).click();
    await expect(page.getByTestId('reused-key')).toContainText(`Reusing API key ${record?.id} "mcp-cursor" (role user)`);
    await expect(page.getByTestId('api-key')).toHaveCount(0);
    expect(await page.content()).not.toContain(key);
    expect(mesh.services.apiKeys.list({ tenantId: 'default' })).toHaveLength(1);
  });

  test('forgets a shown key when the user leaves the page', async ({ openConsole }) => {
    const { page } = await openConsole();
    await page.getByRole('button', { name: 'Connect an agent' }).click();
    await page.getByLabel('Client').selectOption({ label: 'VS Code' });
    await page.getByRole('button', { name: 'Get key and setup' }).click();
    const key = (await page.getByTestId('api-key').textContent()) ?? '';
    expect(key).toMatch(RAW_KEY);
    await page.getByRole('button', { name: 'Overview' }).click();
    await page.getByRole('button', { name: 'Connect an agent' }).click();
    await expect(page.getByRole('heading', { name: /^VS Code → / })).toBeVisible();
    await expect(page.getByTestId('api-key')).toHaveCount(0);
    expect(await page.content()).not.toContain(key);
  });

  test('stores a new Claude Desktop key in the OS keychain for the bridge instead of showing it', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    await page.getByRole('button', { name: 'Connect an agent' }).click();
    await page.getByLabel('Client').selectOption({ label: 'Claude Desktop' });
    await page.getByLabel('Role of a new key').selectOption('viewer');
    await page.getByRole('button', { name: 'Get key and setup' }).click();
    await expect(page.getByText('stored it in the OS keychain')).toBeVisible();
    await expect(page.getByTestId('api-key')).toHaveCount(0);
    await expect(page.getByTestId('snippet')).toContainText('mcp-bridge');
    const [record] = testMesh.mesh.services.apiKeys.list({ tenantId: 'default' });
    expect(testMesh.keychain.entries.get(BRIDGE_KEY_ACCOUNT)).toMatch(new RegExp(`^dmk_${record?.id}_`));
  });

  test('refuses a key name over 100 characters with the reason, and creates nothing', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    await page.getByRole('button', { name: 'Connect an agent' }).click();
    await page.getByLabel('Key name (optional)').fill('k'.repeat(101));
    await page.getByRole('button', { name: 'Get key and setup' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('The client could not be set up');
    await expect(alert).toContainText('key_name: must be at most 100 characters');
    await expect(alert).toContainText('VALIDATION_FAILED');
    await expect(page.getByTestId('snippet')).toHaveCount(0);
    expect(testMesh.mesh.services.apiKeys.list({ tenantId: 'default' })).toEqual([]);
  });
});
