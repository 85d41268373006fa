// An in-memory Keychain for unit tests of the key logic; the real OS keychain is tested in keychain.test.ts.
import type { Keychain } from '../../src/main/core/keychain/keychain';

export interface MemoryKeychain extends Keychain {
  readonly entries: Map<string, string>;
  /** Make the next calls fail as an unreachable keychain does. */
  unavailable: string | undefined;
  /** Make set() fail (after n successful sets) to simulate a crash mid-rotation. */
  failSetAfter: number | undefined;
}

export function createMemoryKeychain(): MemoryKeychain {
  const entries = new Map<string, string>();
  const kc: MemoryKeychain = {
    backend: 'memory keychain',
    entries,
    unavailable: undefined,
    failSetAfter: undefined,
    get(account) {
      if (kc.unavailable !== undefined) throw new Error(kc.unavailable);
      return entries.get(account) ?? null;
    },
    set(account, value) {
      if (kc.unavailable !== undefined) throw new Error(kc.unavailable);
      if (kc.failSetAfter !== undefined) {
        if (kc.failSetAfter <= 0) throw new Error('simulated keychain failure');
        kc.failSetAfter -= 1;
      }
      entries.set(account, value);
    },
    delete(account) {
      if (kc.unavailable !== undefined) throw new Error(kc.unavailable);
      return entries.delete(account);
    },
    probe() {
      return kc.unavailable === undefined ? { ok: true } : { ok: false, reason: kc.unavailable };
    },
  };
  return kc;
}
