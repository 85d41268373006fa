#!/usr/bin/env node
// Builds better-sqlite3 for the installed Electron's ABI into build/electron-native/, leaving node_modules' Node build alone.
//
// node_modules/better-sqlite3/build/Release/better_sqlite3.node is built for Node: tests, `npm run serve` and the CLI load
// it. Electron has another ABI (NODE_MODULE_VERSION), so `npm start` runs this first and the desktop app passes the
// result to better-sqlite3 as `nativeBinding` (src/main/app/native-binding.ts). The module is copied to a staging
// folder and rebuilt there with @electron/rebuild (a prebuilt binary for Electron if one can be downloaded, else a
// compile against Electron's headers), so the copy in node_modules is never touched. A stamp file records what it was
// built for; the next run is a no-op until Electron, better-sqlite3, the platform or the arch changes.
// Packaged builds do not use this: electron-builder rebuilds their copy itself (see scripts/dist.mjs).
//
// Usage: node scripts/electron-native.mjs [--force] [--print-path]
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const outDir = join(root, 'build', 'electron-native');
const target = join(outDir, 'better_sqlite3.node');
const stampFile = join(outDir, 'stamp.json');

const { values } = parseArgs({ options: { force: { type: 'boolean', default: false }, 'print-path': { type: 'boolean', default: false } } });
if (values['print-path']) {
  process.stdout.write(`${target}\n`);
  process.exit(0);
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const electronPkg = require.resolve('electron/package.json');
const moduleDir = dirname(require.resolve('better-sqlite3/package.json'));
const wanted = {
  electron: readJson(electronPkg).version,
  abi: readFileSync(join(dirname(electronPkg), 'abi_version'), 'utf8').trim(),
  betterSqlite3: readJson(join(moduleDir, 'package.json')).version,
  platform: process.platform,
  arch: process.arch,
};
const describe = `better-sqlite3 ${wanted.betterSqlite3} for Electron ${wanted.electron} (ABI ${wanted.abi}, ${wanted.platform}-${wanted.arch})`;

const current = existsSync(stampFile) ? readJson(stampFile) : undefined;
if (!values.force && existsSync(target) && JSON.stringify(current) === JSON.stringify(wanted)) {
  process.stdout.write(`${describe}: up to date in ${relative(root, target)}\n`);
  process.exit(0);
}

process.stdout.write(`building ${describe} into ${relative(root, outDir)}/ (first run, or something changed)...\n`);
const stage = join(outDir, 'stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, 'node_modules'), { recursive: true });
// The sources without Node's build/ (nor one parked by an interrupted `npm run dist`), so nothing Node-built is taken for the result.
cpSync(moduleDir, join(stage, 'node_modules', 'better-sqlite3'), { recursive: true, filter: (src) => src !== join(moduleDir, 'build') && src !== join(moduleDir, 'build.node-abi') });
writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'devmesh-electron-native', private: true, dependencies: { 'better-sqlite3': wanted.betterSqlite3 } }));

// The @electron/rebuild electron-builder itself uses (app-builder-lib depends on it), found through that chain rather than
// by hoisting luck, so dev and packaged builds are made by the same rebuilder.
const appBuilderLib = createRequire(require.resolve('electron-builder/package.json')).resolve('app-builder-lib/package.json');
const { rebuild } = await import(pathToFileURL(createRequire(appBuilderLib).resolve('@electron/rebuild')).href);
try {
  await rebuild({
    buildPath: stage,
    projectRootPath: stage,
    electronVersion: wanted.electron,
    arch: wanted.arch,
    onlyModules: ['better-sqlite3'],
    force: true,
    mode: 'sequential',
  });
} catch (error) {
  process.stderr.write(`\n✗ could not build ${describe}: ${error instanceof Error ? error.message : String(error)}\n` +
    '  It needs either a prebuilt binary (downloaded from better-sqlite3\'s GitHub releases) or a C++ toolchain with Python\n' +
    '  plus Electron\'s headers (downloaded from electronjs.org). Tests and `npm run serve` do not need this build.\n');
  rmSync(stage, { recursive: true, force: true });
  process.exit(1);
}

const built = join(stage, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
if (!existsSync(built)) {
  process.stderr.write(`✗ @electron/rebuild finished but ${relative(root, built)} is missing\n`);
  process.exit(1);
}
copyFileSync(built, target);
writeFileSync(stampFile, `${JSON.stringify(wanted, null, 2)}\n`);
rmSync(stage, { recursive: true, force: true });
process.stdout.write(`✓ ${describe}: ${relative(root, target)}\n`);
