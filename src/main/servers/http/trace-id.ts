// Trace ids: taken from a valid W3C traceparent header, otherwise generated; every response and error carries one.
import type { IncomingMessage } from 'node:http';
import { createRandomPool } from '../../core/crypto/random-pool';

export const TRACE_HEADER = 'x-trace-id';
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ZERO_TRACE = '0'.repeat(32);
/** One getrandom call per 256 trace ids instead of one per request. */
const random = createRandomPool();

export function traceIdFrom(req: IncomingMessage): string {
  const header = req.headers.traceparent;
  if (typeof header === 'string') {
    const match = TRACEPARENT.exec(header.trim().toLowerCase());
    if (match !== null && match[1] !== ZERO_TRACE) return match[1] as string;
  }
  return random(16).toString('hex');
}
