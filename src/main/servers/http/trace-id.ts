// Trace ids: taken from a valid W3C traceparent header, otherwise generated; every response and error carries one.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TRACE_HEADER = 'x-trace-id';
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ZERO_TRACE = '0'.repeat(32);

export function traceIdFrom(req: IncomingMessage): string {
  const header = req.headers.traceparent;
  if (typeof header === 'string') {
    const match = TRACEPARENT.exec(header.trim().toLowerCase());
    if (match !== null && match[1] !== ZERO_TRACE) return match[1] as string;
  }
  return randomBytes(16).toString('hex');
}
