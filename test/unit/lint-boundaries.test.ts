// The process boundaries are enforced by lint rules; this proves the rules fire (and stay quiet where imports are allowed).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('process-boundary lint rules', () => {
  it('allow electron only in the shell and the preload', async () => {
    const code = "import { app } from 'electron';\nexport const a = app;\n";
    expect(await ruleIds('src/main/index.ts', code)).toEqual([]);
    expect(await ruleIds('src/main/app/tray.ts', code)).toEqual([]);
    expect(await ruleIds('src/preload/index.ts', code)).toEqual([]);
    expect(await ruleIds('src/main/core/storage/thing.ts', code)).toContain('no-restricted-imports');
    expect(await ruleIds('src/main/mesh.ts', code)).toContain('no-restricted-imports');
    expect(await ruleIds('src/main/cli.ts', code)).toContain('no-restricted-imports');
    expect(await ruleIds('src/renderer/src/page.tsx', code)).toContain('no-restricted-imports');
    expect(await ruleIds('src/shared/thing.ts', code)).toContain('no-restricted-imports');
  });

  it('keep Node modules and server packages out of renderer and shared code', async () => {
    for (const mod of ['node:fs', 'fs', 'path', 'child_process', 'better-sqlite3', '@napi-rs/keyring', 'fastify']) {
      const code = `import x from '${mod}';\nexport const a = x;\n`;
      expect(await ruleIds('src/renderer/src/page.tsx', code), mod).toContain('no-restricted-imports');
      expect(await ruleIds('src/shared/thing.ts', code), mod).toContain('no-restricted-imports');
    }
    expect(await ruleIds('src/renderer/src/page.tsx', 'export const env = process.env;\n')).toContain('no-restricted-globals');
  });

  it('keep the renderer away from main-process code and the preload away from Node', async () => {
    expect(await ruleIds('src/renderer/src/page.tsx', "import { startMesh } from '../../main/mesh';\nexport const a = startMesh;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('src/preload/index.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('src/preload/index.ts', "import { startMesh } from '../main/mesh';\nexport const a = startMesh;\n")).toContain('no-restricted-imports');
  });

  it('allow pure libraries and shared code in the renderer', async () => {
    expect(await ruleIds('src/renderer/src/page.tsx', "import { z } from 'zod';\nimport { ERROR_CODES } from '../../shared/errors';\nexport const a = [z, ERROR_CODES];\n")).toEqual([]);
  });

  it('forbid export *', async () => {
    expect(await ruleIds('src/main/core/index.ts', "export * from './x';\n")).toContain('no-restricted-syntax');
  });
});
