// Browser tests: the built renderer in Debian's Chromium, with window.mesh bridged to the IPC handler table over a real mesh (test/e2e/fixtures.ts).
import { defineConfig } from '@playwright/test';

/** Flags that let Debian's Chromium run headless as root in a container with no network look-ups of its own (RECIPES.md). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/e2e/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    colorScheme: 'light',
    viewport: { width: 1200, height: 800 },
    launchOptions: { executablePath: process.env.DEVMESH_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
