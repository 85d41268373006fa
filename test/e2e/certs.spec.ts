// The Certificates page in Chromium over a real mesh: CA creation, issuing (with the SAN editor and its errors), revocation, serving, export saved by main where the operator chose (cancel and failure too), and trust instructions.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { localOperator } from '../../src/main/core/auth/local-operator';
import type { MeshApi } from '../../src/shared/ipc/contract';
import { expect, test } from './fixtures';
import { screenshotPath } from './support/screenshots';

async function openCertificates(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Certificates' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Certificates' })).toBeVisible();
}

/** The SHA-256 fingerprint as the service lists it (AB:CD:...), to compare what was written with what was issued. */
function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function row(page: Page, serial: string) {
  return page.locator(`tr[data-serial="${serial}"]`);
}

test.describe('Certificates', () => {
  test('creates the CA, issues, revokes, serves and exports certificates, each audited as the console', async ({ openConsole, testMesh }) => {
    const { page, bridge } = await openConsole();
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

    // Export PEM: main asks where (title, offered name, filter), writes the bundle owner-only and the page says where.
    const details = page.getByRole('region', { name: /^Details:/ });
    const saved = page.getByRole('status').filter({ hasText: /^Saved to / });
    const exportButton = page.getByRole('button', { name: 'Export…', exact: true });
    const exportEvents = (): number => mesh.core.audit.query({ event_type: 'certificate_exported' }).events.length;
    await page.getByLabel('Export as').selectOption('pem');
    await exportButton.click();
    const pemPath = join(bridge.saveDir, `${serverSerial}.pem`);
    await expect(saved).toHaveText(`Saved to ${pemPath} (it holds the private key: keep it private)`);
    expect(bridge.saveDialogs).toEqual([{ title: `Export the certificate ${issued?.subject_cn as string}`, defaultName: `${serverSerial}.pem`, filters: [{ name: 'PEM bundle', extensions: ['pem'] }] }]);
    const pem = readFileSync(pemPath, 'utf8');
    expect(mode(pemPath)).toBe(0o600);
    // The certificate first (what openssl and Node read), its chain (the CA), then its own private key.
    expect(pem.startsWith('-----BEGIN CERTIFICATE-----')).toBe(true);
    expect(fingerprint(pem)).toBe(issued?.sha256);
    expect(execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', pemPath], { encoding: 'utf8' })).toContain(`Fingerprint=${issued?.sha256 as string}`);
    expect(pem).toContain(mesh.services.certs.currentCaPem().pem.trim());
    expect(new X509Certificate(pem).checkPrivateKey(createPrivateKey(pem))).toBe(true);
    expect(exportEvents()).toBe(1);

    // The channel's answer is where the file went, never its content: no key crosses into the renderer.
    bridge.answerSave = () => join(bridge.saveDir, 'direct.pem');
    const answer = await page.evaluate((serial) => (globalThis as unknown as { mesh: MeshApi }).mesh.certsExport({ serial, format: 'pem' }), serverSerial);
    expect(answer).toEqual({ ok: true, value: { saved: true, path: join(bridge.saveDir, 'direct.pem'), bytes: Buffer.byteLength(pem), serial: serverSerial, format: 'pem', key_included: true } });
    expect(JSON.stringify(answer)).not.toContain('PRIVATE KEY');

    // Cancelled in the dialog: nothing written, nothing exported or audited, nothing alarming said.
    bridge.answerSave = () => undefined;
    const before = readdirSync(bridge.saveDir).sort();
    await exportButton.click();
    await expect.poll(() => bridge.saveDialogs.length).toBe(3);
    await expect(exportButton).toBeEnabled();
    await expect(saved).toHaveCount(0);
    await expect(page.locator('.cert-notice')).toHaveText('');
    await expect(details.getByRole('alert')).toHaveCount(0);
    expect(readdirSync(bridge.saveDir).sort()).toEqual(before);
    expect(exportEvents()).toBe(2);

    // A folder that does not exist: a clear error naming the path; no file, no export made.
    const unwritable = join(bridge.saveDir, 'missing-folder', `${serverSerial}.pem`);
    bridge.answerSave = () => unwritable;
    await exportButton.click();
    await expect(details.getByRole('alert')).toHaveText(`could not save ${unwritable}: the folder does not exist (BAD_REQUEST)`);
    await expect(saved).toHaveCount(0);
    expect(readdirSync(bridge.saveDir).sort()).toEqual(before);
    expect(exportEvents()).toBe(2);

    // Export PKCS#12: needs a password (refused before any dialog opens); opens with that password.
    bridge.answerSave = (target) => join(bridge.saveDir, target.defaultName);
    await page.getByLabel('Export as').selectOption('p12');
    await page.getByLabel('P12 password').fill('x');
    await exportButton.click();
    await expect(details.getByRole('alert')).toContainText('password');
    expect(bridge.saveDialogs).toHaveLength(4);
    await page.getByLabel('P12 password').fill('correct horse');
    await exportButton.click();
    const p12Path = join(bridge.saveDir, `${serverSerial}.p12`);
    await expect(saved).toHaveText(`Saved to ${p12Path} (it holds the private key: keep it private)`);
    expect(bridge.saveDialogs.at(-1)).toEqual({ title: `Export the certificate ${issued?.subject_cn as string}`, defaultName: `${serverSerial}.p12`, filters: [{ name: 'PKCS#12', extensions: ['p12'] }] });
    expect(mode(p12Path)).toBe(0o600);
    const opened = execFileSync('openssl', ['pkcs12', '-in', p12Path, '-passin', 'pass:correct horse', '-nodes'], { encoding: 'utf8' });
    expect(fingerprint(opened.slice(opened.indexOf('-----BEGIN CERTIFICATE-----')))).toBe(issued?.sha256);
    expect(opened).toContain('PRIVATE KEY');
    expect(() => execFileSync('openssl', ['pkcs12', '-in', p12Path, '-passin', 'pass:wrong password', '-nodes'], { stdio: 'pipe' })).toThrow();
    expect(exportEvents()).toBe(3);

    // Trust instructions: the per-OS commands, and the CA's certificate saved where the operator chooses.
    await page.getByRole('button', { name: 'Show trust instructions' }).click();
    await expect(page.getByTestId('trust-help')).toContainText('NODE_EXTRA_CA_CERTS=devmesh-ca.pem');
    await expect(page.getByTestId('trust-help')).toContainText(ca?.serial as string);
    await page.getByRole('button', { name: 'Save CA certificate (devmesh-ca.pem)…' }).click();
    const caPath = join(bridge.saveDir, 'devmesh-ca.pem');
    await expect(saved).toHaveText(`Saved to ${caPath}`);
    expect(bridge.saveDialogs.at(-1)).toEqual({ title: 'Save the mesh CA certificate', defaultName: 'devmesh-ca.pem', filters: [{ name: 'PEM certificate', extensions: ['pem'] }] });
    const caPem = readFileSync(caPath, 'utf8');
    expect(new X509Certificate(caPem).ca).toBe(true);
    expect(fingerprint(caPem)).toBe(ca?.sha256);
    expect(caPem).not.toContain('PRIVATE KEY');

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
