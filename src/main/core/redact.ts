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
  /\bdmk_[A-Za-z0-9]+_[A-Za-z0-9_-]+/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

const MAX_DEPTH = 8;
const MAX_ARRAY = 200;
const MAX_STRING = 8192;

export function isSensitiveName(name: string): boolean {
  const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SENSITIVE_EXACT_NAMES.has(normalized) || SENSITIVE_NAME_PARTS.some((part) => normalized.includes(part));
}

export function redactString(value: string): string {
  let out = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[truncated ${value.length - MAX_STRING} chars]` : value;
  for (const pattern of SENSITIVE_VALUES) {
    pattern.lastIndex = 0;
    if (pattern.test(out)) {
      pattern.lastIndex = 0;
      out = out.replace(pattern, REDACTED);
    }
  }
  return out;
}

/** Returns a JSON-safe deep copy with secrets replaced; never throws, never mutates its input. */
export function redact(value: unknown): unknown {
  const seen = new WeakSet<object>();
  const walk = (node: unknown, depth: number): unknown => {
    if (node === null || typeof node === 'number' || typeof node === 'boolean') return node;
    if (typeof node === 'string') return redactString(node);
    if (typeof node === 'bigint') return node.toString();
    if (typeof node !== 'object') return undefined; // functions, symbols, undefined
    if (seen.has(node)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    if (node instanceof Date) return Number.isNaN(node.getTime()) ? null : node.toISOString();
    if (node instanceof Uint8Array) return `[binary ${node.byteLength} bytes]`;
    if (node instanceof Error) return { name: node.name, message: redactString(node.message) };
    seen.add(node);
    if (Array.isArray(node)) {
      const items = node.slice(0, MAX_ARRAY).map((item) => walk(item, depth + 1));
      if (node.length > MAX_ARRAY) items.push(`[${node.length - MAX_ARRAY} more]`);
      return items;
    }
    const out: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(node)) {
      if (isSensitiveName(name)) {
        out[name] = REDACTED;
        continue;
      }
      const copied = walk(child, depth + 1);
      if (copied !== undefined) out[name] = copied;
    }
    return out;
  };
  return walk(value, 0);
}
