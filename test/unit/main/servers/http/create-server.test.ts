import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../../../../src/main/servers/http/create-server';
import { listen } from '../../../../../src/main/servers/http/listen';
import { AppError } from '../../../../../src/shared/errors';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function server(): Promise<FastifyInstance> {
  const app = await createHttpServer({ logger: pino({ level: 'silent' }), allowedHosts: ['localhost', '127.0.0.1', '::1'], allowedOrigins: [] });
  app.get('/boom', { config: { public: true } }, async () => {
    throw new Error('SELECT secret FROM internals');
  });
  app.get('/app-error', { config: { public: true } }, async () => {
    throw new AppError('VALIDATION_FAILED', 'field "name" is required');
  });
  apps.push(app);
  return app;
}

describe('the shared HTTP base', () => {
  it('answers GET /health with {"status":"ok"} and a trace id header', async () => {
    const res = await (await server()).inject({ method: 'GET', url: '/health', headers: { host: '127.0.0.1:8081' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('takes the trace id from a valid traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await (await server()).inject({ method: 'GET', url: '/nope', headers: { host: 'localhost', traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(res.headers['x-trace-id']).toBe(traceId);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /nope', trace_id: traceId } });
  });

  it('ignores a malformed traceparent', async () => {
    const res = await (await server()).inject({ method: 'GET', url: '/health', headers: { host: 'localhost', traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' } });
    expect(res.headers['x-trace-id']).not.toBe('0'.repeat(32));
  });

  it('refuses a foreign Host (DNS rebinding) with 421 in the error shape', async () => {
    for (const host of ['evil.example', 'evil.example:8081', '127.0.0.1.evil.example', 'a b', 'localhost.']) {
      const res = await (await server()).inject({ method: 'GET', url: '/health', headers: { host } });
      expect(res.statusCode, host).toBe(421);
      expect(res.json().error.code).toBe('HOST_NOT_ALLOWED');
    }
  });

  it('accepts every loopback spelling of Host', async () => {
    for (const host of ['localhost', 'localhost:8081', '127.0.0.1', '127.0.0.1:8081', '[::1]:8081', 'LOCALHOST']) {
      const res = await (await server()).inject({ method: 'GET', url: '/health', headers: { host } });
      expect(res.statusCode, host).toBe(200);
    }
  });

  it('refuses a present Origin that is not allowed with 403; no Origin passes', async () => {
    const app = await server();
    const bad = await app.inject({ method: 'GET', url: '/health', headers: { host: 'localhost', origin: 'https://evil.example' } });
    expect(bad.statusCode).toBe(403);
    expect(bad.json().error.code).toBe('ORIGIN_NOT_ALLOWED');
    const none = await app.inject({ method: 'GET', url: '/health', headers: { host: 'localhost' } });
    expect(none.statusCode).toBe(200);
  });

  it('never leaks internals in a 500, but keeps the trace id', async () => {
    const res = await (await server()).inject({ method: 'GET', url: '/boom', headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body).toEqual({ error: { code: 'INTERNAL', message: 'internal error', trace_id: res.headers['x-trace-id'] } });
    expect(res.body).not.toContain('SELECT');
  });

  it('passes 4xx AppError messages through with their status', async () => {
    const res = await (await server()).inject({ method: 'GET', url: '/app-error', headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'field "name" is required' });
  });
});

describe('listen', () => {
  it('names the port and its variable when the port is taken', async () => {
    const first = await server();
    const url = await listen(first, { host: '127.0.0.1', port: 0, portVariable: 'API_PORT' });
    const port = Number(new URL(url).port);
    const second = await server();
    await expect(listen(second, { host: '127.0.0.1', port, portVariable: 'API_PORT' })).rejects.toThrow(new RegExp(`port ${port} \\(API_PORT\\) is already in use.*set API_PORT`));
  });
});
