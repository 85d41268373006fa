// DNS-rebinding and cross-site protection: a Host that is not ours gets 421, a present Origin that is not allowed gets 403.
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../../shared/errors';

export interface OriginGuardOptions {
  hostAllowed: (hostHeader: string | undefined) => boolean;
  /** Host names (without port) this server answers to, for the message. */
  allowedHosts: readonly string[];
  /** Exact origins (scheme://host[:port]) browsers may call from; empty means none. */
  allowedOrigins: AllowedOrigins;
}

/** A fixed list, or a getter read on every request (the console changes it live); the getter must be cheap and return the same array until the list changes. */
export type AllowedOrigins = readonly string[] | (() => readonly string[]);

/** A membership test over `allowedOrigins` that rebuilds its set only when the getter hands back a different list. */
export function originAllowed(allowedOrigins: AllowedOrigins): (origin: string) => boolean {
  if (typeof allowedOrigins !== 'function') {
    const fixed = new Set(allowedOrigins);
    return (origin) => fixed.has(origin);
  }
  let seen: readonly string[] | undefined;
  let set = new Set<string>();
  return (origin) => {
    const list = allowedOrigins();
    if (list !== seen) {
      // A reloaded settings cache hands back an equal list in a new array: rebuild only when the content changed.
      if (seen === undefined || list.length !== seen.length || list.some((o, i) => o !== seen?.[i])) set = new Set(list);
      seen = list;
    }
    return set.has(origin);
  };
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

/** A predicate over the raw Host header: true only for a well-formed header naming one of `allowedHosts`. */
export function hostCheck(allowedHosts: readonly string[]): (hostHeader: string | undefined) => boolean {
  const hosts = new Set(allowedHosts.map((h) => h.toLowerCase()));
  return (hostHeader) => {
    const name = typeof hostHeader === 'string' ? hostName(hostHeader) : undefined;
    return name !== undefined && hosts.has(name);
  };
}

export function hostNotAllowed(hostHeader: string | undefined, allowedHosts: readonly string[]): AppError {
  return new AppError('HOST_NOT_ALLOWED', `this server does not answer to host ${JSON.stringify(hostHeader ?? '')}; use one of ${allowedHosts.join(', ')}`);
}

/** Host of an HTTP/1.1 request, or :authority of an HTTP/2 one (which carries no Host header). */
export function hostHeaderOf(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const host = headers.host ?? headers[':authority'];
  return typeof host === 'string' ? host : undefined;
}

/** The request check both servers run first: a Host that is not ours (421) or a present Origin not allowed (403). */
export function originGuard({ hostAllowed, allowedHosts, allowedOrigins }: OriginGuardOptions): (request: Pick<FastifyRequest, 'headers'>) => AppError | undefined {
  const allowed = originAllowed(allowedOrigins);
  return (request) => {
    const host = hostHeaderOf(request.headers);
    if (!hostAllowed(host)) return hostNotAllowed(host, allowedHosts);
    const origin = request.headers.origin;
    if (origin !== undefined && !allowed(origin)) return new AppError('ORIGIN_NOT_ALLOWED', `requests from origin ${JSON.stringify(origin)} are not allowed`);
    return undefined;
  };
}
