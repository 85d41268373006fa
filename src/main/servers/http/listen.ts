// Starts a server on host:port and turns bind failures into one actionable line naming the port and its variable.
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../../shared/errors';

export interface ListenTarget {
  host: string;
  port: number;
  /** The variable that sets this port (API_PORT, MCP_PORT), for the error message. */
  portVariable: string;
  tls?: boolean;
}

export function formatUrl(scheme: 'http' | 'https', host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Listens and returns the bound URL (the real port when 0 was asked for). */
export async function listen(app: FastifyInstance, { host, port, portVariable, tls = false }: ListenTarget): Promise<string> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new AppError('PORT_IN_USE', `port ${port} (${portVariable}) is already in use on ${host}; stop the program using it or set ${portVariable} to a free port`, { cause: error });
    }
    if (code === 'EACCES') {
      throw new AppError('PORT_IN_USE', `not allowed to listen on port ${port} (${portVariable}); ports below 1024 need privileges, so set ${portVariable} to a higher port`, { cause: error });
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new AppError('CONFIG_INVALID', `cannot listen on ${host}: no such address on this machine; set DEVMESH_HOST to a local address such as 127.0.0.1`, { cause: error });
    }
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  return formatUrl(tls ? 'https' : 'http', host, address.port);
}
