// electron-builder packs this project offline: real config, real file collection, asar, unpacking and fuses; only Electron is a stand-in.
//
// The Electron zip cannot be downloaded here, so `electronDist` points at a stand-in folder whose "binary" carries just
// the fuse sentinel and wire that @electron/fuses edits in a real Electron. The native rebuild for Electron is skipped
// (it downloads Electron's headers) and the afterPack ABI check with it (it would rightly refuse node_modules' Node
// build); both are covered by unit tests, and the real run happens on a machine with network (`npm run dist`).
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractFile, listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { build } from 'electron-vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGED_BINDING } from '../../src/main/app/native-binding';
import { REPO_ROOT } from '../helpers/cli';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Fuse wire v1 with 9 fuses, set the opposite way to what electron-builder.yml asks, so every flip is visible. */
const INITIAL_WIRE = '101100001';
/** A fuse's byte in the wire: the characters '0' and '1'. */
const DISABLE = 0x30;
const ENABLE = 0x31;

function fakeElectron(dir: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const wire = Buffer.from([1, INITIAL_WIRE.length, ...Buffer.from(INITIAL_WIRE, 'latin1')]);
  writeFileSync(join(dir, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.from(SENTINEL, 'latin1'), wire, Buffer.alloc(16)]));
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'LICENSE'), 'stand-in');
  writeFileSync(join(dir, 'version'), '45.5.0');
}

interface Run {
  code: number;
  output: string;
}

let run: Run;
let unpacked: string;
// Shared by every test in the file (the temp-dir helper empties its folders after each test).
const work = mkdtempSync(join(tmpdir(), 'devmesh-packaging-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'out', 'main', 'index.js'))) await build({ root: REPO_ROOT, logLevel: 'silent' });
  const electronDist = join(work, 'electron');
  fakeElectron(electronDist);
  const output = join(work, 'dist');
  const args = [
    '--dir', '--linux', `--${process.arch === 'arm64' ? 'arm64' : 'x64'}`,
    `-c.electronDist=${electronDist}`,
    '-c.npmRebuild=false',
    `-c.afterPack=${join(REPO_ROOT, 'test', 'fixtures', 'packaging', 'no-after-pack.cjs')}`,
    `-c.directories.output=${output}`,
  ];
  run = await new Promise<Run>((resolve) => {
    execFile(join(REPO_ROOT, 'node_modules', '.bin', 'electron-builder'), args, { cwd: REPO_ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, output: stdout + stderr });
    });
  });
  unpacked = join(output, process.arch === 'arm64' ? 'linux-arm64-unpacked' : 'linux-unpacked');
}, 180_000);

describe('electron-builder --dir (stand-in Electron)', () => {
  it('packages with our configuration, including its own check that the main entry is inside the asar', () => {
    expect(run.code, run.output).toBe(0);
    expect(existsSync(join(unpacked, 'devmesh-console'))).toBe(true);
  });

  it('puts the electron-vite bundle and package.json in app.asar, and no sources, tests or CLI-only tooling', () => {
    const asar = join(unpacked, 'resources', 'app.asar');
    const files = listPackage(asar, { isPack: false }).map((file) => file.replaceAll('\\', '/'));
    for (const wanted of ['/package.json', '/out/main/index.js', '/out/main/audit-writer-worker.js', '/out/main/audit-verify-worker.js', '/out/preload/index.cjs', '/out/renderer/index.html']) {
      expect(files).toContain(wanted);
    }
    expect(files.filter((file) => /^\/(src|test|scripts|resources|bench|docs)\//.test(file))).toEqual([]);
    expect(files.filter((file) => !file.startsWith('/node_modules/') && file.endsWith('.ts'))).toEqual([]);
    expect(files.filter((file) => /^\/node_modules\/(tsx|esbuild|@esbuild)\//.test(file))).toEqual([]);
    expect(files.filter((file) => /^\/node_modules\/better-sqlite3\/(deps|src)\//.test(file))).toEqual([]);
    expect(JSON.parse(extractFile(asar, 'package.json').toString('utf8'))).toMatchObject({ main: 'out/main/index.js', version: expect.any(String) });
  });

  it('unpacks better_sqlite3.node exactly where the packaged app points nativeBinding', () => {
    expect(existsSync(join(unpacked, 'resources', PACKAGED_BINDING))).toBe(true);
  });

  it('burns the fuses into the Electron binary', async () => {
    const wire = await getCurrentFuseWire(join(unpacked, 'devmesh-console'));
    const state = (fuse: FuseV1Options): number | undefined => wire[fuse] as number | undefined;
    expect(state(FuseV1Options.RunAsNode)).toBe(DISABLE);
    expect(state(FuseV1Options.EnableCookieEncryption)).toBe(ENABLE);
    expect(state(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe(DISABLE);
    expect(state(FuseV1Options.EnableNodeCliInspectArguments)).toBe(DISABLE);
    expect(state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(ENABLE);
    expect(state(FuseV1Options.OnlyLoadAppFromAsar)).toBe(ENABLE);
    expect(state(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe(ENABLE);
    expect(readFileSync(join(unpacked, 'devmesh-console')).includes(SENTINEL)).toBe(true);
  });
});
