// One error model for every adapter (REST, MCP, IPC, CLI): a closed set of codes, each mapped to an HTTP status and a JSON-RPC code.

/** JSON-RPC 2.0 codes: the spec's reserved ones plus the implementation-defined -32000..-32099 range. */
const RPC_INVALID_PARAMS = -32602;
const RPC_INTERNAL = -32603;
const RPC_SERVER = -32000;

interface ErrorSpec {
  readonly http: number;
  readonly rpc: number;
  /** What it means and what the user can do about it (documented in README's error table). */
  readonly description: string;
}

/** The registry. Add a code here, in README's error table, and nowhere else. */
export const ERROR_REGISTRY = {
  // Start-up and configuration: reported by the CLI as one line, by the desktop app as a dialog.
  CONFIG_INVALID: { http: 500, rpc: RPC_INTERNAL, description: 'An environment variable has an invalid value; the message names it and the fix.' },
  DATA_DIR_UNUSABLE: { http: 500, rpc: RPC_INTERNAL, description: 'The data directory cannot be created, read or written.' },
  INSTANCE_LOCKED: { http: 500, rpc: RPC_INTERNAL, description: 'Another instance is already serving this data directory.' },
  PORT_IN_USE: { http: 500, rpc: RPC_INTERNAL, description: 'A listener port is taken; the message names the port and its variable.' },
  KEYCHAIN_UNAVAILABLE: { http: 500, rpc: RPC_INTERNAL, description: 'The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager) cannot be reached.' },
  MASTER_KEY_UNAVAILABLE: { http: 500, rpc: RPC_INTERNAL, description: 'No master key: neither the OS keychain nor ENCRYPTION_MASTER_KEY can provide one.' },
  MASTER_KEY_MISSING: { http: 500, rpc: RPC_INTERNAL, description: 'The data was encrypted with a master key that is not in the keychain.' },
  MASTER_KEY_WEAK: { http: 500, rpc: RPC_INTERNAL, description: 'ENCRYPTION_MASTER_KEY is not base64 or hex of at least 32 random bytes.' },
  MASTER_KEY_WRONG: { http: 500, rpc: RPC_INTERNAL, description: 'The master key does not match the one this data was encrypted with.' },
  STORAGE_CORRUPT: { http: 500, rpc: RPC_INTERNAL, description: 'The database file is damaged or is not a SQLite database.' },
  STORAGE_FOREIGN: { http: 500, rpc: RPC_INTERNAL, description: "The database file belongs to another program." },
  STORAGE_NEWER_SCHEMA: { http: 503, rpc: RPC_SERVER, description: 'The database was written by a newer version; it is opened read-only.' },
  STORAGE_READ_ONLY: { http: 503, rpc: RPC_SERVER, description: 'A write was attempted on a database opened read-only.' },
  CRYPTO_DECRYPT_FAILED: { http: 500, rpc: RPC_INTERNAL, description: 'A stored secret could not be decrypted (wrong key, moved ciphertext or tampering).' },
  ROTATION_FAILED: { http: 500, rpc: RPC_INTERNAL, description: 'Master-key rotation failed; nothing was changed.' },

  // Request-level errors shared by every server.
  BAD_REQUEST: { http: 400, rpc: RPC_INVALID_PARAMS, description: 'The request is malformed.' },
  VALIDATION_FAILED: { http: 400, rpc: RPC_INVALID_PARAMS, description: 'A field is missing, unknown or of the wrong type; the message names it.' },
  HOST_NOT_ALLOWED: { http: 421, rpc: RPC_SERVER, description: 'The Host header is not one this server answers to (DNS-rebinding protection).' },
  ORIGIN_NOT_ALLOWED: { http: 403, rpc: RPC_SERVER, description: 'The Origin header names a site that is not allowed.' },
  IP_BLOCKED: { http: 403, rpc: RPC_SERVER, description: 'The client address is on the blocklist (devmesh block-ip).' },
  AUTH_REQUIRED: { http: 401, rpc: RPC_SERVER, description: 'No credential was sent: use Authorization: Bearer <token or API key>, or X-API-Key.' },
  AUTH_INVALID: { http: 401, rpc: RPC_SERVER, description: 'The credential is not valid (wrong, unknown, revoked, expired key, or a disabled or locked account).' },
  AUTH_TOKEN_EXPIRED: { http: 401, rpc: RPC_SERVER, description: 'The access token has expired; get a new one with the refresh token.' },
  FORBIDDEN: { http: 403, rpc: RPC_SERVER, description: 'The credential is valid but its role lacks the permission; the message names it.' },
  NOT_FOUND: { http: 404, rpc: RPC_SERVER, description: 'No such route or resource.' },
  CONFLICT: { http: 409, rpc: RPC_SERVER, description: 'The resource already exists or changed meanwhile (e.g. a username that is taken).' },
  PAYLOAD_TOO_LARGE: { http: 413, rpc: RPC_INVALID_PARAMS, description: 'The request body exceeds the size limit.' },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, rpc: RPC_INVALID_PARAMS, description: 'The request body has a content type this route does not accept.' },
  RATE_LIMITED: { http: 429, rpc: RPC_SERVER, description: 'Too many requests; retry after the number of seconds in Retry-After.' },
  INTERNAL: { http: 500, rpc: RPC_INTERNAL, description: 'An unexpected error; details are in the server log under the trace id.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_REGISTRY;

export const ERROR_CODES = Object.keys(ERROR_REGISTRY) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_REGISTRY, value);
}

/** A failure the user can act on. `message` is safe to show; `cause` is for logs only. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /** What Fastify (and other Node HTTP code) reads if an AppError reaches its default handler; Fastify also writes it. */
  statusCode: number;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.statusCode = ERROR_REGISTRY[code].http;
  }

  get httpStatus(): number {
    return ERROR_REGISTRY[this.code].http;
  }


  get rpcCode(): number {
    return ERROR_REGISTRY[this.code].rpc;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** The wire shape every server and the IPC layer use for errors. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; trace_id: string };
}
