// The Audit page in Chromium over a real mesh: history and the live stream (batched through the real subscription path), filters, the event drawer, keyboard use, older pages on scroll, "Verify now" and export through the save dialog.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { localOperator } from '../../src/main/core/auth/local-operator';
import { loadCheckpointKey } from '../../src/main/core/audit/checkpoint';
import { verifyExportText } from '../../src/main/core/audit/verify-export';
import type { Mesh } from '../../src/main/mesh';
import { expect, test } from './fixtures';
import { screenshotPath } from './support/screenshots';

const operator = localOperator('console').subject;

async function openAudit(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeFocused();
  await expect(page.getByTestId('audit-live')).toContainText('Live');
}

function append(mesh: Mesh, count: number, fields: { subject: string; event_type?: string; result?: 'success' | 'denied' | 'failure'; resource?: string }): void {
  for (let i = 0; i < count; i += 1) {
    mesh.core.audit.append({ event_type: fields.event_type ?? 'e2e_probe', subject: fields.subject, action: 'probe', resource: fields.resource ?? `probe:${i}`, result: fields.result ?? 'success', metadata: { i, note: 'from the audit e2e test' } });
  }
}

const grid = (page: Page) => page.getByRole('grid', { name: 'Audit events, newest first' });
const rowsOf = (page: Page, text: string) => grid(page).getByRole('row').filter({ hasText: text });

test.describe('Audit', () => {
  test('shows the trail, follows it live, filters it, and opens an event with its stored line', async ({ openConsole, testMesh }) => {
    const { mesh } = testMesh;
    append(mesh, 3, { subject: 'user:history' });
    const { page, bridge } = await openConsole();
    await openAudit(page);
    await expect(rowsOf(page, 'user:history')).toHaveCount(3);

    // Live: events committed after the page opened arrive through the subscription, newest on top.
    append(mesh, 5, { subject: 'user:live', event_type: 'e2e_live' });
    await expect(rowsOf(page, 'user:live')).toHaveCount(5);
    await expect(grid(page).getByRole('row').nth(1)).toContainText('probe:4');
    // The five, and the authorization of the stream itself (recorded after the search's head).
    await expect(page.getByTestId('audit-live')).toContainText(/[56] arrived since opened/);
    expect(bridge.openSubscriptions()).toBe(1);

    // A filter applies to the history and to what arrives afterwards.
    await page.getByLabel('Subject').fill('user:live');
    await page.getByLabel('Result').selectOption('denied');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByText('No events match these filters')).toBeVisible();
    append(mesh, 2, { subject: 'user:live', result: 'denied', resource: 'secret:thing' });
    append(mesh, 2, { subject: 'user:other', result: 'denied' });
    await expect(rowsOf(page, 'secret:thing')).toHaveCount(2);
    await expect(rowsOf(page, 'user:other')).toHaveCount(0);
    expect(bridge.openSubscriptions()).toBe(1);

    // Free text reaches into metadata; Clear brings everything back.
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Text').fill('from the audit e2e');
    await page.keyboard.press('Enter');
    await expect(grid(page).getByRole('row')).toHaveCount(1 + 3 + 5 + 2 + 2);

    // Keyboard: focus the table, move down one, Enter opens that event; the drawer shows the stored line verbatim.
    await grid(page).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const drawer = page.getByTestId('audit-detail');
    await expect(drawer.getByRole('heading', { level: 2 })).toBeFocused();
    const seq = Number((await drawer.getByRole('heading', { level: 2 }).textContent())?.replace(/[^0-9]/g, ''));
    const stored = mesh.core.audit.query({ q: 'from the audit e2e', limit: 2 }).events[1];
    expect(seq).toBe(stored?.seq);
    const raw = JSON.parse((await page.getByTestId('audit-raw').textContent()) ?? '{}') as Record<string, unknown>;
    expect(raw).toMatchObject({ seq, subject: 'user:other', hash: stored?.hash, prev_hash: stored?.prev_hash, metadata: { note: 'from the audit e2e test' } });
    await expect(drawer).toContainText(stored?.hash ?? 'missing');
    await page.screenshot({ path: screenshotPath('audit.png') });
    await page.keyboard.press('Escape');
    await expect(drawer).toHaveCount(0);
    await expect(grid(page)).toBeFocused();

    // Reading the trail was authorized and recorded like any other console action; leaving the page ends the stream.
    expect(mesh.core.audit.query({ event_type: 'authz_decision', subject: operator, resource: 'audit:read' }).events.length).toBeGreaterThan(3);
    await page.getByRole('button', { name: 'Overview' }).click();
    await expect.poll(() => bridge.openSubscriptions()).toBe(0);
    expect(bridge.internalErrors).toEqual([]);
  });

  test('refuses a malformed filter before asking, and keeps the view', async ({ openConsole, testMesh }) => {
    append(testMesh.mesh, 2, { subject: 'user:kept' });
    const { page } = await openConsole();
    await openAudit(page);
    await expect(rowsOf(page, 'user:kept')).toHaveCount(2);
    await page.getByLabel('Type').fill('Not A Type!');
    await page.getByLabel('From').fill('2026-12-01T10:00:00');
    await page.getByLabel('To').fill('2026-12-01T09:00:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByText('An event type is lower-case letters')).toBeVisible();
    await expect(page.getByText('"To" is before "From"')).toBeVisible();
    await expect(page.getByLabel('Type')).toHaveAttribute('aria-invalid', 'true');
    await expect(rowsOf(page, 'user:kept')).toHaveCount(2);
  });

  test('loads older pages as the table scrolls, and keeps a scrolled view still while events arrive', async ({ openConsole, testMesh }) => {
    const { mesh } = testMesh;
    append(mesh, 2500, { subject: 'user:bulk' });
    const { page } = await openConsole();
    await openAudit(page);
    const table = grid(page);
    await expect(page.getByTestId('audit-live')).toContainText('1,000 events shown');
    // Scrolling towards the end fetches the next pages (1,000 at a time) until the first event.
    for (let i = 0; i < 6; i += 1) await table.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect(page.getByTestId('audit-live')).toContainText(/2,5\d\d events shown/);
    const total = mesh.core.audit.query({ limit: 1000 }).events[0]?.seq ?? 0;
    await expect(table.getByRole('row').last()).toHaveAttribute('data-seq', '1');
    expect(total).toBeGreaterThan(2500);

    // Scrolled into the middle: new events do not move what is on screen, a button says how many arrived.
    await table.evaluate((el) => el.scrollTo({ top: 30 * 1200 }));
    const before = await table.getByRole('row').nth(3).getAttribute('data-seq');
    append(mesh, 40, { subject: 'user:late' });
    // 40 and the console's own authorization events for the pages it loaded.
    const arrived = page.getByRole('button', { name: /new events/ });
    await expect.poll(async () => Number((await arrived.textContent())?.replace(/[^0-9]/g, '') ?? 0)).toBeGreaterThanOrEqual(40);
    expect(await table.getByRole('row').nth(3).getAttribute('data-seq')).toBe(before);
    await arrived.click();
    await expect(table).toHaveJSProperty('scrollTop', 0);
    await expect(rowsOf(page, 'user:late').first()).toBeVisible();
  });

  test('verifies the chain and exports JSONL and CSV where the operator chooses', async ({ openConsole, testMesh }) => {
    const { mesh } = testMesh;
    append(mesh, 20, { subject: 'user:exported' });
    const { page, bridge } = await openConsole();
    await openAudit(page);

    await page.getByRole('button', { name: 'Verify now' }).click();
    await expect(page.getByTestId('audit-chain')).toContainText('Chain verified');

    await page.getByRole('button', { name: 'Export JSONL' }).click();
    await expect(page.getByTestId('audit-exported')).toContainText('signed');
    const [dialog] = bridge.saveDialogs;
    expect(dialog).toMatchObject({ title: 'Export the audit trail', filters: [{ extensions: ['jsonl'] }] });
    expect(dialog?.defaultName).toMatch(/^devmesh-audit-\d{4}-\d{2}-\d{2}\.jsonl$/);
    const file = join(bridge.saveDir, dialog?.defaultName ?? '');
    await expect(page.getByTestId('audit-exported')).toContainText(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = loadCheckpointKey(mesh.core.secrets);
    const verified = verifyExportText(readFileSync(file, 'utf8'), () => key ?? Buffer.alloc(0));
    expect(verified).toMatchObject({ ok: true });
    expect(readFileSync(file, 'utf8')).toContain('user:exported');

    bridge.answerSave = (target) => join(bridge.saveDir, target.defaultName);
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await expect(page.getByTestId('audit-exported')).toContainText('.csv');
    expect(readFileSync(join(bridge.saveDir, bridge.saveDialogs[1]?.defaultName ?? ''), 'utf8').split('\n')[0]).toMatch(/^seq,/);

    // Cancelling the dialog writes nothing and says nothing; a folder that does not exist is a clear error.
    bridge.answerSave = () => undefined;
    await page.getByRole('button', { name: 'Export JSONL' }).click();
    await expect(page.getByTestId('audit-exported')).toHaveCount(0);
    bridge.answerSave = () => join(bridge.saveDir, 'missing-folder', 'audit.jsonl');
    await page.getByRole('button', { name: 'Export JSONL' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'The export failed' })).toContainText('the folder does not exist');

    const exported = mesh.core.audit.query({ event_type: 'audit_exported', subject: operator }).events;
    expect(exported.map((e) => (e.metadata as { via: string; format: string }).format).sort()).toEqual(['csv', 'jsonl']);
    expect(exported.every((e) => (e.metadata as { via: string }).via === 'console')).toBe(true);
    expect(bridge.internalErrors).toEqual([]);
  });
});
