// Operational logs (pino, JSON on stderr; human-readable on a terminal) with secrets censored. Audit events go to stdout separately.
import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { REDACTED } from '../redact';
import type { LogLevel } from '../../config';

export type { Logger };

/** Paths pino censors (fast-redact needs explicit paths; audit metadata uses the redact() function instead). */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password', '*.password', 'token', '*.token', 'secret', '*.secret', 'key', '*.key',
  'apiKey', '*.apiKey', 'api_key', '*.api_key', 'masterKey', '*.masterKey', 'refresh_token', '*.refresh_token',
  'access_token', '*.access_token', 'authorization', '*.authorization',
];

export interface CreateLoggerOptions {
  level: LogLevel;
  /** Defaults to stderr: stdout carries the audit trail's JSON lines. */
  destination?: NodeJS.WritableStream;
  pretty?: boolean;
}

export function createLogger({ level, destination = process.stderr, pretty = false }: CreateLoggerOptions): Logger {
  const options = { level, base: { name: 'devmesh' }, redact: { paths: LOG_REDACT_PATHS, censor: REDACTED } };
  if (pretty) {
    return pino(options, pinoPretty({ destination: destination as NodeJS.WritableStream & { fd?: number }, colorize: true, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss', sync: true }));
  }
  return pino(options, destination);
}
