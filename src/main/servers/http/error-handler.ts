// Every failure leaves as {"error":{"code","message","trace_id"}}; 5xx bodies never carry internals (they go to the log under the trace id).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BASELINE_SECURITY_HEADERS } from './security-headers';
import { hostHeaderOf } from './origin-guard';
import { TRACE_HEADER, traceIdFrom } from './trace-id';
import { AppError, type ErrorBody, type ErrorCode, ERROR_REGISTRY } from '../../../shared/errors';

const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
};

export function errorBody(code: ErrorCode, message: string, traceId: string): ErrorBody {
  return { error: { code, message, trace_id: traceId } };
}

/** Maps any thrown value to a safe code, status and message. */
export function classify(error: unknown): { code: ErrorCode; status: number; message: string } {
  if (error instanceof AppError) {
    const status = error.httpStatus;
    return { code: error.code, status, message: status >= 500 && status !== 503 ? 'internal error' : error.message };
  }
  const fe = error as Partial<FastifyError>;
  if (fe.validation !== undefined) {
    return { code: 'VALIDATION_FAILED', status: 400, message: fe.message ?? 'invalid request' };
  }
  const mapped = typeof fe.code === 'string' ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped !== undefined) return { code: mapped, status: ERROR_REGISTRY[mapped].http, message: fe.message ?? mapped };
  if (error instanceof SyntaxError) return { code: 'BAD_REQUEST', status: 400, message: 'request body is not valid JSON' };
  return { code: 'INTERNAL', status: 500, message: 'internal error' };
}

/** Headers some errors must carry: a Bearer challenge on 401, retry hints on 429. */
export function errorHeaders(code: ErrorCode, error: unknown): Record<string, string> {
  if (code === 'AUTH_REQUIRED') return { 'www-authenticate': 'Bearer realm="devmesh"' };
  if (code === 'AUTH_INVALID' || code === 'AUTH_TOKEN_EXPIRED') return { 'www-authenticate': 'Bearer realm="devmesh", error="invalid_token"' };
  if (code === 'RATE_LIMITED' && error instanceof AppError && error.details !== undefined) {
    const d = error.details as { retryAfterSeconds?: number; limit?: number; remaining?: number; resetSeconds?: number };
    return {
      'retry-after': String(Math.max(1, d.retryAfterSeconds ?? 1)),
      ...(d.limit === undefined ? {} : { 'ratelimit-limit': String(d.limit) }),
      'ratelimit-remaining': String(d.remaining ?? 0),
      ...(d.resetSeconds === undefined ? {} : { 'ratelimit-reset': String(d.resetSeconds) }),
    };
  }
  return {};
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { code, status, message } = classify(error);
    if (status >= 500) request.log.error({ err: error, trace_id: request.id }, 'request failed');
    else request.log.debug({ code, trace_id: request.id }, message);
    void reply.code(status).headers(errorHeaders(code, error)).type('application/json; charset=utf-8').send(errorBody(code, message, request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).type('application/json; charset=utf-8').send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`, request.id));
  });
}

/**
 * Fastify answers some malformed requests itself, before any hook (a URL that does not decode, an over-long path
 * parameter). Those answers get the same shape, trace id and headers as every other, and a foreign Host still a 421.
 */
export function frameworkErrorHandler(hostAllowed: (host: string | undefined) => boolean) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const traceId = typeof request.id === 'string' && request.id !== '' ? request.id : traceIdFrom(request.raw);
    const host = hostHeaderOf(request.headers);
    const [code, status, message]: [ErrorCode, number, string] = !hostAllowed(host)
      ? ['HOST_NOT_ALLOWED', 421, `this server does not answer to host ${JSON.stringify(host ?? '')}`]
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH' || error.statusCode === 414
        ? ['NOT_FOUND', 404, 'no such resource (a path parameter is too long)']
        : error.statusCode !== undefined && error.statusCode < 500
          ? ['BAD_REQUEST', 400, 'the request URL is malformed']
          : ['INTERNAL', 500, 'internal error'];
    if (status >= 500) request.log.error({ err: error, trace_id: traceId }, 'request failed before routing');
    void reply
      .code(status)
      .headers({ ...BASELINE_SECURITY_HEADERS, [TRACE_HEADER]: traceId })
      .type('application/json; charset=utf-8')
      .send(errorBody(code, message, traceId));
  };
}
