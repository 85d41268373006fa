// The Overview page in Chromium over a real mesh: servers, counts, refusals the REST API recorded, certificate warnings, "Verify now", and the error state.
import type { Page } from '@playwright/test';
import { localOperator } from '../../src/main/core/auth/local-operator';
import type { Mesh } from '../../src/main/mesh';
import { expect, test } from './fixtures';
import { screenshotPath } from './support/screenshots';
import { restGet, restGetFrom } from './support/rest';

const CERT_ACTOR = { subject: 'cli:e2e', tenantId: 'default' };
const FIRST_RENDER_MARK = 'overview-data-visible';

async function overviewShown(page: Page): Promise<void> {
  await expect(page.getByTestId('overview')).toBeVisible();
}

async function refresh(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Refresh' }).click();
}

/** A viewer key asking for the user list: refused by RBAC and recorded as a denied authz_decision. */
async function provokeDenial(mesh: Mesh): Promise<string> {
  const { record, key } = mesh.services.apiKeys.create({ name: 'viewer script', role: 'viewer', tenantId: 'default', ownerId: null, createdBy: 'test', expiresInSeconds: undefined });
  expect(await restGet(mesh.urls.api, '/api/v1/users', key)).toBe(403);
  return record.id;
}

/** A request from a blocked loopback address: refused before anything else and recorded as ip_blocked. */
async function provokeBlockedRequest(mesh: Mesh): Promise<void> {
  mesh.services.blocklist.add('127.0.0.2', 'e2e: a noisy script', 'cli:e2e');
  expect(await restGetFrom('127.0.0.2', mesh.urls.api, '/api/v1/whoami')).toBe(403);
}

/** A server certificate that ends in 5 days (and the CA to issue it, unless the mesh has one). */
function issueShortLivedCertificate(mesh: Mesh): string {
  if (mesh.services.certs.list().every((c) => c.kind !== 'ca')) mesh.services.certs.createCa(CERT_ACTOR, { commonName: 'E2E Mesh CA' });
  return mesh.services.certs.issueServer(CERT_ACTOR, { commonName: 'short-lived.localhost', sans: ['short-lived.localhost'], days: 5 }).serial;
}

test.describe('Overview', () => {
  test('shows both servers, the counts and this mesh, and how long the first render took', async ({ openConsole, testMesh }) => {
    const { page, bridge } = await openConsole();
    await overviewShown(page);
    const { mesh } = testMesh;
    await expect(page.getByTestId('url-mcp')).toHaveText(mesh.urls.mcp);
    await expect(page.getByTestId('url-api')).toHaveText(mesh.urls.api);
    await expect(page.getByText('TLS off (plain HTTP)')).toHaveCount(2);
    await expect(page.getByTestId('count-users')).toHaveText('1');
    await expect(page.getByTestId('count-roles')).toHaveText('3');
    await expect(page.getByTestId('count-api_keys')).toHaveText('0');
    await expect(page.getByText(mesh.core.paths.dir)).toBeVisible();
    await expect(page.getByText('No denials recorded.')).toBeVisible();
    await expect(page.getByText('The chain has not been verified yet.')).toBeVisible();

    // Navigation start -> Overview data on screen, first load and a few reloads (the first pays for a cold renderer).
    const samples: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      if (i > 0) await page.reload();
      await overviewShown(page);
      samples.push(await page.evaluate((mark) => performance.getEntriesByName(mark)[0]?.startTime ?? Number.NaN, FIRST_RENDER_MARK));
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    console.log(`time to first render of the Overview (navigation start -> data visible): first ${samples[0]?.toFixed(0)} ms, median of ${samples.length} ${median.toFixed(0)} ms [${samples.map((s) => s.toFixed(0)).join(', ')}]`);
    test.info().annotations.push({ type: 'overview-first-render-ms', description: `first ${samples[0]?.toFixed(0)}, median ${median.toFixed(0)}` });
    expect(median).toBeGreaterThan(0);
    expect(bridge.internalErrors).toEqual([]);
  });

  test('lists a request refused by RBAC under recent denials, and a blocked address under rate-limit hits', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    await overviewShown(page);
    const keyId = await provokeDenial(testMesh.mesh);
    await provokeBlockedRequest(testMesh.mesh);
    await refresh(page);

    const denials = page.getByRole('region', { name: 'Recent denials' });
    await expect(denials.getByRole('row').filter({ hasText: `key:${keyId}` })).toContainText('authz_decision');
    await expect(denials.getByRole('row').filter({ hasText: `key:${keyId}` })).toContainText('users:read');
    const hits = page.getByRole('region', { name: 'Rate-limit and blocklist hits' });
    await expect(hits.getByRole('row').filter({ hasText: 'ip_blocked' })).toContainText('127.0.0.2');
    await expect(page.getByTestId('count-api_keys')).toHaveText('1');

    // "In Audit" opens the trail filtered to that subject, with the denial itself open.
    const [denial] = testMesh.mesh.core.audit.query({ event_type: 'authz_decision', subject: `key:${keyId}`, result: 'denied' }).events;
    await denials.getByRole('button', { name: `Show event ${denial?.seq} and key:${keyId}'s other events in Audit` }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
    await expect(page.getByLabel('Subject')).toHaveValue(`key:${keyId}`);
    await expect(page.getByTestId('audit-detail').getByRole('heading', { level: 2 })).toHaveText(`Event ${denial?.seq.toLocaleString('en-US')}`);
    await expect(page.getByTestId('audit-raw')).toContainText('"result": "denied"');
    const rows = page.getByRole('grid', { name: 'Audit events, newest first' }).getByRole('row');
    await expect(rows.nth(1)).toContainText(`key:${keyId}`);
    expect(await rows.filter({ hasNotText: `key:${keyId}` }).count()).toBe(1);
  });

  test('warns about a certificate that ends within 30 days', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    await overviewShown(page);
    await expect(page.getByText('No certificate has ended or ends within 30 days.')).toBeVisible();
    const serial = issueShortLivedCertificate(testMesh.mesh);
    await refresh(page);
    const warning = page.getByTestId('certificate-warnings').getByRole('listitem').filter({ hasText: 'short-lived.localhost' });
    await expect(warning).toContainText('Expiring');
    await expect(warning).toContainText('in 5 days');
    await expect(warning).toContainText(serial);
    await expect(page.getByTestId('count-certificates')).toHaveText('2');
  });

  test('verifies the audit chain on demand, as the console operator, and the next load shows it', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    await overviewShown(page);
    await page.getByRole('button', { name: 'Verify now' }).click();
    const chain = page.getByTestId('audit-chain');
    await expect(chain).toContainText(/Chain verified: \d+ events checked/);
    await expect(chain.getByText('OK', { exact: true })).toBeVisible();

    // The action was authorized and recorded under the console's own subject, like a REST call.
    const subject = localOperator('console').subject;
    const { audit } = testMesh.mesh.core;
    expect(audit.query({ event_type: 'audit_verified' }).events.map((e) => [e.subject, e.result])).toEqual([[subject, 'success']]);
    expect(audit.query({ event_type: 'authz_decision', subject }).events.some((e) => e.action === 'read' && e.resource === 'audit:read')).toBe(true);

    await page.reload();
    await expect(page.getByTestId('audit-chain')).toContainText(`by ${subject}`);
  });

  test('shows an error with a retry, not a blank page, when the mesh does not answer', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    await overviewShown(page);
    await testMesh.mesh.stop();
    await page.reload();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('The overview could not be loaded');
    await expect(alert).toContainText('INTERNAL');
    await expect(alert.getByRole('button', { name: 'Try again' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  });
});

test.describe('Overview with the MCP server on TLS', () => {
  test.use({ meshTls: ['mcp'] });

  test('shows TLS on with the serving certificate and its expiry for the MCP server, off for the REST API', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    await overviewShown(page);
    expect(testMesh.mesh.urls.mcp).toMatch(/^https:/);
    const mcp = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'MCP server' }) });
    await expect(mcp).toContainText('TLS on');
    await expect(mcp).toContainText(`certificate ${testMesh.servingSerial}`);
    await expect(mcp).toContainText(/expires \w{3} \d+, \d{4}/);
    await expect(mcp).toContainText('mesh CA');
    const api = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'REST API' }) });
    await expect(api).toContainText('TLS off (plain HTTP)');
  });

  test('captures the populated Overview, light and dark', async ({ openConsole, testMesh }) => {
    const { mesh } = testMesh;
    await provokeDenial(mesh);
    await provokeBlockedRequest(mesh);
    issueShortLivedCertificate(mesh);
    const { page } = await openConsole();
    await overviewShown(page);
    await page.getByRole('button', { name: 'Verify now' }).click();
    await expect(page.getByTestId('audit-chain')).toContainText('Chain verified');
    await page.screenshot({ path: screenshotPath('overview.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: screenshotPath('overview-dark.png'), fullPage: true });
  });
});
