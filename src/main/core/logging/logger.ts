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
    // On a terminal: one short line per record (fields are for machines; they stay in the JSON form).
    return pino(
      options,
      pinoPretty({
        destination: destination as NodeJS.WritableStream & { fd?: number },
        colorize: true,
        translateTime: 'SYS:HH:MM:ss',
        sync: true,
        hideObject: true,
        messageFormat: '{if server}[{server}] {end}{msg}{if err.message}: {err.message}{end}',
      }),
    );
  }
  return pino(options, destination);
}
