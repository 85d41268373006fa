// The Certificates page in Chromium over a real mesh: CA creation, issuing (with the SAN editor and its errors), revocation, serving, export as a download, and trust instructions.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { localOperator } from '../../src/main/core/auth/local-operator';
import { expect, test } from './fixtures';
import { screenshotPath } from './support/screenshots';

async function openCertificates(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Certificates' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Certificates' })).toBeVisible();
}

function row(page: Page, serial: string) {
  return page.locator(`tr[data-serial="${serial}"]`);
}

test.describe('Certificates', () => {
  test('creates the CA, issues, revokes, serves and exports certificates, each audited as the console', async ({ openConsole, testMesh }) => {
    const { page } = await openConsole();
    const { mesh } = testMesh;
    const subject = localOperator('console').subject;
    await openCertificates(page);

    // Empty state, then the CA.
    await expect(page.getByText('No CA yet — create one.')).toBeVisible();
    await page.getByRole('button', { name: 'Create CA' }).click();
    await expect(page.getByRole('button', { name: 'Rotate CA…' })).toBeVisible();
    const ca = mesh.services.certs.list().find((c) => c.is_current_ca);
    expect(ca).toBeDefined();

    // A server certificate with an extra SAN: listed as valid and shown in details.
    const server = page.getByRole('region', { name: 'Issue a server certificate' });
    await server.getByRole('button', { name: 'Add SAN' }).click();
    await server.getByRole('textbox', { name: 'SAN 4' }).fill('mesh.example.test');
    await server.getByRole('button', { name: 'Issue server certificate' }).click();
    await expect(page.getByRole('status').filter({ hasText: /^Issued server certificate/ })).toBeVisible();
    const issued = mesh.services.certs.list().find((c) => c.kind === 'server');
    expect(issued?.sans).toContain('DNS:mesh.example.test');
    const serverSerial = issued?.serial as string;
    await expect(row(page, serverSerial).getByText('Valid', { exact: true })).toBeVisible();
    await expect(page.getByTestId('cert-details')).toContainText('mesh.example.test');
    await expect(page.getByTestId('cert-details')).toContainText(issued?.sha256 as string);

    // A bad SAN: the service's validation message inline, nothing issued.
    await server.getByRole('textbox', { name: 'SAN 4' }).fill('bad..name');
    await server.getByRole('button', { name: 'Issue server certificate' }).click();
    await expect(server.getByRole('alert')).toContainText('bad..name');
    await expect(server.getByRole('alert')).toContainText('VALIDATION_FAILED');
    expect(mesh.services.certs.list().filter((c) => c.kind === 'server')).toHaveLength(1);

    // A client certificate bound to the viewer role.
    const client = page.getByRole('region', { name: 'Issue a client certificate' });
    await client.getByLabel('Common name').fill('ci-runner');
    // Bound to a user who does not exist: the service's NOT_FOUND inline.
    await client.getByRole('radio', { name: 'A user' }).check();
    await client.getByLabel('Username').fill('nobody');
    await client.getByRole('button', { name: 'Issue client certificate' }).click();
    await expect(client.getByRole('alert')).toContainText('no user "nobody"');
    await client.getByRole('radio', { name: 'A role' }).check();
    await client.getByLabel('Role', { exact: true }).selectOption('viewer');
    await client.getByRole('button', { name: 'Issue client certificate' }).click();
    await expect(page.getByTestId('cert-binding')).toHaveText('role viewer');
    const clientCert = mesh.services.certs.list().find((c) => c.kind === 'client');
    expect(clientCert).toMatchObject({ subject_cn: 'ci-runner', bound_role: 'viewer', status: 'valid' });

    // Revoke it, after a confirmation (cancel first: nothing happens).
    await page.getByRole('button', { name: 'Revoke…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke ci-runner?' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    expect(mesh.services.certs.get('default', clientCert?.serial as string).status).toBe('valid');
    await page.getByRole('button', { name: 'Revoke…' }).click();
    await dialog.getByLabel('Reason').selectOption('keyCompromise');
    await dialog.getByRole('button', { name: 'Revoke certificate' }).click();
    await expect(row(page, clientCert?.serial as string).getByText('Revoked', { exact: true })).toBeVisible();
    expect(mesh.services.certs.get('default', clientCert?.serial as string)).toMatchObject({ status: 'revoked', revocation_reason: 'keyCompromise' });

    // Serve the server certificate on both servers: marked in the list and the details.
    await page.getByRole('button', { name: `Details of ${issued?.subject_cn as string} (${serverSerial})` }).click();
    await page.getByLabel('Serve on').selectOption('both');
    await page.getByRole('button', { name: 'Use as serving certificate' }).click();
    await expect(row(page, serverSerial).getByText('Serving api + mcp')).toBeVisible();
    await expect(page.getByTestId('cert-serving')).toHaveText('api and mcp');
    expect(mesh.services.certs.serving()).toEqual({ api: serverSerial, mcp: serverSerial });

    // Revoking a serving certificate is refused with the service's message.
    await page.getByRole('button', { name: 'Revoke…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke certificate' }).click();
    await expect(page.getByRole('region', { name: /^Details:/ }).getByRole('alert')).toContainText('choose another first');

    // Export PEM: a download whose content is the certificate first.
    const downloading = page.waitForEvent('download');
    await page.getByLabel('Export as').selectOption('pem');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`${serverSerial}.pem`);
    const pem = readFileSync(await download.path(), 'utf8');
    expect(pem.startsWith('-----BEGIN CERTIFICATE-----')).toBe(true);

    // Export PKCS#12: needs a password; a binary download.
    await page.getByLabel('Export as').selectOption('p12');
    await page.getByLabel('P12 password').fill('x');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect(page.getByRole('region', { name: /^Details:/ }).getByRole('alert')).toContainText('password');
    await page.getByLabel('P12 password').fill('correct horse');
    const p12Downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const p12 = await p12Downloading;
    expect(p12.suggestedFilename()).toBe(`${serverSerial}.p12`);
    expect(readFileSync(await p12.path())[0]).toBe(0x30);

    // Trust instructions: the CA's PEM and per-OS commands.
    await page.getByRole('button', { name: 'Show trust instructions' }).click();
    await expect(page.getByTestId('trust-help')).toContainText('NODE_EXTRA_CA_CERTS=devmesh-ca.pem');
    await expect(page.getByTestId('trust-help')).toContainText(ca?.serial as string);

    await page.getByRole('button', { name: `Details of ${issued?.subject_cn as string} (${serverSerial})` }).click();
    await page.screenshot({ path: screenshotPath('certificates.png'), fullPage: true });

    // Every change recorded by the service as the console operator.
    const events = mesh.core.audit.query({ subject }).events.map((e) => e.event_type);
    for (const type of ['ca_created', 'certificate_issued', 'certificate_revoked', 'tls_certificate_selected', 'certificate_exported']) expect(events).toContain(type);
  });

  test('rotates the CA only after a confirmation, and marks a certificate ending within 30 days as expiring', async ({ openConsole, testMesh }) => {
    const { mesh } = testMesh;
    const actor = { subject: 'cli:e2e', tenantId: 'default' };
    const first = mesh.services.certs.createCa(actor).serial;
    const soon = mesh.services.certs.issueServer(actor, { sans: ['soon.localhost'], days: 5 }).serial;
    const { page } = await openConsole();
    await openCertificates(page);
    await expect(row(page, soon).getByText('Expiring', { exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Rotate CA…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the CA?' });
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    expect(mesh.services.certs.currentCaPem().serial).toBe(first);
    await page.getByRole('button', { name: 'Rotate CA…' }).click();
    await dialog.getByRole('button', { name: 'Rotate CA' }).click();
    await expect(page.getByRole('status').filter({ hasText: /^Rotated the CA/ })).toBeVisible();
    const current = mesh.services.certs.currentCaPem().serial;
    expect(current).not.toBe(first);
    await expect(page.getByRole('region', { name: 'Certificate authority' })).toContainText(current);
  });
});
