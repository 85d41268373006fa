#!/usr/bin/env node
// `npm run dist`: builds the app with electron-vite, then packages it with electron-builder (electron-builder.yml).
//
// electron-builder rebuilds native modules for Electron *in place*, in node_modules. Left alone, that would leave
// better-sqlite3 built for Electron after packaging, and tests, `npm run serve` and the CLI (plain Node) would fail to
// load it. So Node's build is moved aside for the packaging run and put back afterwards, also when packaging fails or
// is interrupted (a later run restores it first). Arguments go to electron-builder: `npm run dist -- --linux deb`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { restoreNodeBuild, withNodeBuildParked } from './lib/node-build-parking.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const moduleDir = dirname(require.resolve('better-sqlite3/package.json'));

/** Runs a package's CLI with this Node (node_modules/.bin holds .cmd shims on Windows, which spawn cannot run directly). */
function run(pkg, args) {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8'));
  const script = join(dirname(manifest), typeof bin === 'string' ? bin : bin[pkg]);
  const result = spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

if (restoreNodeBuild(moduleDir)) process.stderr.write('restored Node\'s better-sqlite3 build left aside by an interrupted `npm run dist`\n');

const built = run('electron-vite', ['build']);
if (built !== 0) process.exit(built);

// Ctrl-C reaches electron-builder too; this process stays alive to put Node's build back once it has stopped.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
const status = await withNodeBuildParked(moduleDir, () => run('electron-builder', process.argv.slice(2)));
process.stderr.write(`Node's better-sqlite3 build is back in ${moduleDir}/build (tests and \`npm run serve\` use it)\n`);
process.exit(status);
