// Runs against the real OS keychain (Secret Service under a private D-Bus session in `npm test` and CI).
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keychainAccount } from '../../../../../src/main/core/crypto/master-key';
import { openCore } from '../../../../../src/main/core/open-core';
import { osKeychainStatus } from '../../../../helpers/os-keychain';
import { testConfig } from '../../../../helpers/config';
import { tempDir } from '../../../../helpers/temp-dir';

const status = osKeychainStatus();

describe('OS keychain availability', () => {
  it.runIf(status.required)('is reachable (DEVMESH_REQUIRE_KEYCHAIN=1)', () => {
    expect(status.reason).toBe('');
    expect(status.available).toBe(true);
  });
});

describe.runIf(status.available)(`OS keychain: ${status.keychain.backend}`, () => {
  const { keychain } = status;

  it('stores, reads back and deletes an entry', async () => {
    const account = `test-${randomUUID()}`;
    expect(keychain.get(account)).toBeNull();
    keychain.set(account, 'value-1');
    expect(keychain.get(account)).toBe('value-1');
    keychain.set(account, 'value-2');
    expect(keychain.get(account)).toBe('value-2');
    expect(keychain.delete(account)).toBe(true);
    expect(keychain.get(account)).toBeNull();
    expect(keychain.delete(account)).toBe(false);
  });

  it('holds the master key: created on first run, read on the next, replaced by rotation', async () => {
    const config = testConfig(tempDir(), { masterKeyEnv: undefined });
    const first = openCore(config, { keychain });
    const account = keychainAccount(first.installationId);
    try {
      expect(first.masterKeySource).toBe('keychain');
      expect(first.masterKeyGenerated).toBe(true);
      const stored = keychain.get(account);
      expect(Buffer.from(stored ?? '', 'base64')).toHaveLength(32);
      first.secrets.put('default', 'jwt-signing-key', Buffer.from('kept'));
      await first.close();

      const second = openCore(config, { keychain });
      expect(second.masterKeyGenerated).toBe(false);
      expect(second.secrets.get('default', 'jwt-signing-key')?.toString()).toBe('kept');
      const newKey = randomBytes(32);
      const result = second.rotateMasterKey(newKey);
      expect(result.warning).toBeUndefined();
      await second.close();
      expect(keychain.get(account)).toBe(newKey.toString('base64'));

      const third = openCore(config, { keychain });
      expect(third.secrets.get('default', 'jwt-signing-key')?.toString()).toBe('kept');
      await third.close();
    } finally {
      keychain.delete(account);
    }
  });
});
