// Whether the real OS keychain is reachable for the keychain tests; when it is not, say so loudly (and fail if CI requires it).
import { createOsKeychain, type Keychain } from '../../src/main/core/keychain/keychain';

export const TEST_KEYCHAIN_SERVICE = 'Developer Mesh Console (tests)';

export const INSTALL_HINT =
  'Linux: sudo apt-get install -y gnome-keyring libsecret-tools dbus-x11 — `npm test` then starts a private D-Bus session with an unlocked keyring by itself';

export interface OsKeychainStatus {
  available: boolean;
  reason: string;
  required: boolean;
  keychain: Keychain;
}

export function osKeychainStatus(): OsKeychainStatus {
  const keychain = createOsKeychain({ service: TEST_KEYCHAIN_SERVICE });
  const probe = keychain.probe();
  const required = process.env.DEVMESH_REQUIRE_KEYCHAIN === '1';
  if (!probe.ok && !required) {
    process.stderr.write(`\n!!! OS keychain tests SKIPPED: ${probe.reason}\n!!! Install: ${INSTALL_HINT}\n\n`);
  }
  return { available: probe.ok, reason: probe.ok ? '' : probe.reason, required, keychain };
}
