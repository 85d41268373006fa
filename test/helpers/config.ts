// A MeshConfig for tests: a temp data dir, ephemeral ports, quiet logs.
import { randomBytes } from 'node:crypto';
import { DEFAULT_TLS_CONFIG } from '../../src/main/tls-config';
import { DEFAULT_AUTH_CONFIG, DEFAULT_HTTP_CONFIG, DEFAULT_MCP_CONFIG, DEFAULT_RATE_LIMIT_CONFIG, type MeshConfig } from '../../src/main/config';

export function testMasterKey(): string {
  return randomBytes(32).toString('base64');
}

export function testConfig(dataDir: string, overrides: Partial<MeshConfig> = {}): MeshConfig {
  return { dataDir, host: '127.0.0.1', mcpPort: 0, apiPort: 0, masterKeyEnv: testMasterKey(), logLevel: 'silent', http: DEFAULT_HTTP_CONFIG, auth: DEFAULT_AUTH_CONFIG, rateLimit: DEFAULT_RATE_LIMIT_CONFIG, trustProxy: [], metricsPublic: false, auditRetentionDays: 90, mcp: DEFAULT_MCP_CONFIG, tls: { api: DEFAULT_TLS_CONFIG, mcp: DEFAULT_TLS_CONFIG }, ...overrides };
}
