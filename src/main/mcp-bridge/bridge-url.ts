// Which /mcp endpoint the stdio bridge talks to: --url, or DEVMESH_HOST and MCP_PORT from the environment as `devmesh serve` reads them.
import { AppError } from '../../shared/errors';
import { isLoopbackHost } from '../config';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_MCP_PORT = 8080;

/** A mesh bound to every interface is reached on loopback; the other hosts are used as given. */
function connectHost(host: string): string {
  if (host === '0.0.0.0') return DEFAULT_HOST;
  if (host === '::') return '::1';
  return host;
}

function mcpPort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_MCP_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AppError('VALIDATION_FAILED', `MCP_PORT=${JSON.stringify(raw)} is not a port the bridge can connect to; set the mesh's MCP port (1-65535) or pass --url http://127.0.0.1:<port>/mcp`);
  }
  return port;
}

/** The default endpoint: http(s)://<DEVMESH_HOST>:<MCP_PORT>/mcp (https when MCP_TLS_ENABLED), an IPv6 host in brackets. */
export function defaultBridgeUrl(env: NodeJS.ProcessEnv = process.env): URL {
  const host = connectHost(env.DEVMESH_HOST?.trim() || DEFAULT_HOST);
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const port = mcpPort(env.MCP_PORT);
  const scheme = /^(true|1)$/i.test(env.MCP_TLS_ENABLED?.trim() ?? '') ? 'https' : 'http';
  try {
    return new URL(`${scheme}://${hostPart}:${port}/mcp`);
  } catch {
    throw new AppError('VALIDATION_FAILED', `DEVMESH_HOST=${JSON.stringify(host)} is not a host name or IP address; fix it or pass --url http://127.0.0.1:${port}/mcp`);
  }
}

/** Checks --url: an absolute http(s) URL without embedded credentials (the key travels in the Authorization header only). */
export function parseBridgeUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('VALIDATION_FAILED', `--url ${JSON.stringify(raw)} is not a URL; use e.g. --url http://127.0.0.1:8080/mcp`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('VALIDATION_FAILED', `--url must be an http:// or https:// URL (the mesh's /mcp endpoint), not ${url.protocol}//...`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new AppError('VALIDATION_FAILED', `--url must not carry a user name or password; the bridge sends the API key from the keychain or DEVMESH_API_KEY`);
  }
  return url;
}

/** True when the API key would cross a network in clear text. */
export function sendsKeyInClear(url: URL): boolean {
  return url.protocol === 'http:' && !isLoopbackHost(url.hostname.replace(/^\[(.*)\]$/, '$1'));
}
