// `devmesh rotate-master-key`: re-encrypts every secret under a new master key in one transaction, then updates the keychain.
import { randomBytes } from 'node:crypto';
import { AppError } from '../../shared/errors';
import { loadConfig } from '../config';
import { MASTER_KEY_BYTES, parseMasterKeyEnv } from '../core/crypto/master-key';
import { createOsKeychain } from '../core/keychain/keychain';
import { openCore } from '../core/open-core';
import { ensureDataDir } from '../core/storage/data-dir';
import { acquireInstanceLock } from '../core/storage/instance-lock';
import { cliSubject } from './run';
import { readStdinSecret } from './stdin';

export interface RotateOptions {
  newKeyStdin?: boolean;
}

export async function rotateMasterKeyCommand(options: RotateOptions): Promise<void> {
  const config = loadConfig();
  const paths = ensureDataDir(config.dataDir);
  let lock;
  try {
    lock = acquireInstanceLock(paths.lock, paths.dir);
  } catch (error) {
    if (error instanceof AppError && error.code === 'INSTANCE_LOCKED') {
      throw new AppError('INSTANCE_LOCKED', `${error.message.replace(/; stop it first.*$/, '')}; stop it before rotating the master key (the desktop console can rotate while running)`);
    }
    throw error;
  }
  try {
    const usingEnv = config.masterKeyEnv !== undefined;
    if (usingEnv && options.newKeyStdin !== true) {
      throw new AppError(
        'VALIDATION_FAILED',
        'the master key comes from ENCRYPTION_MASTER_KEY, so the new key must come from you: pipe it in with --new-key-stdin (e.g. `openssl rand -base64 32 > new.key && devmesh rotate-master-key --new-key-stdin < new.key`), then set ENCRYPTION_MASTER_KEY to it',
      );
    }
    const newKey = options.newKeyStdin === true ? parseMasterKeyEnv(await readStdinSecret('the new master key')) : randomBytes(MASTER_KEY_BYTES);
    const core = openCore(config, { keychain: createOsKeychain() });
    try {
      const total = core.db.prepare('SELECT count(*) AS n FROM secrets').pluck().get() as number;
      process.stderr.write(`rotating the master key: re-encrypting ${total} secret${total === 1 ? '' : 's'}...\n`);
      const result = core.rotateMasterKey(newKey, ({ done, total: all }) => {
        if (all > 0 && process.stderr.isTTY) process.stderr.write(`\r  ${done}/${all}`);
      });
      if (process.stderr.isTTY && total > 0) process.stderr.write('\n');
      core.audit.append({
        event_type: 'master_key_rotated',
        subject: cliSubject(),
        action: 'rotate',
        resource: 'master_key',
        result: 'success',
        metadata: { key_version: result.keyVersion, reencrypted: result.reencrypted, store: usingEnv ? 'env' : core.keychain.backend },
      });
      process.stdout.write(`master key rotated to version ${result.keyVersion}; ${result.reencrypted} secret${result.reencrypted === 1 ? '' : 's'} re-encrypted\n`);
      if (result.warning !== undefined) process.stderr.write(`warning: ${result.warning}\n`);
      if (usingEnv) process.stdout.write('now set ENCRYPTION_MASTER_KEY to the new key: the old one no longer opens this data\n');
    } finally {
      await core.close();
    }
  } finally {
    lock.release();
  }
}
