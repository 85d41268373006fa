// DNS-rebinding and cross-site protection: a Host that is not ours gets 421, a present Origin that is not allowed gets 403.
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../shared/errors';

export interface OriginGuardOptions {
  /** Host names (without port) this server answers to. */
  allowedHosts: readonly string[];
  /** Exact origins (scheme://host[:port]) browsers may call from; empty means none. */
  allowedOrigins: readonly string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** localhost, 127.0.0.1 and [::1], plus the bind host when it is a specific address or name. */
export function defaultAllowedHosts(bindHost: string): string[] {
  const hosts = new Set(LOOPBACK_NAMES);
  if (bindHost !== '0.0.0.0' && bindHost !== '::') hosts.add(bindHost.toLowerCase());
  return [...hosts];
}

/** "127.0.0.1:8081" -> "127.0.0.1", "[::1]:8081" -> "::1"; undefined when the header is malformed. */
export function hostName(hostHeader: string): string | undefined {
  const value = hostHeader.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed !== null) return isIP(bracketed[1] as string) === 6 ? bracketed[1] : undefined;
  const plain = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(value);
  return plain === null ? undefined : plain[1];
}

export function registerOriginGuard(app: FastifyInstance, { allowedHosts, allowedOrigins }: OriginGuardOptions): void {
  const hosts = new Set(allowedHosts.map((h) => h.toLowerCase()));
  const origins = new Set(allowedOrigins);
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host;
    const name = typeof host === 'string' ? hostName(host) : undefined;
    if (name === undefined || !hosts.has(name)) {
      throw new AppError('HOST_NOT_ALLOWED', `this server does not answer to host ${JSON.stringify(host ?? '')}; use one of ${[...hosts].join(', ')}`);
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has(origin)) {
      throw new AppError('ORIGIN_NOT_ALLOWED', `requests from origin ${JSON.stringify(origin)} are not allowed`);
    }
  });
}
