import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  keyCheckValue,
  keychainAccount,
  parseMasterKeyEnv,
  pendingKeychainAccount,
  resolveMasterKey,
} from '../../../../../src/main/core/crypto/master-key';
import { createMemoryKeychain } from '../../../../helpers/memory-keychain';
import { codeOf } from '../../../../helpers/errors';


describe('parseMasterKeyEnv', () => {
  it('accepts 32 random bytes as base64, base64url and hex', () => {
    const key = randomBytes(32);
    expect(parseMasterKeyEnv(key.toString('base64')).equals(key)).toBe(true);
    expect(parseMasterKeyEnv(key.toString('base64url')).equals(key)).toBe(true);
    expect(parseMasterKeyEnv(key.toString('hex')).equals(key)).toBe(true);
    expect(parseMasterKeyEnv(`  ${key.toString('hex')}\n`).equals(key)).toBe(true);
  });

  it('accepts longer keys whole', () => {
    const key = randomBytes(64);
    expect(parseMasterKeyEnv(key.toString('base64')).equals(key)).toBe(true);
  });

  it('refuses keys shorter than 32 bytes, with the fix in the message', () => {
    const short = randomBytes(31).toString('base64');
    expect(codeOf(() => parseMasterKeyEnv(short))).toBe('MASTER_KEY_WEAK');
    expect(() => parseMasterKeyEnv(short)).toThrow(/31 bytes.*openssl rand -base64 32/);
    expect(codeOf(() => parseMasterKeyEnv(randomBytes(16).toString('hex')))).toBe('MASTER_KEY_WEAK');
  });

  it('refuses pass phrases and placeholders', () => {
    expect(codeOf(() => parseMasterKeyEnv('correct horse battery staple, but longer than 32'))).toBe('MASTER_KEY_WEAK');
    expect(codeOf(() => parseMasterKeyEnv('changeme'))).toBe('MASTER_KEY_WEAK');
    expect(codeOf(() => parseMasterKeyEnv('0'.repeat(64)))).toBe('MASTER_KEY_WEAK');
    expect(codeOf(() => parseMasterKeyEnv('A'.repeat(44)))).toBe('MASTER_KEY_WEAK');
  });
});

describe('key check value', () => {
  it('is stable for a key and differs between keys, without containing the key', () => {
    const key = randomBytes(32);
    expect(keyCheckValue(key)).toBe(keyCheckValue(Buffer.from(key)));
    expect(keyCheckValue(key)).not.toBe(keyCheckValue(randomBytes(32)));
    expect(Buffer.from(keyCheckValue(key), 'base64url').includes(key.subarray(0, 8))).toBe(false);
  });
});

describe('resolveMasterKey', () => {
  const id = 'install-1';

  it('prefers ENCRYPTION_MASTER_KEY and never touches the keychain then', () => {
    const kc = createMemoryKeychain();
    kc.unavailable = 'no keychain here';
    const key = randomBytes(32);
    const resolved = resolveMasterKey({ envValue: key.toString('base64'), keychain: kc, installationId: id, keyCheck: undefined, allowCreate: true });
    expect(resolved.source).toBe('env');
    expect(resolved.key.equals(key)).toBe(true);
  });

  it('generates 32 random bytes on first run and stores them in the keychain', () => {
    const kc = createMemoryKeychain();
    const first = resolveMasterKey({ envValue: undefined, keychain: kc, installationId: id, keyCheck: undefined, allowCreate: true });
    expect(first.generated).toBe(true);
    expect(first.key.length).toBe(32);
    expect(kc.entries.get(keychainAccount(id))).toBe(first.key.toString('base64'));
    const again = resolveMasterKey({ envValue: undefined, keychain: kc, installationId: id, keyCheck: keyCheckValue(first.key), allowCreate: true });
    expect(again.generated).toBe(false);
    expect(again.key.equals(first.key)).toBe(true);
  });

  it('refuses to start with neither source, explaining both fixes', () => {
    const kc = createMemoryKeychain();
    kc.unavailable = 'Secret Service not running';
    const run = () => resolveMasterKey({ envValue: undefined, keychain: kc, installationId: id, keyCheck: undefined, allowCreate: true });
    expect(codeOf(run)).toBe('MASTER_KEY_UNAVAILABLE');
    expect(run).toThrow(/Secret Service not running/);
    expect(run).toThrow(/keychain/);
    expect(run).toThrow(/ENCRYPTION_MASTER_KEY/);
    expect(kc.entries.size).toBe(0);
  });

  it('never invents a key for data that was already encrypted', () => {
    const kc = createMemoryKeychain();
    const check = keyCheckValue(randomBytes(32));
    expect(codeOf(() => resolveMasterKey({ envValue: undefined, keychain: kc, installationId: id, keyCheck: check, allowCreate: true }))).toBe('MASTER_KEY_MISSING');
    expect(kc.entries.size).toBe(0);
  });

  it('detects a wrong key from the environment or the keychain', () => {
    const right = randomBytes(32);
    const check = keyCheckValue(right);
    const kc = createMemoryKeychain();
    expect(codeOf(() => resolveMasterKey({ envValue: randomBytes(32).toString('hex'), keychain: kc, installationId: id, keyCheck: check, allowCreate: true }))).toBe('MASTER_KEY_WRONG');
    kc.entries.set(keychainAccount(id), randomBytes(32).toString('base64'));
    expect(codeOf(() => resolveMasterKey({ envValue: undefined, keychain: kc, installationId: id, keyCheck: check, allowCreate: true }))).toBe('MASTER_KEY_WRONG');
  });

  it('completes an interrupted rotation from the pending entry', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const kc = createMemoryKeychain();
    kc.entries.set(keychainAccount(id), oldKey.toString('base64'));
    kc.entries.set(pendingKeychainAccount(id), newKey.toString('base64'));
    const resolved = resolveMasterKey({ envValue: undefined, keychain: kc, installationId: id, keyCheck: keyCheckValue(newKey), allowCreate: true });
    expect(resolved.recoveredPending).toBe(true);
    expect(resolved.key.equals(newKey)).toBe(true);
    expect(kc.entries.get(keychainAccount(id))).toBe(newKey.toString('base64'));
    expect(kc.entries.has(pendingKeychainAccount(id))).toBe(false);
  });

  it('ignores a stale pending entry when the main key is right', () => {
    const key = randomBytes(32);
    const kc = createMemoryKeychain();
    kc.entries.set(keychainAccount(id), key.toString('base64'));
    kc.entries.set(pendingKeychainAccount(id), randomBytes(32).toString('base64'));
    const resolved = resolveMasterKey({ envValue: undefined, keychain: kc, installationId: id, keyCheck: keyCheckValue(key), allowCreate: true });
    expect(resolved.key.equals(key)).toBe(true);
    expect(resolved.recoveredPending).toBe(false);
  });

  it('does not create a key when creation is not allowed (read-only opens)', () => {
    const kc = createMemoryKeychain();
    expect(codeOf(() => resolveMasterKey({ envValue: undefined, keychain: kc, installationId: id, keyCheck: undefined, allowCreate: false }))).toBe('MASTER_KEY_MISSING');
    expect(kc.entries.size).toBe(0);
  });
});
