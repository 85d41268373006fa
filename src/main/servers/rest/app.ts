// The REST API server (default 127.0.0.1:8081). Issue-by-issue it gains /api/v1 routes; today it serves /health behind the shared guards.
import type { FastifyInstance } from 'fastify';
import { createHttpServer, type HttpServerOptions } from '../http/create-server';

export type RestAppOptions = HttpServerOptions;

export function buildRestApp(options: RestAppOptions): FastifyInstance {
  return createHttpServer(options);
}
