import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keychainAccount, pendingKeychainAccount } from '../../../../src/main/core/crypto/master-key';
import { openCore, recordKeyState } from '../../../../src/main/core/open-core';
import { openStorage } from '../../../../src/main/core/storage/database';
import { testConfig, testMasterKey } from '../../../helpers/config';
import { createMemoryKeychain } from '../../../helpers/memory-keychain';
import { tempDir } from '../../../helpers/temp-dir';
import { codeOf, sha256OfFile } from '../../../helpers/errors';



describe('openCore', () => {
  it('creates the master key in the keychain on first run and reuses it after', async () => {
    const dir = tempDir();
    const keychain = createMemoryKeychain();
    const config = testConfig(dir, { masterKeyEnv: undefined });
    const first = openCore(config, { keychain });
    expect(first.masterKeySource).toBe('keychain');
    expect(first.masterKeyGenerated).toBe(true);
    expect(keychain.entries.has(keychainAccount(first.installationId))).toBe(true);
    first.secrets.put('default', 'jwt-signing-key', Buffer.from('s3cret'));
    await first.close();

    const second = openCore(config, { keychain });
    expect(second.masterKeyGenerated).toBe(false);
    expect(second.secrets.get('default', 'jwt-signing-key')?.toString()).toBe('s3cret');
    await second.close();
  });

  it('stores secrets only as ciphertext', async () => {
    const dir = tempDir();
    const core = openCore(testConfig(dir), { keychain: createMemoryKeychain() });
    core.secrets.put('default', 'pepper', Buffer.from('PLAINTEXT-MARKER-123'));
    await core.close();
    expect(readFileSync(join(dir, 'devmesh.db')).includes(Buffer.from('PLAINTEXT-MARKER-123'))).toBe(false);
  });

  it('refuses a wrong master key at start and modifies nothing', async () => {
    const dir = tempDir();
    const config = testConfig(dir);
    const core = openCore(config, { keychain: createMemoryKeychain() });
    core.secrets.put('default', 'x', Buffer.from('y'));
    await core.close();
    const file = join(dir, 'devmesh.db');
    const before = sha256OfFile(file);
    const wrong = { ...config, masterKeyEnv: testMasterKey() };
    expect(codeOf(() => openCore(wrong, { keychain: createMemoryKeychain() }))).toBe('MASTER_KEY_WRONG');
    expect(sha256OfFile(file)).toBe(before);
  });

  it('refuses to start with neither keychain nor ENCRYPTION_MASTER_KEY, creating no database', async () => {
    const dir = tempDir();
    const keychain = createMemoryKeychain();
    keychain.unavailable = 'no Secret Service';
    expect(codeOf(() => openCore(testConfig(dir, { masterKeyEnv: undefined }), { keychain }))).toBe('MASTER_KEY_UNAVAILABLE');
    expect(() => readFileSync(join(dir, 'devmesh.db'))).toThrow();
  });

  it('refuses to carry on when another process set up the same data dir with another key a moment earlier', () => {
    const storage = openStorage({ file: join(tempDir(), 'devmesh.db') });
    recordKeyState(storage.db, 'install-a', randomBytes(32), 1);
    expect(codeOf(() => recordKeyState(storage.db, 'install-b', randomBytes(32), 1))).toBe('MASTER_KEY_WRONG');
    const key = randomBytes(32);
    const other = openStorage({ file: join(tempDir(), 'devmesh.db') });
    recordKeyState(other.db, 'install-c', key, 1);
    recordKeyState(other.db, 'install-c', key, 1);
    storage.close();
    other.close();
  });

  it('refuses a weak ENCRYPTION_MASTER_KEY', async () => {
    expect(codeOf(() => openCore(testConfig(tempDir(), { masterKeyEnv: 'short' }), { keychain: createMemoryKeychain() }))).toBe('MASTER_KEY_WEAK');
  });
});

describe('master-key rotation', () => {
  function seeded(count: number, keychainMode = true) {
    const dir = tempDir();
    const keychain = createMemoryKeychain();
    const config = testConfig(dir, keychainMode ? { masterKeyEnv: undefined } : {});
    const core = openCore(config, { keychain });
    core.db.prepare('INSERT INTO tenants (tenant_id, name, created_at) VALUES (?, ?, ?)').run('acme', 'acme', new Date().toISOString());
    for (let i = 0; i < count; i += 1) core.secrets.put(i % 2 === 0 ? 'default' : 'acme', `secret-${i}`, Buffer.from(`value-${i}`));
    return { dir, keychain, config, core };
  }

  it('re-encrypts every secret, bumps the key version and replaces the keychain entry after commit', async () => {
    const { keychain, config, core } = seeded(250);
    const oldEntry = keychain.entries.get(keychainAccount(core.installationId));
    const newKey = randomBytes(32);
    const progress: number[] = [];
    const result = core.rotateMasterKey(newKey, ({ done }) => progress.push(done));
    expect(result).toMatchObject({ keyVersion: 2, reencrypted: 250 });
    expect(progress.at(-1)).toBe(250);
    expect(core.secrets.get('acme', 'secret-7')?.toString()).toBe('value-7');
    expect(core.secrets.get('default', 'secret-8')?.toString()).toBe('value-8');
    expect(core.db.prepare('SELECT DISTINCT key_version FROM secrets').pluck().all()).toEqual([2]);
    const entry = keychain.entries.get(keychainAccount(core.installationId));
    expect(entry).toBe(newKey.toString('base64'));
    expect(entry).not.toBe(oldEntry);
    expect(keychain.entries.has(pendingKeychainAccount(core.installationId))).toBe(false);
    await core.close();

    const reopened = openCore(config, { keychain });
    expect(reopened.keyVersion()).toBe(2);
    expect(reopened.secrets.get('acme', 'secret-249')?.toString()).toBe('value-249');
    await reopened.close();
  });

  it('changes nothing when re-encryption fails part-way', async () => {
    const { keychain, core } = seeded(10);
    // A secret whose ciphertext no longer authenticates makes the transaction fail after some rows were rewritten.
    core.db.prepare("UPDATE secrets SET ciphertext = randomblob(64) WHERE name = 'secret-8'").run();
    const versionsBefore = core.db.prepare('SELECT name, ciphertext FROM secrets ORDER BY name').all();
    const entryBefore = keychain.entries.get(keychainAccount(core.installationId));
    expect(codeOf(() => core.rotateMasterKey(randomBytes(32)))).toBe('ROTATION_FAILED');
    expect(core.db.prepare('SELECT name, ciphertext FROM secrets ORDER BY name').all()).toEqual(versionsBefore);
    expect(core.keyVersion()).toBe(1);
    expect(keychain.entries.get(keychainAccount(core.installationId))).toBe(entryBefore);
    expect(keychain.entries.has(pendingKeychainAccount(core.installationId))).toBe(false);
    expect(core.secrets.get('acme', 'secret-3')?.toString()).toBe('value-3');
    await core.close();
  });

  it('survives a crash between commit and the keychain update: the next start completes the swap', async () => {
    const { keychain, config, core } = seeded(5);
    const newKey = randomBytes(32);
    // Allow the pending write, then fail the main-entry replacement as a crash would.
    keychain.failSetAfter = 1;
    const result = core.rotateMasterKey(newKey);
    expect(result.warning).toMatch(/pending entry/);
    // The running process already uses the new key.
    expect(core.secrets.get('default', 'secret-2')?.toString()).toBe('value-2');
    await core.close();
    keychain.failSetAfter = undefined;
    expect(keychain.entries.get(pendingKeychainAccount(core.installationId))).toBe(newKey.toString('base64'));

    const reopened = openCore(config, { keychain });
    expect(reopened.secrets.get('default', 'secret-4')?.toString()).toBe('value-4');
    expect(reopened.keyVersion()).toBe(2);
    expect(keychain.entries.get(keychainAccount(reopened.installationId))).toBe(newKey.toString('base64'));
    expect(keychain.entries.has(pendingKeychainAccount(reopened.installationId))).toBe(false);
    await reopened.close();
  });

  it('works with ENCRYPTION_MASTER_KEY: the new key then opens the data, the old one does not', async () => {
    const { config, core, keychain } = seeded(3, false);
    const newKey = randomBytes(32);
    core.rotateMasterKey(newKey);
    await core.close();
    expect(codeOf(() => openCore(config, { keychain }))).toBe('MASTER_KEY_WRONG');
    const reopened = openCore({ ...config, masterKeyEnv: newKey.toString('hex') }, { keychain });
    expect(reopened.secrets.get('default', 'secret-2')?.toString()).toBe('value-2');
    await reopened.close();
    expect(keychain.entries.size).toBe(0);
  });
});
