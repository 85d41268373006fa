// AES-256-GCM envelopes under per-tenant keys derived from the master key by HKDF-SHA256, with AAD binding tenant and purpose.
//
// Layout (all big-endian):  [0] format version = 1 | [1..4] master-key version | [5..20] salt | [21..32] nonce | ciphertext | [last 16] tag
// tenantKey = HKDF-SHA256(ikm = master key, salt = "devmesh/tenant-key/v1", info = tenant id)        (cached per tenant)
// dataKey   = HKDF-Expand(prk = tenantKey, info = "devmesh/data-key/v1" 0x00 salt purpose, 32)      (one HMAC per envelope)
// AAD       = header (bytes 0..32) || "devmesh/v1" 0x00 tenant id 0x00 purpose
// A ciphertext copied to another tenant or another field (purpose) fails to authenticate.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { createRandomPool, type RandomSource } from './random-pool';

export const ENVELOPE_FORMAT_VERSION = 1;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + 4 + SALT_BYTES + NONCE_BYTES;
const TENANT_KEY_SALT = Buffer.from('devmesh/tenant-key/v1');
const DATA_KEY_LABEL = Buffer.from('devmesh/data-key/v1\0');
const AAD_LABEL = Buffer.from('devmesh/v1\0');

/** Which secret an envelope belongs to. Both parts are bound into the ciphertext. */
export interface EnvelopeContext {
  readonly tenantId: string;
  readonly purpose: string;
}

export interface EnvelopeCipher {
  readonly keyVersion: number;
  encrypt(plaintext: Uint8Array, context: EnvelopeContext): Buffer;
  decrypt(envelope: Uint8Array, context: EnvelopeContext): Buffer;
}

export interface EnvelopeCipherOptions {
  /** The master key material (at least 32 bytes); it is copied, never exposed. */
  masterKey: Uint8Array;
  keyVersion: number;
  random?: RandomSource;
}

function checkContext({ tenantId, purpose }: EnvelopeContext): void {
  if (tenantId.length === 0 || tenantId.includes('\0')) throw new TypeError('tenantId must be a non-empty string without NUL');
  if (purpose.length === 0 || purpose.includes('\0')) throw new TypeError('purpose must be a non-empty string without NUL');
}

function decryptFailed(message = 'could not decrypt a stored secret (wrong key, moved ciphertext or tampered data)'): AppError {
  return new AppError('CRYPTO_DECRYPT_FAILED', message);
}

/** The master-key version an envelope was sealed under, without decrypting it. */
export function envelopeKeyVersion(envelope: Uint8Array): number {
  if (envelope.length < HEADER_BYTES + TAG_BYTES || envelope[0] !== ENVELOPE_FORMAT_VERSION) throw decryptFailed('not an envelope of a known format');
  return Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength).readUInt32BE(1);
}

export function createEnvelopeCipher({ masterKey, keyVersion, random = createRandomPool() }: EnvelopeCipherOptions): EnvelopeCipher {
  if (masterKey.length < 32) throw new TypeError('master key must be at least 32 bytes');
  if (!Number.isInteger(keyVersion) || keyVersion < 1 || keyVersion > 0xffffffff) throw new TypeError('keyVersion must be a positive 32-bit integer');
  const master = Buffer.from(masterKey);
  const tenantKeys = new Map<string, Buffer>();

  function tenantKey(tenantId: string): Buffer {
    let key = tenantKeys.get(tenantId);
    if (key === undefined) {
      key = Buffer.from(hkdfSync('sha256', master, TENANT_KEY_SALT, tenantId, 32));
      tenantKeys.set(tenantId, key);
    }
    return key;
  }

  function dataKey(tenantId: string, salt: Buffer, purpose: string): Buffer {
    // HKDF-Expand for one block: T(1) = HMAC(PRK, info || 0x01).
    return createHmac('sha256', tenantKey(tenantId)).update(DATA_KEY_LABEL).update(salt).update(purpose).update(Buffer.of(1)).digest();
  }

  function aad(header: Buffer, { tenantId, purpose }: EnvelopeContext): Buffer {
    return Buffer.concat([header, AAD_LABEL, Buffer.from(`${tenantId}\0${purpose}`)]);
  }

  return {
    keyVersion,
    encrypt(plaintext, context) {
      checkContext(context);
      const header = Buffer.allocUnsafe(HEADER_BYTES);
      header[0] = ENVELOPE_FORMAT_VERSION;
      header.writeUInt32BE(keyVersion, 1);
      const saltAndNonce = random(SALT_BYTES + NONCE_BYTES);
      saltAndNonce.copy(header, 5);
      const salt = header.subarray(5, 5 + SALT_BYTES);
      const nonce = header.subarray(5 + SALT_BYTES, HEADER_BYTES);
      const cipher = createCipheriv('aes-256-gcm', dataKey(context.tenantId, salt, context.purpose), nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(header, context));
      const body = cipher.update(plaintext);
      const final = cipher.final();
      return Buffer.concat([header, body, final, cipher.getAuthTag()]);
    },
    decrypt(envelope, context) {
      checkContext(context);
      const version = envelopeKeyVersion(envelope);
      if (version !== keyVersion) throw decryptFailed(`a stored secret is sealed under master-key version ${version}, but the current key is version ${keyVersion}`);
      const bytes = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
      const header = bytes.subarray(0, HEADER_BYTES);
      const salt = header.subarray(5, 5 + SALT_BYTES);
      const nonce = header.subarray(5 + SALT_BYTES, HEADER_BYTES);
      const tag = bytes.subarray(bytes.length - TAG_BYTES);
      const body = bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', dataKey(context.tenantId, salt, context.purpose), nonce, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad(header, context));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]);
      } catch (cause) {
        throw new AppError('CRYPTO_DECRYPT_FAILED', 'could not decrypt a stored secret (wrong key, moved ciphertext or tampered data)', { cause });
      }
    },
  };
}
