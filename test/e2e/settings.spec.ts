// The Settings page in Chromium over a real mesh: a CORS origin and rate limits saved from the page apply to the running REST server's next request and are audited; invalid values show field errors and save nothing; a port change waits for a restart and can be reset.
import type { Page } from '@playwright/test';
import { localOperator } from '../../src/main/core/auth/local-operator';
import { expect, test } from './fixtures';
import { screenshotPath } from './support/screenshots';
import { freePort } from '../helpers/ports';

const ORIGIN = 'http://localhost:5173';
const subject = localOperator('console').subject;

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeFocused();
  await expect(page.getByTestId('settings-page')).toBeVisible();
}

function section(page: Page, name: string) {
  return page.getByRole('region', { name });
}

async function healthFrom(apiUrl: string, origin?: string): Promise<{ status: number; allowOrigin: string | null }> {
  const response = await fetch(`${apiUrl}/health`, { headers: origin === undefined ? {} : { origin } });
  await response.arrayBuffer();
  return { status: response.status, allowOrigin: response.headers.get('access-control-allow-origin') };
}


test.describe('Settings', () => {
  test('a CORS origin and rate limits saved from the page apply to the running REST server at once, and are audited', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    const { mesh } = testMesh;
    await openSettings(page);
    expect(await healthFrom(mesh.urls.api, ORIGIN)).toEqual({ status: 403, allowOrigin: null });

    const cors = section(page, 'CORS origins');
    await expect(cors.getByText('No origins: a request that carries an Origin header')).toBeVisible();
    await cors.getByRole('button', { name: 'Add origin' }).click();
    await expect(cors.getByRole('textbox', { name: 'Origin 1', exact: true })).toBeFocused();
    await page.keyboard.type(ORIGIN);
    await expect(cors.getByText(`Allowed origins: (none) → ${ORIGIN}`)).toBeVisible();
    await cors.getByRole('button', { name: 'Save CORS origins' }).click();
    await expect(cors.getByRole('status')).toContainText('Saved and applied now, no restart needed.');
    await expect(cors.getByRole('status')).toContainText(`Allowed origins: (none) → ${ORIGIN}`);
    await expect(cors.getByText('set in the console')).toBeVisible();
    // The running server answers that origin on its very next request.
    expect(await healthFrom(mesh.urls.api, ORIGIN)).toEqual({ status: 200, allowOrigin: ORIGIN });

    const limits = section(page, 'Rate limits');
    await limits.getByLabel('Requests per second per address').fill('1');
    await limits.getByLabel('Burst per address').fill('2');
    await expect(limits.getByText('Burst per address: 1000000 → 2')).toBeVisible();
    await limits.getByRole('button', { name: 'Save rate limits' }).click();
    await expect(limits.getByRole('status')).toContainText('Burst per address: 1000000 → 2');
    expect(mesh.services.settings.get()).toMatchObject({ 'rate_limit.ip_rps': 1, 'rate_limit.ip_burst': 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await healthFrom(mesh.urls.api)).status);
    expect(statuses).toEqual([200, 200, 429]);

    const changes = mesh.core.audit.query({ event_type: 'settings_changed' }).events.map((e) => ({ subject: e.subject, resource: e.resource, metadata: e.metadata }));
    expect(changes).toEqual([
      { subject, resource: 'settings', metadata: { before: { 'rate_limit.ip_rps': 1_000_000, 'rate_limit.ip_burst': 1_000_000 }, after: { 'rate_limit.ip_rps': 1, 'rate_limit.ip_burst': 2 }, actor_tenant: 'default' } },
      { subject, resource: 'settings', metadata: { before: { 'cors.allowed_origins': [] }, after: { 'cors.allowed_origins': [ORIGIN] }, actor_tenant: 'default' } },
    ]);
    expect(mesh.core.audit.query({ event_type: 'authz_decision', subject, resource: 'settings:write' }).events.map((e) => e.result)).toEqual(['success', 'success']);
  });

  test('an invalid port, a wildcard origin or TLS without a certificate show the problem at the field and save nothing', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    const { mesh } = testMesh;
    await openSettings(page);

    const network = section(page, 'Network');
    await network.getByLabel('REST API port').fill('70000');
    await expect(network.getByText('"70000" is not a port: use a whole number from 1 to 65535 (0 picks a free port)')).toBeVisible();
    await expect(network.getByLabel('REST API port')).toHaveAttribute('aria-invalid', 'true');
    await network.getByRole('button', { name: 'Save network settings' }).click();
    await expect(network.getByRole('alert')).toHaveText('Nothing was saved: fix the fields marked above first.');
    await expect(network.getByLabel('REST API port')).toBeFocused();

    const cors = section(page, 'CORS origins');
    await cors.getByRole('button', { name: 'Add origin' }).click();
    await expect(cors.getByRole('textbox', { name: 'Origin 1', exact: true })).toBeFocused();
    await page.keyboard.type('*');
    await expect(cors.getByText('"*" would allow every site; list the exact origins instead')).toBeVisible();
    await cors.getByRole('button', { name: 'Save CORS origins' }).click();
    await expect(cors.getByRole('alert')).toHaveText('Nothing was saved: fix the fields marked above first.');
    await expect(cors.getByRole('textbox', { name: 'Origin 1', exact: true })).toBeFocused();
    await cors.getByRole('button', { name: 'Remove origin 1 (*)' }).click();
    await expect(cors.getByText('No origins: a request that carries an Origin header')).toBeVisible();

    // The page has nothing against it; main refuses (no certificate) and the message lands at the field.
    const tls = section(page, 'TLS — REST API server');
    await expect(tls.getByTestId('no-cert-api')).toBeVisible();
    await tls.getByLabel('REST API: serve HTTPS').check();
    await tls.getByRole('button', { name: 'Save REST API TLS settings' }).click();
    await expect(tls.getByRole('alert')).toContainText('Nothing was saved');
    await expect(tls.getByText(/setting tls\.api\.enabled: the API server has no certificate to serve; choose one on the Certificates page/).first()).toBeVisible();

    expect(mesh.services.settings.overridden()).toEqual([]);
    expect(mesh.core.audit.query({ event_type: 'settings_changed' }).events).toEqual([]);

    // The edits still on the page (the port, HTTPS) are not lost silently: another page asks first.
    await page.getByRole('button', { name: 'Overview' }).click();
    const leave = page.getByRole('dialog', { name: 'Discard unsaved changes?' });
    await expect(leave.getByRole('listitem')).toHaveText(['the Network settings', 'the TLS — REST API server settings']);
    await leave.getByRole('button', { name: 'Discard and open Overview' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeFocused();
    expect(mesh.services.settings.overridden()).toEqual([]);
  });

  test('a port change is saved for the next start, shows running and pending values, and resets to the environment', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    const { mesh } = testMesh;
    await openSettings(page);
    const port = await freePort();

    const network = section(page, 'Network');
    const mcpPort = network.getByTestId('setting-network.mcp_port');
    await expect(mcpPort).toContainText('from MCP_PORT');
    await network.getByLabel('MCP port').fill(String(port));
    await expect(network.getByText(`MCP port: 0 → ${port}`)).toBeVisible();
    await network.getByRole('button', { name: 'Save network settings' }).click();
    await expect(network.getByRole('status')).toHaveText(`Saved for the next start: restart the mesh to apply.MCP port: 0 → ${port}`);
    await expect(page.getByTestId('pending-network.mcp_port')).toHaveText(`restart to apply: ${port}`);
    await expect(mcpPort).toContainText('Running: 0');
    await expect(network.getByTestId('restart-network')).toContainText(`MCP port (running 0, saved ${port})`);
    // Nothing moved: the server still answers where it started.
    expect(mesh.startup['network.mcp_port']).toBe(0);
    expect((await fetch(`${mesh.urls.mcp}/health`)).status).toBe(200);
    const [event] = mesh.core.audit.query({ event_type: 'settings_changed' }).events;
    expect(event).toMatchObject({ subject, metadata: { before: { 'network.mcp_port': 0 }, after: { 'network.mcp_port': port }, restart_required: ['network.mcp_port'] } });
    await page.screenshot({ path: screenshotPath('settings.png'), fullPage: true });

    await mcpPort.getByRole('button', { name: 'Reset to environment (MCP_PORT=0)' }).click();
    await expect(network.getByRole('status')).toContainText(`Reset to the environment for the next start: restart the mesh to apply.MCP port: ${port} → 0`);
    await expect(page.getByTestId('pending-network.mcp_port')).toHaveCount(0);
    await expect(mcpPort).toContainText('from MCP_PORT');
    expect(mesh.services.settings.overridden()).toEqual([]);
  });
});
