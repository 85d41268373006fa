// Cryptographically random bytes from a refilled pool: one getrandom call per 4 KiB instead of one per salt and nonce.
import { randomFillSync } from 'node:crypto';

export type RandomSource = (size: number) => Buffer;

/** Every byte handed out is used once and never again; the pool is refilled, not reused. */
export function createRandomPool(poolSize = 4096): RandomSource {
  const pool = Buffer.allocUnsafeSlow(poolSize);
  let offset = poolSize;
  return (size) => {
    if (size > poolSize) return randomFillSync(Buffer.allocUnsafe(size));
    if (offset + size > poolSize) {
      randomFillSync(pool);
      offset = 0;
    }
    const out = Buffer.from(pool.subarray(offset, offset + size));
    offset += size;
    return out;
  };
}
