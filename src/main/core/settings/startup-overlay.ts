// Start-up settings over the environment: the composition root starts the servers with the stored host, ports and TLS options (stored wins), and says which variables they override.
import type { MeshConfig } from '../../config';
import { SETTING_ENV_VARS, STARTUP_KEYS, type Settings, type SettingsService, type StartupKey, type StartupSettings } from './settings-service';

export function startupValues(values: Settings): StartupSettings {
  return Object.fromEntries(STARTUP_KEYS.map((key) => [key, values[key]])) as StartupSettings;
}

/** `config` with the start-up settings applied; certificate files and client CAs stay the environment's. */
export function overlayStartupSettings(config: MeshConfig, values: StartupSettings): MeshConfig {
  const tls = (server: 'api' | 'mcp') => ({
    ...config.tls[server],
    enabled: values[`tls.${server}.enabled`],
    minVersion: values[`tls.${server}.min_version`],
    clientAuth: values[`tls.${server}.client_auth`],
    http2: values[`tls.${server}.http2`],
    sessionTickets: values[`tls.${server}.session_tickets`],
  });
  return { ...config, host: values['network.host'], apiPort: values['network.api_port'], mcpPort: values['network.mcp_port'], tls: { api: tls('api'), mcp: tls('mcp') } };
}

export interface StartupOverride {
  key: StartupKey;
  /** The environment variable it overrides. */
  variable: string;
  environment: unknown;
  console: unknown;
}

/** Start-up settings set from the console (or REST) whose value differs from the environment's. */
export function startupOverrides(settings: Pick<SettingsService, 'get' | 'environment' | 'overridden'>): StartupOverride[] {
  const values = settings.get();
  const env = settings.environment();
  const overridden = new Set<string>(settings.overridden());
  return STARTUP_KEYS.filter((key) => overridden.has(key) && values[key] !== env[key]).map((key) => ({ key, variable: SETTING_ENV_VARS[key] ?? key, environment: env[key], console: values[key] }));
}

/** "API_PORT=8081 is overridden by the console setting network.api_port=9000" — for serve's log and doctor. */
export function describeOverride(o: StartupOverride): string {
  return `${o.variable}=${String(o.environment)} is overridden by the console setting ${o.key}=${String(o.console)} (reset it on the Settings page or with \`devmesh settings reset ${o.key}\`)`;
}
