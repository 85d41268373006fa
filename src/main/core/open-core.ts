// Opens the core services over one data directory in a safe order: check the folder, peek at the database, prove the master key, then migrate.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { MeshConfig } from '../config';
import { createAuditService, type AuditService } from './audit/audit-service';
import type { AuditSink } from './audit/writer';
import { createEnvelopeCipher, type EnvelopeCipher } from './crypto/envelope';
import { keyCheckValue, keyMatchesCheck, resolveMasterKey, type MasterKey, type MasterKeySource } from './crypto/master-key';
import { META_KEY_CHECK, META_KEY_VERSION, rotateMasterKey, type RotationProgress, type RotationResult } from './crypto/rotate-master-key';
import { createSecretStore, type SecretStore } from './crypto/secret-store';
import type { Keychain } from './keychain/keychain';
import { ensureDataDir, type DataDirPaths } from './storage/data-dir';
import { openStorage, type Storage } from './storage/database';
import { createMetaStore, type MetaStore } from './storage/meta';

export const META_INSTALLATION_ID = 'installation_id';

export interface CoreDeps {
  keychain: Keychain;
  /** Where committed audit events are printed as JSON lines (stdout for serve). */
  auditSink?: AuditSink;
  /** Commit audit events on a writer thread (long-running serve and desktop) instead of inline (CLI commands, tests). */
  auditWriterThread?: boolean;
  onAuditError?: (error: unknown) => void;
  /** Open without writing (doctor, read-only commands). */
  readOnly?: boolean;
  nativeBinding?: string;
}

export interface Core {
  readonly config: MeshConfig;
  readonly paths: DataDirPaths;
  readonly storage: Storage;
  readonly db: Database;
  readonly meta: MetaStore;
  readonly keychain: Keychain;
  readonly installationId: string;
  readonly masterKeySource: MasterKeySource;
  readonly masterKeyGenerated: boolean;
  keyVersion(): number;
  cipher(): EnvelopeCipher;
  readonly secrets: SecretStore;
  readonly audit: AuditService;
  /** Re-encrypts every secret under `newKey` and swaps the live cipher after commit. */
  rotateMasterKey(newKey: Buffer, onProgress?: (progress: RotationProgress) => void): RotationResult;
  /** Commits the audit trail and closes the database. */
  close(): Promise<void>;
}

interface KeyState {
  installationId: string | undefined;
  keyCheck: string | undefined;
  keyVersion: number;
}

function readKeyState(db: Database, schemaVersion: number): KeyState {
  if (schemaVersion < 1) return { installationId: undefined, keyCheck: undefined, keyVersion: 1 };
  const meta = createMetaStore(db);
  const version = Number(meta.get(META_KEY_VERSION) ?? '1');
  return { installationId: meta.get(META_INSTALLATION_ID), keyCheck: meta.get(META_KEY_CHECK), keyVersion: Number.isInteger(version) && version > 0 ? version : 1 };
}

/**
 * Records the installation id and key check on first run. Inside the write lock it re-reads them: if another process
 * initialised the same data dir a moment earlier with another key, this one must not carry on with its own.
 */
export function recordKeyState(db: Database, installationId: string, key: Buffer, keyVersion: number): void {
  const meta = createMetaStore(db);
  db.transaction(() => {
    const storedId = meta.get(META_INSTALLATION_ID);
    const storedCheck = meta.get(META_KEY_CHECK);
    if ((storedId !== undefined && storedId !== installationId) || (storedCheck !== undefined && !keyMatchesCheck(key, storedCheck))) {
      throw new AppError('MASTER_KEY_WRONG', 'another process set up this data directory with a different master key at the same moment; nothing was changed. Start again');
    }
    if (storedId === undefined) meta.set(META_INSTALLATION_ID, installationId);
    if (storedCheck === undefined) {
      meta.set(META_KEY_CHECK, keyCheckValue(key));
      meta.set(META_KEY_VERSION, String(keyVersion));
    }
  }).immediate();
}

export function openCore(config: MeshConfig, deps: CoreDeps): Core {
  const readOnly = deps.readOnly === true;
  const paths = ensureDataDir(config.dataDir, { write: !readOnly });

  let state: KeyState = { installationId: undefined, keyCheck: undefined, keyVersion: 1 };
  let master: MasterKey | undefined;
  let installationId = '';
  const storage = openStorage({
    file: paths.database,
    readOnly,
    nativeBinding: deps.nativeBinding,
    beforeWrite: (peek, found) => {
      if (peek !== undefined) state = readKeyState(peek, found.schemaVersion);
      installationId = state.installationId ?? randomUUID();
      master = resolveMasterKey({
        envValue: config.masterKeyEnv,
        keychain: deps.keychain,
        installationId,
        keyCheck: state.keyCheck,
        allowCreate: !readOnly,
      });
    },
  });
  if (master === undefined) throw new AppError('INTERNAL', 'master key was not resolved');
  const masterKey: MasterKey = master;

  const db = storage.db;
  const meta = createMetaStore(db);
  try {
    if (!storage.readOnly) recordKeyState(db, installationId, masterKey.key, state.keyVersion);
  } catch (error) {
    storage.close();
    throw error;
  }

  let cipher = createEnvelopeCipher({ masterKey: masterKey.key, keyVersion: state.keyVersion });
  masterKey.key.fill(0);
  const secrets = createSecretStore({ db, cipher: () => cipher });
  const audit = createAuditService({
    db,
    sink: deps.auditSink,
    onError: deps.onAuditError,
    writerThread: deps.auditWriterThread === true && !storage.readOnly ? { file: paths.database, nativeBinding: deps.nativeBinding } : undefined,
  });

  let closed: Promise<void> | undefined;
  return {
    config,
    paths,
    storage,
    db,
    meta,
    keychain: deps.keychain,
    installationId,
    masterKeySource: masterKey.source,
    masterKeyGenerated: masterKey.generated,
    keyVersion: () => cipher.keyVersion,
    cipher: () => cipher,
    secrets,
    audit,
    rotateMasterKey(newKey, onProgress) {
      if (storage.readOnly) throw new AppError('STORAGE_READ_ONLY', storage.readOnlyReason ?? 'the database is open read-only');
      const result = rotateMasterKey({ db, meta, keychain: deps.keychain, installationId, source: masterKey.source, current: cipher, newKey, onProgress });
      cipher = result.cipher;
      return result;
    },
    close() {
      closed ??= (async () => {
        try {
          if (!storage.readOnly) await audit.close();
        } finally {
          storage.close();
        }
      })();
      return closed;
    },
  };
}
