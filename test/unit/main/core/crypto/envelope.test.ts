import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEnvelopeCipher, envelopeKeyVersion, ENVELOPE_FORMAT_VERSION } from '../../../../../src/main/core/crypto/envelope';
import { AppError } from '../../../../../src/shared/errors';

const ctx = { tenantId: 'default', purpose: 'secret:jwt-signing-key' };

function cipher(keyVersion = 1, masterKey = randomBytes(32)) {
  return createEnvelopeCipher({ masterKey, keyVersion });
}

function expectDecryptFailure(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CRYPTO_DECRYPT_FAILED');
    return;
  }
  throw new Error('expected decryption to fail');
}

describe('envelope encryption', () => {
  it('round-trips a secret', () => {
    const c = cipher();
    const secret = Buffer.from('the quick brown fox');
    expect(c.decrypt(c.encrypt(secret, ctx), ctx).equals(secret)).toBe(true);
  });

  it('round-trips empty and large payloads', () => {
    const c = cipher();
    for (const size of [0, 1, 1024, 1024 * 1024]) {
      const secret = randomBytes(size);
      expect(c.decrypt(c.encrypt(secret, ctx), ctx).equals(secret)).toBe(true);
    }
  });

  it('writes the versioned layout: format version, key version, salt, nonce, ciphertext, tag', () => {
    const c = cipher(7);
    const secret = randomBytes(100);
    const envelope = c.encrypt(secret, ctx);
    expect(envelope[0]).toBe(ENVELOPE_FORMAT_VERSION);
    expect(envelope.readUInt32BE(1)).toBe(7);
    expect(envelopeKeyVersion(envelope)).toBe(7);
    expect(envelope.length).toBe(1 + 4 + 16 + 12 + secret.length + 16);
    expect(envelope.includes(secret)).toBe(false);
  });

  it('uses a fresh salt and nonce for every encryption', () => {
    const c = cipher();
    const secret = Buffer.from('same plaintext');
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i += 1) {
      const envelope = c.encrypt(secret, ctx);
      seen.add(envelope.subarray(5, 21).toString('hex'));
      seen.add(envelope.subarray(21, 33).toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('refuses a ciphertext moved to another tenant', () => {
    const c = cipher();
    const envelope = c.encrypt(Buffer.from('tenant a secret'), { tenantId: 'tenant-a', purpose: 'secret:x' });
    expectDecryptFailure(() => c.decrypt(envelope, { tenantId: 'tenant-b', purpose: 'secret:x' }));
  });

  it('refuses a ciphertext moved to another field (purpose)', () => {
    const c = cipher();
    const envelope = c.encrypt(Buffer.from('jwt key'), { tenantId: 'default', purpose: 'secret:jwt' });
    expectDecryptFailure(() => c.decrypt(envelope, { tenantId: 'default', purpose: 'secret:pepper' }));
  });

  it('detects a flipped bit anywhere in the envelope', () => {
    const c = cipher();
    const envelope = c.encrypt(randomBytes(64), ctx);
    // Skip the key-version bytes here: changing them is reported as a version mismatch, tested below.
    for (const index of [0, 5, 20, 21, 32, 33, 60, envelope.length - 16, envelope.length - 1]) {
      const tampered = Buffer.from(envelope);
      tampered[index] = (tampered[index] as number) ^ 0x01;
      expectDecryptFailure(() => c.decrypt(tampered, ctx));
    }
  });

  it('refuses truncated input and garbage', () => {
    const c = cipher();
    const envelope = c.encrypt(randomBytes(32), ctx);
    expectDecryptFailure(() => c.decrypt(envelope.subarray(0, envelope.length - 1), ctx));
    expectDecryptFailure(() => c.decrypt(envelope.subarray(0, 20), ctx));
    expectDecryptFailure(() => c.decrypt(Buffer.from('not an envelope at all, definitely not'), ctx));
  });

  it('refuses decryption under another master key', () => {
    const envelope = cipher(1).encrypt(Buffer.from('secret'), ctx);
    expectDecryptFailure(() => cipher(1).decrypt(envelope, ctx));
  });

  it('names the key version when an envelope was sealed under another one', () => {
    const key = randomBytes(32);
    const envelope = cipher(1, key).encrypt(Buffer.from('secret'), ctx);
    expect(() => cipher(2, key).decrypt(envelope, ctx)).toThrow(/version 1.*version 2/);
  });

  it('derives different keys per tenant from one master key', () => {
    const key = randomBytes(32);
    const a = cipher(1, key);
    const b = cipher(1, key);
    const envelope = a.encrypt(Buffer.from('x'), { tenantId: 't1', purpose: 'p' });
    expect(b.decrypt(envelope, { tenantId: 't1', purpose: 'p' }).toString()).toBe('x');
    expectDecryptFailure(() => b.decrypt(envelope, { tenantId: 't2', purpose: 'p' }));
  });

  it('rejects misuse with TypeError', () => {
    expect(() => createEnvelopeCipher({ masterKey: randomBytes(16), keyVersion: 1 })).toThrow(TypeError);
    expect(() => createEnvelopeCipher({ masterKey: randomBytes(32), keyVersion: 0 })).toThrow(TypeError);
    const c = cipher();
    expect(() => c.encrypt(Buffer.from('x'), { tenantId: '', purpose: 'p' })).toThrow(TypeError);
    expect(() => c.encrypt(Buffer.from('x'), { tenantId: 'a\0b', purpose: 'p' })).toThrow(TypeError);
  });
});
