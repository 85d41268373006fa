// Where the master key comes from (ENCRYPTION_MASTER_KEY or the OS keychain), how a weak one is refused, and the key-check value that detects a wrong one.
import { hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { Keychain } from '../keychain/keychain';

export const MASTER_KEY_BYTES = 32;
const KEY_CHECK_SALT = Buffer.from('devmesh/key-check/v1');

export type MasterKeySource = 'env' | 'keychain';

export interface MasterKey {
  readonly key: Buffer;
  readonly source: MasterKeySource;
  /** True when this call generated the key (first run with a keychain). */
  readonly generated: boolean;
  /** True when an interrupted rotation was completed from the keychain's pending entry. */
  readonly recoveredPending: boolean;
}

const FIX_ENV = 'set ENCRYPTION_MASTER_KEY to at least 32 random bytes in base64 or hex, e.g. ENCRYPTION_MASTER_KEY=$(openssl rand -base64 32)';

/** Decodes ENCRYPTION_MASTER_KEY (hex or base64, at least 32 bytes) and refuses anything weaker. */
export function parseMasterKeyEnv(raw: string): Buffer {
  const value = raw.trim();
  let decoded: Buffer | undefined;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(value)) {
    decoded = Buffer.from(value, 'hex');
  } else if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) || /^[A-Za-z0-9_-]+={0,2}$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    // Only canonical base64 counts: a pass phrase that merely uses base64 letters usually fails this round trip.
    if (bytes.toString('base64').replace(/=+$/, '') === value.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')) decoded = bytes;
  }
  if (decoded === undefined) {
    throw new AppError('MASTER_KEY_WEAK', `ENCRYPTION_MASTER_KEY is neither hex nor base64; ${FIX_ENV}`);
  }
  if (decoded.length < MASTER_KEY_BYTES) {
    throw new AppError('MASTER_KEY_WEAK', `ENCRYPTION_MASTER_KEY decodes to ${decoded.length} bytes; it needs at least ${MASTER_KEY_BYTES}. ${FIX_ENV.replace(/^s/, 'S')}`);
  }
  // 32 random bytes almost surely hold 25+ distinct values; a run of repeated bytes is a placeholder, not a key.
  if (new Set(decoded).size < 16) {
    throw new AppError('MASTER_KEY_WEAK', `ENCRYPTION_MASTER_KEY has too little variety to be random (a placeholder?); ${FIX_ENV}`);
  }
  return decoded;
}

/** A value derived from the key that proves a later key is the same one, and reveals nothing about it. */
export function keyCheckValue(key: Uint8Array): string {
  return Buffer.from(hkdfSync('sha256', key, KEY_CHECK_SALT, 'key-check', 32)).toString('base64url');
}

export function keyMatchesCheck(key: Uint8Array, check: string): boolean {
  const a = Buffer.from(keyCheckValue(key));
  const b = Buffer.from(check);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function keychainAccount(installationId: string): string {
  return `master-key:${installationId}`;
}

export function pendingKeychainAccount(installationId: string): string {
  return `master-key:${installationId}:pending`;
}

export function encodeStoredKey(key: Buffer): string {
  return key.toString('base64');
}

function decodeStoredKey(stored: string, backend: string): Buffer {
  const key = Buffer.from(stored, 'base64');
  if (key.length < MASTER_KEY_BYTES) {
    throw new AppError('MASTER_KEY_WEAK', `the master key stored in the ${backend} is malformed; restore it, or set ENCRYPTION_MASTER_KEY to the key this data was encrypted with`);
  }
  return key;
}

export interface ResolveMasterKeyOptions {
  /** The raw ENCRYPTION_MASTER_KEY, if set. It wins over the keychain. */
  envValue: string | undefined;
  keychain: Keychain;
  installationId: string;
  /** The stored key-check value, if data has been encrypted before. */
  keyCheck: string | undefined;
  /** May a missing key be generated and stored (false for read-only opens)? */
  allowCreate: boolean;
  generate?: () => Buffer;
}

/**
 * Finds the master key and proves it is the right one. Never invents a key for existing data and never
 * falls back to plaintext: with no usable source, it throws a message that explains both fixes.
 */
export function resolveMasterKey(options: ResolveMasterKeyOptions): MasterKey {
  const { envValue, keychain, installationId, keyCheck, allowCreate, generate = () => randomBytes(MASTER_KEY_BYTES) } = options;

  const verify = (key: Buffer, where: string): void => {
    if (keyCheck !== undefined && !keyMatchesCheck(key, keyCheck)) {
      throw new AppError('MASTER_KEY_WRONG', `the master key from ${where} is not the key this data was encrypted with; nothing was changed. Use the original key (or restore the keychain entry)`);
    }
  };

  if (envValue !== undefined) {
    const key = parseMasterKeyEnv(envValue);
    verify(key, 'ENCRYPTION_MASTER_KEY');
    return { key, source: 'env', generated: false, recoveredPending: false };
  }

  const probe = keychain.probe();
  if (!probe.ok) {
    throw new AppError(
      'MASTER_KEY_UNAVAILABLE',
      `no master key: ${probe.reason}, and ENCRYPTION_MASTER_KEY is not set. Fix one of: (1) run inside a desktop session with an unlocked keychain (on Linux a Secret Service such as gnome-keyring), or (2) ${FIX_ENV}`,
    );
  }

  const account = keychainAccount(installationId);
  const stored = keychain.get(account);
  const pendingStored = keychain.get(pendingKeychainAccount(installationId));

  if (stored !== null) {
    const key = decodeStoredKey(stored, keychain.backend);
    if (keyCheck === undefined || keyMatchesCheck(key, keyCheck)) return { key, source: 'keychain', generated: false, recoveredPending: false };
    // A rotation committed but was interrupted before the keychain was updated: the pending entry holds the new key.
    if (pendingStored !== null) {
      const pending = decodeStoredKey(pendingStored, keychain.backend);
      if (keyMatchesCheck(pending, keyCheck)) {
        if (allowCreate) {
          keychain.set(account, encodeStoredKey(pending));
          keychain.delete(pendingKeychainAccount(installationId));
        }
        return { key: pending, source: 'keychain', generated: false, recoveredPending: true };
      }
    }
    verify(key, `the ${keychain.backend}`);
  }

  if (keyCheck !== undefined) {
    throw new AppError(
      'MASTER_KEY_MISSING',
      `this data was encrypted with a master key that is not in the ${keychain.backend} (entry "${account}"); nothing was changed. Restore the keychain entry, or set ENCRYPTION_MASTER_KEY to the original key`,
    );
  }
  if (!allowCreate) {
    throw new AppError('MASTER_KEY_MISSING', `the ${keychain.backend} holds no master key for this data yet; run \`devmesh serve\` once to create it`);
  }

  const key = generate();
  keychain.set(account, encodeStoredKey(key));
  const readBack = keychain.get(account);
  if (readBack === null || !decodeStoredKey(readBack, keychain.backend).equals(key)) {
    throw new AppError('KEYCHAIN_UNAVAILABLE', `the ${keychain.backend} accepted the new master key but did not return it; refusing to continue without a key that persists. ${FIX_ENV.replace(/^s/, 'S')} instead`);
  }
  return { key, source: 'keychain', generated: true, recoveredPending: false };
}

