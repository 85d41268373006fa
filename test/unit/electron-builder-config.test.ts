// The packaging configuration as electron-builder itself loads and validates it: ids, targets, fuses, files, native rebuild, icons.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import type { Configuration } from 'app-builder-lib';
import { DebugLogger } from 'builder-util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli';

let config: Configuration;

beforeAll(async () => {
  config = await getConfig(REPO_ROOT, null, null);
});

function fileFilters(): string[] {
  return (config.files as Array<string | { filter?: string[] }>).flatMap((entry) => (typeof entry === 'string' ? [entry] : (entry.filter ?? [])));
}

describe('electron-builder configuration', () => {
  it("passes electron-builder's own schema validation (and the validation does reject a bad value)", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    const broken = { ...config, electronFuses: { ...config.electronFuses, runAsNode: 'no' } } as unknown as Configuration;
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/configuration object that does not match/);
  });

  it('names the app and builds AppImage + deb, dmg and nsis', () => {
    expect(config.appId).toBe('dev.devmesh.console');
    expect(config.productName).toBe('Developer Mesh Console');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toBe('dmg');
    expect(config.win?.target).toBe('nsis');
    // deb refuses to build without both.
    expect(config.linux?.maintainer).toMatch(/<[^>]+@[^>]+>/);
    expect((config.extraMetadata as { homepage?: string }).homepage).toMatch(/^https:\/\//);
  });

  it('burns the hardening fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('packs the built app into an asar with native modules unpacked, rebuilt from source for Electron', () => {
    expect(fileFilters()).toEqual(expect.arrayContaining(['out/**', 'package.json']));
    expect(fileFilters().some((pattern) => pattern.startsWith('src') || pattern.startsWith('test'))).toBe(false);
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(['**/*.node']);
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(true);
    expect(config.afterPack).toBe('./scripts/after-pack.mjs');
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).main).toBe('out/main/index.js');
  });

  it('has icons electron-builder uses without converting them (no toolset download)', async () => {
    const { convertIcon } = await import('app-builder-lib/out/util/iconConverter');
    const roots = [join(REPO_ROOT, config.directories?.buildResources ?? 'build'), REPO_ROOT];
    const outDir = mkdtempSync(join(tmpdir(), 'devmesh-icons-'));
    const set = await convertIcon({ sources: [config.linux?.icon ?? ''], fallbackSources: [], roots, format: 'set', outDir });
    expect(set.isFallback).toBe(false);
    expect(set.icons.map((icon) => icon.size)).toEqual([16, 24, 32, 48, 64, 128, 256, 512]);
    const ico = await convertIcon({ sources: [config.win?.icon ?? ''], fallbackSources: [], roots, format: 'ico', outDir });
    expect(ico.icons).toEqual([{ file: join(roots[0]!, 'icon.ico'), size: 256 }]);
    const icns = await convertIcon({ sources: [config.mac?.icon ?? ''], fallbackSources: [], roots, format: 'icns', outDir });
    expect(icns.icons[0]?.file).toBe(join(roots[0]!, 'icon.icns'));
    expect(readFileSync(icns.icons[0]!.file).subarray(0, 4).toString('latin1')).toBe('icns');
  });
});

describe('npm scripts', () => {
  const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

  it('builds better-sqlite3 for Electron before `npm start` launches it, and packages through the wrapper that protects Node\'s build', () => {
    expect(scripts.start).toMatch(/^node scripts\/electron-native\.mjs && electron-vite build && electron \.$/);
    expect(scripts.dist).toBe('node scripts/dist.mjs');
  });
});
