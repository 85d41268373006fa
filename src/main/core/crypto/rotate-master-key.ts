// Master-key rotation: re-encrypts every secret in one transaction, then replaces the keychain entry; a crash at any point loses nothing.
//
// Order: (1) the new key is parked in the keychain's "pending" entry, (2) one IMMEDIATE transaction re-encrypts
// every secret and stores the new key-check value, (3) after commit the main entry is replaced and pending removed.
// If (2) fails, pending is removed and nothing changed. If the process dies between (2) and (3), the next start
// finds the main entry failing the key check and completes the swap from pending (see resolveMasterKey).
import type { Database } from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import type { Keychain } from '../keychain/keychain';
import type { MetaStore } from '../storage/meta';
import { createEnvelopeCipher, type EnvelopeCipher } from './envelope';
import { encodeStoredKey, keyCheckValue, keychainAccount, pendingKeychainAccount, type MasterKeySource } from './master-key';
import { secretPurpose } from './secret-store';

export const META_KEY_CHECK = 'master_key_check';
export const META_KEY_VERSION = 'master_key_version';

export interface RotationProgress {
  done: number;
  total: number;
}

export interface RotateMasterKeyOptions {
  db: Database;
  meta: MetaStore;
  keychain: Keychain;
  installationId: string;
  source: MasterKeySource;
  current: EnvelopeCipher;
  newKey: Buffer;
  onProgress?: (progress: RotationProgress) => void;
}

export interface RotationResult {
  readonly cipher: EnvelopeCipher;
  readonly keyVersion: number;
  readonly reencrypted: number;
  /** Set when the rotation committed but the keychain could not be fully updated. */
  readonly warning: string | undefined;
}

interface SecretRow {
  tenant_id: string;
  name: string;
  ciphertext: Buffer;
}

export function rotateMasterKey(options: RotateMasterKeyOptions): RotationResult {
  const { db, meta, keychain, installationId, source, current, newKey, onProgress } = options;
  const keyVersion = current.keyVersion + 1;
  const next = createEnvelopeCipher({ masterKey: newKey, keyVersion });
  const pendingAccount = pendingKeychainAccount(installationId);

  if (source === 'keychain') keychain.set(pendingAccount, encodeStoredKey(newKey));

  const total = (db.prepare('SELECT count(*) AS n FROM secrets').get() as { n: number }).n;
  const update = db.prepare('UPDATE secrets SET ciphertext = ?, key_version = ?, updated_at = ? WHERE tenant_id = ? AND name = ?');
  const reencryptAll = db.transaction(() => {
    let done = 0;
    const now = new Date().toISOString();
    // .all() rather than .iterate(): the same connection cannot write while a read cursor is open.
    const rows = db.prepare('SELECT tenant_id, name, ciphertext FROM secrets ORDER BY tenant_id, name').all() as SecretRow[];
    for (const row of rows) {
      const context = { tenantId: row.tenant_id, purpose: secretPurpose(row.name) };
      const plaintext = current.decrypt(row.ciphertext, context);
      update.run(next.encrypt(plaintext, context), keyVersion, now, row.tenant_id, row.name);
      plaintext.fill(0);
      done += 1;
      if (onProgress !== undefined && (done % 100 === 0 || done === rows.length)) onProgress({ done, total: rows.length });
    }
    meta.set(META_KEY_CHECK, keyCheckValue(newKey));
    meta.set(META_KEY_VERSION, String(keyVersion));
    return done;
  });

  let reencrypted: number;
  try {
    onProgress?.({ done: 0, total });
    reencrypted = reencryptAll.immediate();
  } catch (cause) {
    if (source === 'keychain') {
      try {
        keychain.delete(pendingAccount);
      } catch {
        // The pending entry is harmless: it never matches the (unchanged) key check.
      }
    }
    const reason = cause instanceof AppError ? cause.message : (cause as Error).message;
    throw new AppError('ROTATION_FAILED', `master-key rotation failed and nothing was changed: ${reason}`, { cause });
  }

  let warning: string | undefined;
  if (source === 'keychain') {
    try {
      keychain.set(keychainAccount(installationId), encodeStoredKey(newKey));
      keychain.delete(pendingAccount);
    } catch (error) {
      // The data is already under the new key, which waits in the pending entry; the next start finishes the swap.
      warning = `the data was re-encrypted, but the keychain's main entry could not be updated (${(error as Error).message}); the new key is kept in the pending entry and is used automatically at the next start`;
    }
  }
  return { cipher: next, keyVersion, reencrypted, warning };
}
