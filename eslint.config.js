// Lint rules, including the process boundaries: only the Electron shell and preload import electron; renderer and shared import no Node modules.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nativeOrServerPackages = ['better-sqlite3', '@napi-rs/keyring', 'fastify', 'pino', 'pino-pretty', 'dotenv', 'commander', 'tsx'];

const noElectron = { name: 'electron', message: 'Only src/main/index.ts, src/main/app/* and src/preload import electron: tests and `serve` run this code under plain Node.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Named exports only: no `export *`.' }],
    },
  },
  {
    // Everything Node-side except the Electron shell: never electron.
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts', 'src/main/app/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['**/renderer/**', '**/preload/**'], message: 'main does not import renderer or preload code.' }] }],
    },
  },
  {
    files: ['src/main/index.ts', 'src/main/app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/renderer/**', '**/preload/**'], message: 'main does not import renderer or preload code.' }] }],
    },
  },
  {
    // The preload sees only electron and the shared contract.
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'The sandboxed preload has no Node modules.' })),
        patterns: [{ group: ['**/main/**', '**/renderer/**'], message: 'The preload imports only electron and src/shared.' }],
      }],
    },
  },
  {
    // Renderer and shared: browser-safe TypeScript only.
    files: ['src/renderer/**/*.{ts,tsx}', 'src/shared/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          noElectron,
          ...nodeBuiltins.map((name) => ({ name, message: 'Renderer and shared code run without Node: no Node modules.' })),
          ...nativeOrServerPackages.map((name) => ({ name, message: 'Renderer and shared code run without Node: no server-side packages.' })),
        ],
        patterns: [{ group: ['**/main/**', '**/preload/**'], message: 'Renderer and shared code reach the main process only through window.mesh.' }],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'No Node globals in renderer/shared.' }, { name: 'require', message: 'No require in renderer/shared.' }, { name: 'Buffer', message: 'No Node globals in renderer/shared.' }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          noElectron,
          ...nodeBuiltins.map((name) => ({ name, message: 'Shared code runs without Node: no Node modules.' })),
          ...nativeOrServerPackages.map((name) => ({ name, message: 'Shared code runs without Node: no server-side packages.' })),
          { name: 'react', message: 'Shared code has no UI.' },
        ],
        patterns: [{ group: ['**/main/**', '**/preload/**', '**/renderer/**'], message: 'Shared code imports only shared code and pure libraries (zod).' }],
      }],
    },
  },
);
