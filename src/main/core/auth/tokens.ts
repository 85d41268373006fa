// Random opaque tokens (API keys dmk_<id>_<secret>, refresh tokens dmr_<id>_<secret>) and their keyed hashes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniformly random base62 text (rejection sampling: no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export const ID_LENGTH = 16;
/** 43 base62 characters carry 256 bits. */
export const SECRET_LENGTH = 43;

export interface OpaqueToken {
  id: string;
  secret: string;
}

export function newOpaqueToken(prefix: 'dmk' | 'dmr'): OpaqueToken & { raw: string } {
  const id = randomBase62(ID_LENGTH);
  const secret = randomBase62(SECRET_LENGTH);
  return { id, secret, raw: `${prefix}_${id}_${secret}` };
}

/** Splits "dmk_<id>_<secret>"; undefined for anything else (callers answer with the generic invalid-credential error). */
const TOKEN_PATTERNS = {
  dmk: new RegExp(`^dmk_([0-9A-Za-z]{${ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})$`),
  dmr: new RegExp(`^dmr_([0-9A-Za-z]{${ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})$`),
} as const;

export function parseOpaqueToken(prefix: 'dmk' | 'dmr', raw: string): OpaqueToken | undefined {
  const match = TOKEN_PATTERNS[prefix].exec(raw);
  return match === null ? undefined : { id: match[1] as string, secret: match[2] as string };
}

/**
 * HMAC-SHA256 under a server-side pepper, binding the token's id. A 256-bit random secret needs no slow hash (bcrypt
 * would cap a core at a few requests per second and give attackers a CPU lever); the pepper means a stolen database
 * alone cannot even test guesses.
 */
export function keyedHash(pepper: Uint8Array, token: OpaqueToken): Buffer {
  return createHmac('sha256', pepper).update(token.id).update('\0').update(token.secret).digest();
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
