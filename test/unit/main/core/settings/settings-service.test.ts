// The settings service: environment values until changed, the same rules as the environment variables, all-or-nothing changes, resets, and the start-up overlay the composition root applies.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_CONFIG, DEFAULT_RATE_LIMIT_CONFIG } from '../../../../../src/main/config';
import { createSettingsService, SETTING_KEYS, type SettingsService } from '../../../../../src/main/core/settings/settings-service';
import { describeOverride, overlayStartupSettings, startupOverrides, startupValues } from '../../../../../src/main/core/settings/startup-overlay';
import { createChangeEpoch } from '../../../../../src/main/core/storage/change-epoch';
import { openCore, type Core } from '../../../../../src/main/core/open-core';
import { DEFAULT_TLS_CONFIG } from '../../../../../src/main/tls-config';
import { testConfig } from '../../../../helpers/config';
import { createMemoryKeychain } from '../../../../helpers/memory-keychain';
import { tempDir } from '../../../../helpers/temp-dir';

const opened: Core[] = [];
afterEach(async () => {
  for (const core of opened.splice(0)) await core.close();
});

function setup(): { core: Core; settings: SettingsService } {
  const config = testConfig(tempDir(), {
    apiPort: 8081,
    mcpPort: 8080,
    http: { ...DEFAULT_HTTP_CONFIG, allowedOrigins: ['http://localhost:5173'] },
    rateLimit: DEFAULT_RATE_LIMIT_CONFIG,
    tls: { api: { ...DEFAULT_TLS_CONFIG, certFile: '/etc/api.pem', keyFile: '/etc/api.key' }, mcp: DEFAULT_TLS_CONFIG },
  });
  const core = openCore(config, { keychain: createMemoryKeychain() });
  opened.push(core);
  return { core, settings: createSettingsService({ db: core.db, config, epoch: createChangeEpoch(core.db) }) };
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('settings service', () => {
  it('starts from the environment, and a change wins over it until reset', () => {
    const { settings } = setup();
    expect(settings.get()).toMatchObject({ 'cors.allowed_origins': ['http://localhost:5173'], 'audit.retention_days': 90, 'network.host': '127.0.0.1', 'network.api_port': 8081, 'tls.api.enabled': false, 'tls.api.min_version': 'TLSv1.2' });
    const { before, after } = settings.update({ 'network.api_port': 9001, 'cors.allowed_origins': [] }, 'console:test');
    expect(before).toEqual({ 'network.api_port': 8081, 'cors.allowed_origins': ['http://localhost:5173'] });
    expect(after).toEqual({ 'network.api_port': 9001, 'cors.allowed_origins': [] });
    expect(settings.overridden().sort()).toEqual(['cors.allowed_origins', 'network.api_port']);
    settings.reset(['network.api_port'], 'console:test');
    expect(settings.get()['network.api_port']).toBe(8081);
    expect(settings.environment()['cors.allowed_origins']).toEqual(['http://localhost:5173']);
  });

  it('returns the same object until something changes, so per-request readers stay cheap', () => {
    const { settings } = setup();
    expect(settings.get()).toBe(settings.get());
    const first = settings.get();
    settings.update({ 'rate_limit.ip_rps': 3 }, 'console:test');
    expect(settings.get()).not.toBe(first);
  });

  it('applies the environment variables\' rules and names the setting', () => {
    const { settings } = setup();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ 'cors.allowed_origins': ['*'] }, /^setting cors\.allowed_origins: "\*" would allow every site/],
      [{ 'cors.allowed_origins': ['null'] }, /would allow every site/],
      [{ 'cors.allowed_origins': ['http://localhost:5173/'] }, /is not an exact origin/],
      [{ 'cors.allowed_origins': ['ftp://files.example'] }, /is not an exact origin/],
      [{ 'cors.allowed_origins': 'http://localhost:5173' }, /^setting cors\.allowed_origins:/],
      [{ 'audit.retention_days': -1 }, /^setting audit\.retention_days: must be a whole number of days from 0/],
      [{ 'audit.retention_days': 36_501 }, /audit\.retention_days/],
      [{ 'network.api_port': 65_536 }, /^setting network\.api_port: is not a port/],
      [{ 'network.mcp_port': 1.5 }, /^setting network\.mcp_port: is not a port/],
      [{ 'network.host': 'bad host' }, /^setting network\.host: "bad host" is not an IP address or host name/],
      [{ 'network.mcp_port': 8081 }, /^setting network\.mcp_port: the API and MCP servers would both use port 8081/],
      [{ 'tls.api.client_auth': 'sometimes' }, /^setting tls\.api\.client_auth: must be one of none, request, require, verify/],
      [{ 'tls.api.session_tickets': 'yes' }, /^setting tls\.api\.session_tickets:/],
      [{ 'tls.api.cert_file': '/tmp/x.pem' }, /^unknown setting "tls\.api\.cert_file"/],
    ];
    for (const [change, message] of cases) expect(refusal(() => settings.update(change, 'console:test')), JSON.stringify(change)).toMatch(message);
    expect(settings.overridden()).toEqual([]);
  });

  it('accepts what the environment accepts: 0 ports, bracketed IPv6, host names, retention 0', () => {
    const { settings } = setup();
    settings.update({ 'network.api_port': 0, 'network.mcp_port': 0, 'network.host': '[::1]', 'audit.retention_days': 0 }, 'console:test');
    expect(settings.get()).toMatchObject({ 'network.api_port': 0, 'network.mcp_port': 0, 'network.host': '::1', 'audit.retention_days': 0 });
    settings.update({ 'network.host': 'devbox.local' }, 'console:test');
    expect(settings.get()['network.host']).toBe('devbox.local');
  });

  it('is all or nothing: one bad value in a change of several, or a set and reset of one key, writes nothing', () => {
    const { settings } = setup();
    settings.update({ 'rate_limit.ip_rps': 5 }, 'console:test');
    expect(refusal(() => settings.apply({ set: { 'rate_limit.ip_burst': 9, 'network.api_port': -1 }, reset: ['rate_limit.ip_rps'] }, 'console:test'))).toMatch(/network\.api_port/);
    expect(refusal(() => settings.apply({ set: { 'rate_limit.ip_rps': 9 }, reset: ['rate_limit.ip_rps'] }, 'console:test'))).toMatch(/cannot be set and reset/);
    expect(settings.overridden()).toEqual(['rate_limit.ip_rps']);
    expect(settings.get()['rate_limit.ip_burst']).toBe(DEFAULT_RATE_LIMIT_CONFIG.ipBurst);
  });

  it('ignores a stored value this version cannot read (the environment applies)', () => {
    const { core, settings } = setup();
    core.db.prepare("INSERT INTO settings (tenant_id, key, value, updated_by, updated_at) VALUES ('default', 'network.api_port', '\"eighty\"', 'x', '2026-01-01T00:00:00Z')").run();
    core.db.prepare("INSERT INTO settings (tenant_id, key, value, updated_by, updated_at) VALUES ('default', 'cors.allowed_origins', '[\"*\"]', 'x', '2026-01-01T00:00:00Z')").run();
    expect(settings.get()).toMatchObject({ 'network.api_port': 8081, 'cors.allowed_origins': ['http://localhost:5173'] });
    expect(settings.overridden()).toEqual([]);
  });

  it('covers every key in the shared REST schema', async () => {
    const { settingsValuesSchema } = await import('../../../../../src/shared/api/admin');
    expect(Object.keys(settingsValuesSchema.shape).sort()).toEqual([...SETTING_KEYS].sort());
  });
});

describe('start-up overlay', () => {
  it('puts stored host, ports and TLS options over the environment, keeps the certificate files, and names each override', () => {
    const { core, settings } = setup();
    settings.update({ 'network.host': '0.0.0.0', 'network.api_port': 9443, 'tls.api.enabled': true, 'tls.api.min_version': 'TLSv1.3', 'tls.api.client_auth': 'require', 'tls.api.http2': false, 'tls.mcp.session_tickets': false, 'network.mcp_port': 8080 }, 'console:test');
    const config = overlayStartupSettings(core.config, startupValues(settings.get()));
    expect(config).toMatchObject({ host: '0.0.0.0', apiPort: 9443, mcpPort: 8080 });
    expect(config.tls.api).toEqual({ ...core.config.tls.api, enabled: true, minVersion: 'TLSv1.3', clientAuth: 'require', http2: false });
    expect(config.tls.mcp.sessionTickets).toBe(false);
    // Stored but equal to the environment (network.mcp_port): not an override worth mentioning.
    const overrides = startupOverrides(settings);
    expect(overrides.map((o) => o.variable)).toEqual(['DEVMESH_HOST', 'API_PORT', 'API_TLS_ENABLED', 'API_TLS_MIN_VERSION', 'API_TLS_CLIENT_AUTH', 'API_TLS_HTTP2', 'MCP_TLS_SESSION_TICKETS']);
    expect(describeOverride(overrides[1] as (typeof overrides)[number])).toMatch(/^API_PORT=8081 is overridden by the console setting network\.api_port=9443/);
  });
});
