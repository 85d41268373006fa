// Access tokens: HS256 JWTs (jose) signed with a generated, encrypted-at-rest key ring that rotates with a kid and a bounded grace period.
import { randomBytes, randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { AppError } from '../../../shared/errors';
import type { SecretStore } from '../crypto/secret-store';
import type { MetaStore } from '../storage/meta';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import { randomBase62 } from './tokens';
import type { ChangeEpoch } from '../storage/change-epoch';

export const JWT_ISSUER = 'devmesh';
export const JWT_AUDIENCE = 'devmesh-api';
export const JWT_ALGORITHM = 'HS256';
export const CLOCK_SKEW_SECONDS = 30;
const META_KEYRING = 'jwt_keyring';
const ENV_KID = 'env';
const KEYRING_RECHECK_MS = 1000;
const CACHE_LIMIT = 10_000;

export interface AccessClaims {
  sub: string;
  role: string;
  tenant: string;
  jti: string;
  exp: number;
  iat: number;
}

interface Keyring {
  current: string;
  previous: { kid: string; valid_until: number } | null;
}

export interface JwtService {
  sign(subject: { userId: string; role: string; tenantId: string }): Promise<{ token: string; expiresIn: number }>;
  /** Verified claims, or AUTH_INVALID / AUTH_TOKEN_EXPIRED. */
  verify(token: string): Promise<AccessClaims>;
  /** The claims of a token verified before and still valid, synchronously; undefined when it must go through verify(). */
  verifiedBefore(token: string): AccessClaims | undefined;
  /** New signing key. With grace, tokens of the old key stay valid until they expire (one access lifetime), never longer. */
  rotate(options?: { grace?: boolean }): { kid: string; previousValidUntil: string | null };
  currentKid(): string;
}

export interface JwtServiceDeps {
  secrets: SecretStore;
  meta: MetaStore;
  accessTtlSeconds: number;
  /** JWT_SECRET (at least 32 bytes): a fixed key instead of the generated ring; rotation is then the operator's job. */
  envSecret?: Uint8Array | undefined;
  /** With a change epoch the key ring is re-read as soon as the database changed (a rotation by the CLI counts on the next request); without, once a second. */
  epoch?: ChangeEpoch | undefined;
  now?: () => Date;
}

function secretName(kid: string): string {
  return `jwt-key:${kid}`;
}

export function createJwtService({ secrets, meta, accessTtlSeconds, envSecret, epoch, now = () => new Date() }: JwtServiceDeps): JwtService {
  const keys = new Map<string, Uint8Array>();
  const verified = new Map<string, AccessClaims>();
  let ring: Keyring;
  let ringText: string | undefined;
  let checkedAt = 0;
  let checkedEpoch = Number.NaN;

  function load(force = false): void {
    if (envSecret !== undefined) {
      ring = { current: ENV_KID, previous: null };
      keys.set(ENV_KID, envSecret);
      return;
    }
    if (!force && ringText !== undefined) {
      if (epoch !== undefined) {
        const current = epoch.read();
        if (current === checkedEpoch) return;
        checkedEpoch = current;
      } else {
        const nowMs = now().getTime();
        if (nowMs - checkedAt < KEYRING_RECHECK_MS) return;
        checkedAt = nowMs;
      }
    }
    const text = meta.get(META_KEYRING);
    if (text === ringText && text !== undefined) return;
    if (text === undefined) {
      // First run: generate the signing key and store it encrypted.
      const kid = randomBase62(12);
      secrets.put(DEFAULT_TENANT_ID, secretName(kid), randomBytes(32));
      meta.set(META_KEYRING, JSON.stringify({ current: kid, previous: null } satisfies Keyring));
      load(true);
      return;
    }
    // The ring changed (here or in another process): forget cached verifications and keys.
    ring = JSON.parse(text) as Keyring;
    ringText = text;
    keys.clear();
    verified.clear();
    for (const kid of [ring.current, ring.previous?.kid]) {
      if (kid === undefined) continue;
      const secret = secrets.get(DEFAULT_TENANT_ID, secretName(kid));
      if (secret !== undefined) keys.set(kid, secret);
    }
  }

  function keyFor(kid: string | undefined): Uint8Array {
    load();
    if (kid === undefined) throw new AppError('AUTH_INVALID', 'invalid token');
    if (!keys.has(kid) && envSecret === undefined) load(true);
    const usable = kid === ring.current || (ring.previous !== null && kid === ring.previous.kid && now().getTime() < ring.previous.valid_until);
    const key = keys.get(kid);
    if (!usable || key === undefined) throw new AppError('AUTH_INVALID', 'invalid token');
    return key;
  }

  load();

  return {
    async sign({ userId, role, tenantId }) {
      load();
      const kid = ring.current;
      const key = keyFor(kid);
      const iat = Math.floor(now().getTime() / 1000);
      const token = await new SignJWT({ role, tenant: tenantId })
        .setProtectedHeader({ alg: JWT_ALGORITHM, kid, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(iat + accessTtlSeconds)
        .setJti(randomUUID())
        .sign(key);
      return { token, expiresIn: accessTtlSeconds };
    },
    verifiedBefore(token) {
      load();
      const cached = verified.get(token);
      return cached !== undefined && cached.exp + CLOCK_SKEW_SECONDS > now().getTime() / 1000 ? cached : undefined;
    },
    async verify(token) {
      load();
      const nowSeconds = now().getTime() / 1000;
      const cached = verified.get(token);
      if (cached !== undefined) {
        if (cached.exp + CLOCK_SKEW_SECONDS > nowSeconds) return cached;
        verified.delete(token);
        throw new AppError('AUTH_TOKEN_EXPIRED', 'the access token has expired; get a new one with POST /api/v1/auth/refresh');
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, (header) => keyFor(header.kid), {
          algorithms: [JWT_ALGORITHM],
          issuer: JWT_ISSUER,
          audience: JWT_AUDIENCE,
          clockTolerance: CLOCK_SKEW_SECONDS,
          requiredClaims: ['sub', 'exp', 'iat', 'nbf', 'jti', 'iss', 'aud'],
          currentDate: now(),
        }));
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw new AppError('AUTH_TOKEN_EXPIRED', 'the access token has expired; get a new one with POST /api/v1/auth/refresh');
        // Say nothing specific about why: signature, claims and format failures look alike to the caller.
        throw new AppError('AUTH_INVALID', 'invalid token', { cause: error });
      }
      const { sub, role, tenant, jti, exp, iat } = payload as JWTPayload & { role?: unknown; tenant?: unknown };
      if (typeof sub !== 'string' || typeof role !== 'string' || typeof tenant !== 'string' || typeof jti !== 'string' || typeof exp !== 'number' || typeof iat !== 'number') {
        throw new AppError('AUTH_INVALID', 'invalid token');
      }
      const claims: AccessClaims = { sub, role, tenant, jti, exp, iat };
      if (verified.size >= CACHE_LIMIT) verified.clear();
      verified.set(token, claims);
      return claims;
    },
    rotate({ grace = true } = {}) {
      if (envSecret !== undefined) {
        throw new AppError('VALIDATION_FAILED', 'the signing key comes from JWT_SECRET, so rotate it there: set a new JWT_SECRET and restart (tokens signed with the old one stop working)');
      }
      load(true);
      const old = ring;
      const kid = randomBase62(12);
      secrets.put(DEFAULT_TENANT_ID, secretName(kid), randomBytes(32));
      const previous = grace ? { kid: old.current, valid_until: now().getTime() + accessTtlSeconds * 1000 } : null;
      meta.set(META_KEYRING, JSON.stringify({ current: kid, previous } satisfies Keyring));
      // Keys older than the previous one can no longer verify anything: remove them.
      for (const stale of [old.previous?.kid, grace ? undefined : old.current]) if (stale !== undefined) secrets.delete(DEFAULT_TENANT_ID, secretName(stale));
      load(true);
      return { kid, previousValidUntil: previous === null ? null : new Date(previous.valid_until).toISOString() };
    },
    currentKid: () => {
      load();
      return ring.current;
    },
  };
}
