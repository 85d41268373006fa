#!/usr/bin/env node
// `npm test`: typecheck, lint, the Electron security scan, build all three Electron targets, then the test suites — inside a private D-Bus session with an
// unlocked gnome-keyring when this machine has one, so keychain code is tested against a real Secret Service.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function step(name, command, args, env = process.env) {
  process.stderr.write(`\n▶ ${name}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    process.stderr.write(`✗ ${name} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
  process.stderr.write(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
const passthrough = process.argv.slice(2);

step('typecheck', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']);
step('typecheck (renderer)', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']);
step('lint', bin('eslint'), ['--max-warnings', '0', '.']);
step('security scan (electronegativity: fails on HIGH/MEDIUM)', process.execPath, [join(root, 'scripts', 'electronegativity.mjs')]);
step('build (electron-vite: main, preload, renderer)', bin('electron-vite'), ['build']);

const vitest = [bin('vitest'), 'run', ...passthrough];
const alreadyIsolated = process.env.DEVMESH_TEST_KEYRING === 'isolated';
if (process.platform === 'linux' && !alreadyIsolated && has('dbus-run-session') && has('gnome-keyring-daemon')) {
  // A throwaway HOME gives gnome-keyring an empty keyring; the developer's own keychain is never touched.
  const home = mkdtempSync(join(tmpdir(), 'devmesh-keyring-'));
  const script = 'echo -n devmesh-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"';
  try {
    step('tests (private D-Bus session + gnome-keyring)', 'dbus-run-session', ['--', 'sh', '-c', script, 'sh', ...vitest], {
      ...process.env,
      HOME: home,
      DEVMESH_TEST_KEYRING: 'isolated',
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
} else {
  if (process.platform === 'linux' && !alreadyIsolated) {
    process.stderr.write('\n!!! gnome-keyring / dbus-run-session not found: keychain tests run only if a Secret Service is already reachable.\n!!! Install: sudo apt-get install -y gnome-keyring libsecret-tools dbus-x11\n');
  }
  step('tests', vitest[0], vitest.slice(1));
}

// Browser tests: the built renderer in Debian's Chromium, window.mesh bridged to the IPC handlers over a real mesh (playwright.config.ts).
const chromium = process.env.DEVMESH_CHROMIUM ?? '/usr/bin/chromium';
if (existsSync(chromium)) {
  step('browser tests (Playwright + Chromium)', bin('playwright'), ['test']);
} else if (process.env.DEVMESH_REQUIRE_BROWSER === '1') {
  process.stderr.write(`\n✗ browser tests: ${chromium} not found and DEVMESH_REQUIRE_BROWSER=1. Install: sudo apt-get install -y chromium\n`);
  process.exit(1);
} else {
  process.stderr.write(`\n!!! ${chromium} not found: the browser tests (test/e2e) were SKIPPED, so the console's pages are untested.\n!!! Install: sudo apt-get install -y chromium   (or point DEVMESH_CHROMIUM at a Chromium binary)\n`);
}
