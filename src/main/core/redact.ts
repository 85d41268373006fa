// The one redaction function for audit metadata and logs: secret-named fields and secret-looking values become "[REDACTED]".

export const REDACTED = '[REDACTED]';

/** Field names (lower-cased, separators removed) whose values are secret wherever they appear. */
const SENSITIVE_NAME_PARTS = [
  'password', 'passwd', 'passphrase', 'secret', 'token', 'authorization', 'cookie', 'apikey', 'privatekey',
  'masterkey', 'credential', 'pepper', 'signature',
] as const;
const SENSITIVE_EXACT_NAMES = new Set(['key', 'pw', 'pin', 'otp', 'totp', 'p12', 'pfx']);

/** Values that are secrets whatever they are called: our API keys, JWTs, bearer headers, PEM private keys. */
const SENSITIVE_VALUES: readonly RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bdmk_[A-Za-z0-9]+_[A-Za-z0-9_-]+/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/** One cheap test that rules out all of the above for the common string. */
const MAYBE_SENSITIVE_VALUE = /Bearer|Basic|dmk_|eyJ|PRIVATE KEY/i;

const MAX_DEPTH = 8;
const MAX_ARRAY = 200;
const MAX_STRING = 8192;

/** Field names repeat (every audit event has the same few), so their verdicts are cached; bounded, so odd names cannot grow it. */
const nameVerdicts = new Map<string, boolean>();
const MAX_CACHED_NAMES = 4096;

export function isSensitiveName(name: string): boolean {
  const cached = nameVerdicts.get(name);
  if (cached !== undefined) return cached;
  const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const verdict = SENSITIVE_EXACT_NAMES.has(normalized) || SENSITIVE_NAME_PARTS.some((part) => normalized.includes(part));
  if (nameVerdicts.size >= MAX_CACHED_NAMES) nameVerdicts.clear();
  nameVerdicts.set(name, verdict);
  return verdict;
}

export function redactString(value: string): string {
  let out = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[truncated ${value.length - MAX_STRING} chars]` : value;
  if (!MAYBE_SENSITIVE_VALUE.test(out)) return out;
  for (const pattern of SENSITIVE_VALUES) {
    pattern.lastIndex = 0;
    if (pattern.test(out)) {
      pattern.lastIndex = 0;
      out = out.replace(pattern, REDACTED);
    }
  }
  return out;
}

/** `path` holds the objects above this one: a repeat means a cycle (a shared, non-cyclic object is copied twice, as JSON would). */
function walk(node: unknown, depth: number, path: object[]): unknown {
  if (node === null || typeof node === 'number' || typeof node === 'boolean') return node;
  if (typeof node === 'string') return redactString(node);
  if (typeof node === 'bigint') return node.toString();
  if (typeof node !== 'object') return undefined; // functions, symbols, undefined
  if (path.includes(node)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  if (node instanceof Date) return Number.isNaN(node.getTime()) ? null : node.toISOString();
  if (node instanceof Uint8Array) return `[binary ${node.byteLength} bytes]`;
  if (node instanceof Error) return { name: node.name, message: redactString(node.message) };
  path.push(node);
  try {
    if (Array.isArray(node)) {
      const items = node.slice(0, MAX_ARRAY).map((item) => walk(item, depth + 1, path));
      if (node.length > MAX_ARRAY) items.push(`[${node.length - MAX_ARRAY} more]`);
      return items;
    }
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(node)) {
      if (isSensitiveName(name)) {
        out[name] = REDACTED;
        continue;
      }
      const copied = walk((node as Record<string, unknown>)[name], depth + 1, path);
      if (copied !== undefined) out[name] = copied;
    }
    return out;
  } finally {
    path.pop();
  }
}

/** Returns a JSON-safe deep copy with secrets replaced; never throws, never mutates its input. */
export function redact(value: unknown): unknown {
  return walk(value, 0, []);
}
