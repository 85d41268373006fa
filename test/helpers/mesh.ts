// An in-process mesh on ephemeral ports (real SQLite file, real servers, real HTTP) with helpers to make users, keys and requests.
import pino from 'pino';
import { afterEach } from 'vitest';
import type { MeshConfig } from '../../src/main/config';
import { startMesh, type Mesh } from '../../src/main/mesh';
import { testConfig } from './config';
import { createMemoryKeychain } from './memory-keychain';
import { tempDir } from './temp-dir';

export const ADMIN_PASSWORD = 'admin password for tests';
/** bcrypt cost in tests: the lowest bcryptjs accepts, so logins take milliseconds (production uses 12). */
export const TEST_PASSWORD_COST = 4;

const running: Mesh[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

export interface TestMesh {
  mesh: Mesh;
  api: string;
  mcp: string;
  /** fetch against the REST API with JSON in and out. */
  request(method: string, path: string, options?: { token?: string; apiKey?: string; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse>;
  login(username: string, password: string): Promise<{ access_token: string; refresh_token: string; expires_in: number }>;
  adminToken(): Promise<string>;
  /** Creates a user directly through the service (as the CLI does) and returns its access token. */
  userWithToken(username: string, role: string, tenant?: string): Promise<string>;
  /** Creates an API key directly through the service (as `devmesh keys create` does). */
  apiKey(role: string, options?: { tenant?: string; ownerId?: string | null; expiresInSeconds?: number; name?: string }): string;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
  text: string;
}

/** Rate limits out of the way by default (suites fire many requests at once); the rate-limit tests set their own. */
const GENEROUS_RATE_LIMITS = { ipRps: 1_000_000, ipBurst: 1_000_000, userRps: 1_000_000, userBurst: 1_000_000 };

export async function startTestMesh(overrides: Partial<MeshConfig> = {}): Promise<TestMesh> {
  const base = { ...testConfig(tempDir()), rateLimit: GENEROUS_RATE_LIMITS };
  const auth = { ...base.auth, ...overrides.auth };
  const config: MeshConfig = { ...base, ...overrides, auth: { ...auth, adminPassword: auth.adminPassword ?? ADMIN_PASSWORD } };
  const mesh = await startMesh(config, { logger: pino({ level: 'silent' }), keychain: createMemoryKeychain(), passwordCost: TEST_PASSWORD_COST });
  running.push(mesh);
  const api = mesh.urls.api;

  async function request(method: string, path: string, options: { token?: string; apiKey?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${api}${path}`, { method, headers, body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body) });
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body, text };
  }

  async function login(username: string, password: string) {
    const res = await request('POST', '/api/v1/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${res.text}`);
    return res.body as { access_token: string; refresh_token: string; expires_in: number };
  }

  return {
    mesh,
    api,
    mcp: mesh.urls.mcp,
    request,
    login,
    adminToken: async () => (await login('admin', ADMIN_PASSWORD)).access_token,
    async userWithToken(username, role, tenant) {
      const { users, tenants } = mesh.services;
      if (tenant !== undefined && tenants.get(tenant) === undefined) tenants.create(tenant);
      await users.create({ username, password: `${username} password 123`, role, tenantId: tenant });
      return (await login(username, `${username} password 123`)).access_token;
    },
    apiKey(role, { tenant, ownerId = null, expiresInSeconds, name = `${role} key` } = {}) {
      const { apiKeys, tenants } = mesh.services;
      if (tenant !== undefined && tenants.get(tenant) === undefined) tenants.create(tenant);
      return apiKeys.create({ name, role, tenantId: tenant ?? 'default', ownerId, createdBy: 'test', expiresInSeconds }).key;
    },
  };
}
