// The rules a setting's value must follow, pure so the console page can check a field before saving; main applies them again and is authoritative.

/** An exact browser origin: scheme://host[:port], nothing else; "*" would let every site in. Undefined when fine. */
export function originProblem(origin: string): string | undefined {
  if (origin === '*' || origin === 'null') return 'would allow every site; list the exact origins instead';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'is not an origin (scheme://host[:port])';
  }
  if (!/^https?:$/.test(url.protocol) || url.origin !== origin) return 'is not an exact origin (scheme://host[:port], no path or trailing slash)';
  return undefined;
}

export const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Ports as API_PORT and MCP_PORT take them: 0 picks a free port. */
export const PORT_MIN = 0;
export const PORT_MAX = 65_535;
/** AUDIT_RETENTION_DAYS: 0 keeps everything. */
export const RETENTION_MAX_DAYS = 36_500;

export const TLS_MIN_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export const TLS_CLIENT_AUTH_MODES = ['none', 'request', 'require', 'verify'] as const;

/** Settings the servers read when they start (a change waits for the next start); every other setting applies live. */
export const STARTUP_SETTING_KEYS = [
  'network.host',
  'network.api_port',
  'network.mcp_port',
  'tls.api.enabled',
  'tls.api.min_version',
  'tls.api.client_auth',
  'tls.api.http2',
  'tls.api.session_tickets',
  'tls.mcp.enabled',
  'tls.mcp.min_version',
  'tls.mcp.client_auth',
  'tls.mcp.http2',
  'tls.mcp.session_tickets',
] as const;
