// TLS settings of one server from the seed's variables (API_TLS_* and MCP_TLS_*), validated so a bad value fails at start naming the variable.
import { AppError } from '../shared/errors';

export const CLIENT_AUTH_MODES = ['none', 'request', 'require', 'verify'] as const;
export type ClientAuthMode = (typeof CLIENT_AUTH_MODES)[number];

export interface TlsConfig {
  readonly enabled: boolean;
  /** PEM files; both or neither. Neither: the mesh-issued certificate chosen with `devmesh certs use`. */
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** none: no client certificate; request: asked for, used when valid; verify: optional, but a presented one must verify; require: a valid one is required. */
  readonly clientAuth: ClientAuthMode;
  /** PEM bundle of CAs client certificates must chain to; default: the mesh CA. */
  readonly clientCaFile: string | undefined;
  readonly sessionTickets: boolean;
  /** HTTP/2 via ALPN, with HTTP/1.1 for clients that do not offer h2 (and for WebSocket upgrades). */
  readonly http2: boolean;
  /** A DER OCSP response to staple (a local CA has no responder, so usually none). */
  readonly ocspResponseFile: string | undefined;
}

export const DEFAULT_TLS_CONFIG: TlsConfig = {
  enabled: false,
  certFile: undefined,
  keyFile: undefined,
  minVersion: 'TLSv1.2',
  clientAuth: 'none',
  clientCaFile: undefined,
  sessionTickets: true,
  http2: true,
  ocspResponseFile: undefined,
};

type Env = Readonly<Record<string, string | undefined>>;

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new AppError('CONFIG_INVALID', `${name}=${JSON.stringify(env[name])} must be true or false`);
}

function path(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw.includes('\0')) throw new AppError('CONFIG_INVALID', `${name} contains a NUL byte; set it to a file path`);
  return raw;
}

/** The TLS settings of the server whose variables start with `prefix` ("API" or "MCP"). */
export function readTlsConfig(prefix: 'API' | 'MCP', env: Env): TlsConfig {
  const v = (suffix: string) => `${prefix}_TLS_${suffix}`;
  const minRaw = env[v('MIN_VERSION')]?.trim();
  let minVersion: TlsConfig['minVersion'] = 'TLSv1.2';
  if (minRaw !== undefined && minRaw !== '') {
    const normalized = minRaw.replace(/^tlsv?/i, '');
    if (normalized === '1.2') minVersion = 'TLSv1.2';
    else if (normalized === '1.3') minVersion = 'TLSv1.3';
    else throw new AppError('CONFIG_INVALID', `${v('MIN_VERSION')}=${JSON.stringify(minRaw)} must be 1.2 or 1.3 (older versions are not offered)`);
  }
  const authRaw = (env[v('CLIENT_AUTH')]?.trim() || 'none').toLowerCase();
  if (!(CLIENT_AUTH_MODES as readonly string[]).includes(authRaw)) {
    throw new AppError('CONFIG_INVALID', `${v('CLIENT_AUTH')}=${JSON.stringify(env[v('CLIENT_AUTH')])} must be one of ${CLIENT_AUTH_MODES.join(', ')}`);
  }
  const certFile = path(env, v('CERT_FILE'));
  const keyFile = path(env, v('KEY_FILE'));
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new AppError('CONFIG_INVALID', `${v('CERT_FILE')} and ${v('KEY_FILE')} go together: set both, or neither to serve the certificate chosen with \`devmesh certs use\``);
  }
  return {
    enabled: bool(env, v('ENABLED'), false),
    certFile,
    keyFile,
    minVersion,
    clientAuth: authRaw as ClientAuthMode,
    clientCaFile: path(env, v('CLIENT_CA_FILE')),
    sessionTickets: bool(env, v('SESSION_TICKETS'), true),
    http2: bool(env, v('HTTP2'), true),
    ocspResponseFile: path(env, v('OCSP_RESPONSE_FILE')),
  };
}
