// The real desktop app under Playwright's _electron: it starts on a fresh data dir with the master key from the environment (no keychain), opens one hardened window whose window.mesh answers, and quits cleanly; skipped, with the reason, where Electron cannot run.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, expect, test } from '@playwright/test';
import type { MeshApi } from '../../src/shared/ipc/contract';
import { buildIfStale } from './support/build';
import { findElectronBinary } from './support/electron-binary';

const root = new URL('../..', import.meta.url).pathname;
const electron = findElectronBinary();

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

type PageGlobals = {
  mesh?: MeshApi;
  require?: unknown;
  process?: unknown;
  module?: unknown;
  navigator: { clipboard: { writeText(text: string): Promise<void>; readText(): Promise<string> } };
};

/**
 * Whether the window's renderer runs in the OS sandbox: Electron reports it on macOS and Windows; on Linux the Chromium
 * sandbox shows as a seccomp filter (Seccomp: 2) on the renderer process. Running as root needs --no-sandbox, which turns
 * the OS sandbox off for every process: then it cannot be observed (undefined).
 */
function osSandboxed(metric: { pid: number; sandboxed?: boolean | undefined }, rootRun: boolean): boolean | undefined {
  if (metric.sandboxed !== undefined) return metric.sandboxed;
  if (process.platform !== 'linux' || rootRun) return undefined;
  return /^Seccomp:\s*2$/m.test(readFileSync(`/proc/${metric.pid}/status`, 'utf8'));
}

const skipReason = electron.usable ? '' : `Electron cannot run here: ${electron.reason}`;

test.describe('Electron app', () => {
  test.beforeAll(() => {
    if (!electron.usable) return;
    // What `npm start` does first: the app as built from the current sources, and better-sqlite3 built for Electron's ABI.
    test.setTimeout(600_000);
    buildIfStale({ outputs: ['out/main/index.js', 'out/renderer/index.html'], sources: ['src/main', 'src/preload', 'src/renderer', 'src/shared'] });
    run(process.execPath, [join(root, 'scripts/electron-native.mjs')]);
  });

  test('starts with a hardened window whose window.mesh answers, and quits cleanly', async () => {
    // Skipped at run time, saying why on the console too (the list reporter shows a skip without its reason).
    if (!electron.usable) console.log(`skipped: ${skipReason}`);
    test.skip(!electron.usable, skipReason);
    if (!electron.usable) return;
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-electron-'));
    const dataDir = join(dir, 'data');
    // A master key from the environment, so the run needs no OS keychain; free ports; this run's own profile (single-instance lock).
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      DEVMESH_DATA_DIR: dataDir,
      ENCRYPTION_MASTER_KEY: randomBytes(32).toString('base64'),
      DEVMESH_ADMIN_PASSWORD: 'electron e2e passphrase',
      MCP_PORT: '0',
      API_PORT: '0',
    };
    delete env.ELECTRON_RUN_AS_NODE;
    // Chromium refuses to start as root with its sandbox on: as root the OS sandbox is off (and not asserted below).
    const rootRun = process.getuid?.() === 0;
    const app = await _electron.launch({ executablePath: electron.executable, args: ['.', `--user-data-dir=${join(dir, 'profile')}`, ...(rootRun ? ['--no-sandbox'] : [])], cwd: root, env, timeout: 60_000 });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => app.process().once('exit', (code, signal) => resolve({ code, signal })));
    let apiUrl: string | undefined;
    try {
      const window = await app.firstWindow();
      await expect(window.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 30_000 });
      expect(await window.title()).toBe('Developer Mesh Console');
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);

      // The preload's API (put there by contextBridge, which works only with contextIsolation on), answered by main over IPC.
      expect(await window.evaluate(() => typeof (globalThis as unknown as PageGlobals).mesh)).toBe('object');
      expect(await window.evaluate(() => Object.isFrozen((globalThis as unknown as PageGlobals).mesh))).toBe(true);
      const status = await window.evaluate(() => (globalThis as unknown as PageGlobals).mesh?.meshStatus());
      expect(status).toMatchObject({ ok: true, value: { dataDir, masterKeySource: 'env' } });
      apiUrl = status?.ok === true ? status.value.urls.api : undefined;

      // Hardened: no Node in the page (nodeIntegration off, isolated from the preload's world), the renderer in the OS sandbox.
      const page = await window.evaluate(() => {
        const g = globalThis as unknown as PageGlobals;
        return [typeof g.require, typeof g.process, typeof g.module];
      });
      expect(page).toEqual(['undefined', 'undefined', 'undefined']);
      const renderers = (await app.evaluate(({ app: electronApp }) => electronApp.getAppMetrics())).filter((m) => m.type === 'Tab');
      expect(renderers).toHaveLength(1);
      const sandboxed = osSandboxed(renderers[0] as { pid: number; sandboxed?: boolean }, rootRun);
      if (sandboxed === undefined) test.info().annotations.push({ type: 'note', description: 'the OS sandbox of the renderer is not observable in this run (root needs --no-sandbox)' });
      else expect(sandboxed).toBe(true);

      // The one permission granted: writing the clipboard; reading it stays denied.
      await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.focus());
      expect(await window.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.writeText('devmesh').then(() => 'written', (error: unknown) => String(error)))).toBe('written');
      expect(await window.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText().then(() => 'read', (error: unknown) => (error as Error).name))).toBe('NotAllowedError');
    } finally {
      // Quit as the operator would: before-quit stops the mesh (servers, database) before the process exits.
      await app.close();
      expect(await exited).toEqual({ code: 0, signal: null });
      rmSync(dir, { recursive: true, force: true });
    }
    // Its servers went with it.
    expect(apiUrl).toBeDefined();
    await expect(fetch(new URL('/health', apiUrl))).rejects.toThrow();
  });
});
