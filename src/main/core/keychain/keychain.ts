// The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows) behind a small interface, via @napi-rs/keyring.
import { Entry } from '@napi-rs/keyring';
import { AppError } from '../../../shared/errors';

export const KEYCHAIN_SERVICE = 'Developer Mesh Console';

/** What the core needs from a keychain; tests pass an in-memory one. */
export interface Keychain {
  /** A human name for messages: "Secret Service", "macOS Keychain"... */
  readonly backend: string;
  get(account: string): string | null;
  set(account: string, value: string): void;
  /** True if something was deleted. */
  delete(account: string): boolean;
  /** Whether the keychain answers at all, without creating anything. */
  probe(): { ok: true } | { ok: false; reason: string };
}

function backendName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service (gnome-keyring, KWallet)';
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // The library's messages nest causes ("Platform failure: DBus error: ..."); the innermost sentence is the useful one.
  return message.replace(/\s+/g, ' ').trim();
}

export interface OsKeychainOptions {
  service?: string;
  platform?: NodeJS.Platform;
}

export function createOsKeychain({ service = KEYCHAIN_SERVICE, platform = process.platform }: OsKeychainOptions = {}): Keychain {
  const backend = backendName(platform);
  // Pin the Secret Service on Linux: the library's fallback (kernel keyutils) does not persist across logins,
  // so a master key stored there would be lost at reboot.
  const entryOptions = { linux: { store: 'secret-service' as const } };

  function entry(account: string): Entry {
    try {
      return new Entry(service, account, entryOptions);
    } catch (error) {
      throw unavailable(error);
    }
  }

  function unavailable(error: unknown): AppError {
    return new AppError('KEYCHAIN_UNAVAILABLE', `the OS keychain (${backend}) is not available: ${reasonOf(error)}`, { cause: error });
  }

  function call<T>(account: string, op: (e: Entry) => T): T {
    const e = entry(account);
    try {
      return op(e);
    } catch (error) {
      throw unavailable(error);
    }
  }

  return {
    backend,
    get: (account) => call(account, (e) => e.getPassword() ?? null),
    set: (account, value) => call(account, (e) => e.setPassword(value)),
    delete: (account) => call(account, (e) => e.deletePassword()),
    probe() {
      try {
        call('availability-probe', (e) => e.getPassword());
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: error instanceof AppError ? error.message : reasonOf(error) };
      }
    },
  };
}
