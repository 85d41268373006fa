// Playwright fixtures: the built renderer served on 127.0.0.1 (per worker), a real mesh per test (real SQLite, real servers on ephemeral ports), and the console opened over the test bridge.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type Page } from '@playwright/test';
import pino from 'pino';
import type { ServerName } from '../../src/main/core/certs/types';
import { startMesh, type Mesh } from '../../src/main/mesh';
import { DEFAULT_TLS_CONFIG } from '../../src/main/tls-config';
import { testConfig } from '../helpers/config';
import { createMemoryKeychain, type MemoryKeychain } from '../helpers/memory-keychain';
import { installMeshBridge, type BridgeLog } from './support/mesh-bridge';
import { prepareServingCertificate } from './support/serving-certificate';
import { serveDirectory, type StaticServer } from './support/static-server';

const RENDERER_DIR = new URL('../../out/renderer', import.meta.url).pathname;
/** bcrypt's lowest cost: the first-run admin is created in milliseconds (production uses 12). */
const TEST_PASSWORD_COST = 4;
const GENEROUS_RATE_LIMITS = { ipRps: 1_000_000, ipBurst: 1_000_000, userRps: 1_000_000, userBurst: 1_000_000 };

export interface TestMesh {
  mesh: Mesh;
  keychain: MemoryKeychain;
  /** The serving certificate, when `meshTls` names servers. */
  servingSerial: string | undefined;
}

export interface ConsoleFixtures {
  /** Servers that serve HTTPS with a mesh-issued certificate (`test.use({ meshTls: ['mcp'] })`); none by default. */
  meshTls: ServerName[];
  testMesh: TestMesh;
  /** Opens the console (Overview first) with window.mesh bridged to this test's mesh. */
  openConsole: (page?: Page) => Promise<{ page: Page; bridge: BridgeLog }>;
}

export const test = base.extend<ConsoleFixtures, { renderer: StaticServer }>({
  renderer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture needs from this destructuring
    async ({}, use) => {
      const server = await serveDirectory(RENDERER_DIR);
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  meshTls: [[], { option: true }],
  testMesh: async ({ meshTls }, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-e2e-'));
    const keychain = createMemoryKeychain();
    const plain = { ...testConfig(dir), rateLimit: GENEROUS_RATE_LIMITS };
    const servingSerial = meshTls.length === 0 ? undefined : await prepareServingCertificate(plain, keychain, meshTls);
    const tls = { api: { ...DEFAULT_TLS_CONFIG, enabled: meshTls.includes('api') }, mcp: { ...DEFAULT_TLS_CONFIG, enabled: meshTls.includes('mcp') } };
    const mesh = await startMesh({ ...plain, tls }, { logger: pino({ level: 'silent' }), keychain, passwordCost: TEST_PASSWORD_COST });
    try {
      await use({ mesh, keychain, servingSerial });
    } finally {
      await mesh.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  openConsole: async ({ page, renderer, testMesh }, use) => {
    await use(async (target = page) => {
      const bridge = await installMeshBridge(target, testMesh.mesh);
      await target.goto(renderer.url);
      return { page: target, bridge };
    });
  },
});

export { expect } from '@playwright/test';
