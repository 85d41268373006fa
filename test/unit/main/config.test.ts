import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, isLoopbackHost, loadConfig } from '../../../src/main/config';
import { AppError } from '../../../src/shared/errors';
import { tempDir } from '../../helpers/temp-dir';

function load(env: Record<string, string>, cwd = tempDir()) {
  return loadConfig({ env, cwd });
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONFIG_INVALID');
    return (error as AppError).message;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = load({ HOME: '/home/ana' });
    expect(config).toMatchObject({ host: '127.0.0.1', mcpPort: 8080, apiPort: 8081, logLevel: 'info', masterKeyEnv: undefined });
    expect(config.dataDir).toBe(defaultDataDir());
  });

  it('reads every documented variable', () => {
    const config = load({
      DEVMESH_DATA_DIR: '/srv/mesh', DEVMESH_HOST: 'localhost', MCP_PORT: '9000', API_PORT: '9001', ENCRYPTION_MASTER_KEY: ' abc ', LOG_LEVEL: 'DEBUG',
      DEVMESH_ALLOWED_HOSTS: 'mesh.local, [::1]', CORS_ALLOWED_ORIGINS: 'http://localhost:5173,https://console.example', API_BODY_LIMIT: '2mb',
      JWT_SECRET: 'x'.repeat(20) + 'abcdefghijklmnop', JWT_ACCESS_TTL: '10m', JWT_REFRESH_TTL: '2d', LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT: '1h', LOGIN_RATE_LIMIT: '20',
      DEVMESH_ADMIN_PASSWORD: 'a long admin passphrase',
    });
    expect(config).toMatchObject({ dataDir: '/srv/mesh', host: 'localhost', mcpPort: 9000, apiPort: 9001, masterKeyEnv: 'abc', logLevel: 'debug' });
    expect(config.http).toEqual({ extraHosts: ['mesh.local', '::1'], allowedOrigins: ['http://localhost:5173', 'https://console.example'], bodyLimit: 2 * 1024 * 1024 });
    expect(config.auth).toMatchObject({ accessTtlSeconds: 600, refreshTtlSeconds: 2 * 86400, maxFailedLogins: 3, lockoutSeconds: 3600, loginAttemptsPerMinute: 20, adminPassword: 'a long admin passphrase' });
    expect(config.auth.jwtSecret?.length).toBe(36);
  });

  it('refuses a wildcard or malformed CORS origin, a weak JWT_SECRET and a short admin password', () => {
    expect(messageOf(() => load({ CORS_ALLOWED_ORIGINS: '*' }))).toMatch(/CORS_ALLOWED_ORIGINS: "\*" would allow every site/);
    expect(messageOf(() => load({ CORS_ALLOWED_ORIGINS: 'http://localhost:5173/' }))).toMatch(/not an exact origin/);
    expect(messageOf(() => load({ CORS_ALLOWED_ORIGINS: 'localhost' }))).toMatch(/not an (exact )?origin/);
    expect(messageOf(() => load({ JWT_SECRET: 'short' }))).toMatch(/JWT_SECRET must be at least 32 bytes/);
    expect(messageOf(() => load({ JWT_SECRET: 'a'.repeat(40) }))).toMatch(/JWT_SECRET/);
    expect(messageOf(() => load({ DEVMESH_ADMIN_PASSWORD: 'admin' }))).toMatch(/DEVMESH_ADMIN_PASSWORD must be 12/);
    expect(messageOf(() => load({ JWT_ACCESS_TTL: 'forever' }))).toMatch(/JWT_ACCESS_TTL="forever" is not a duration/);
    expect(messageOf(() => load({ API_BODY_LIMIT: '10gb' }))).toMatch(/API_BODY_LIMIT/);
  });

  it('names the variable and the fix for a bad port', () => {
    expect(messageOf(() => load({ API_PORT: 'eighty' }))).toMatch(/API_PORT="eighty".*1 to 65535.*API_PORT=8081/);
    expect(messageOf(() => load({ MCP_PORT: '70000' }))).toMatch(/MCP_PORT/);
    expect(messageOf(() => load({ MCP_PORT: '-1' }))).toMatch(/MCP_PORT/);
  });

  it('reports every bad variable at once', () => {
    const message = messageOf(() => load({ API_PORT: 'x', LOG_LEVEL: 'loud', DEVMESH_HOST: 'not a host!' }));
    expect(message).toMatch(/API_PORT/);
    expect(message).toMatch(/LOG_LEVEL="loud".*one of fatal, error, warn, info, debug, trace, silent/);
    expect(message).toMatch(/DEVMESH_HOST/);
  });

  it('refuses the same port for both servers', () => {
    expect(messageOf(() => load({ MCP_PORT: '9000', API_PORT: '9000' }))).toMatch(/both 9000/);
  });

  it('reads .env from the working directory, with the real environment winning', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), 'MCP_PORT=9100\nAPI_PORT=9101\n# comment\nLOG_LEVEL=warn\n');
    const config = load({ API_PORT: '9200' }, cwd);
    expect(config).toMatchObject({ mcpPort: 9100, apiPort: 9200, logLevel: 'warn' });
  });

  it('expands ~ in DEVMESH_DATA_DIR and accepts bracketed IPv6 hosts', () => {
    expect(load({ DEVMESH_DATA_DIR: '~/mesh' }).dataDir).not.toContain('~');
    expect(load({ DEVMESH_HOST: '[::1]' }).host).toBe('::1');
  });

  it('picks the OS application-data folder by default', () => {
    expect(defaultDataDir('linux', {}, '/home/ana')).toBe('/home/ana/.config/devmesh-console');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x/cfg' }, '/home/ana')).toBe('/x/cfg/devmesh-console');
    expect(defaultDataDir('darwin', {}, '/Users/ana')).toBe('/Users/ana/Library/Application Support/devmesh-console');
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'C:\\Users\\ana')).toMatch(/Roaming.devmesh-console$/);
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.5')).toBe(false);
  });
});
