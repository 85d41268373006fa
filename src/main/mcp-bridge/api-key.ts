// The API key the stdio bridge presents: DEVMESH_API_KEY, else the OS keychain entry that `devmesh mcp-bridge --store-key` writes.
import { AppError } from '../../shared/errors';
import { parseOpaqueToken } from '../core/auth/tokens';
import type { Keychain } from '../core/keychain/keychain';
import { API_KEY_ENV, BRIDGE_KEY_ACCOUNT } from '../core/mcp/bridge-key';

export const STORE_KEY_HINT = 'devmesh keys create --name claude-desktop --role user | devmesh mcp-bridge --store-key';

export interface BridgeKey {
  key: string;
  /** Where it came from, for the start-up line: never the key itself. */
  source: string;
}

/** DEVMESH_API_KEY wins when set; the keychain is only asked when it is not, so a machine without one works with the variable. */
export function readBridgeKey(env: NodeJS.ProcessEnv, store: Keychain): BridgeKey {
  const fromEnv = env[API_KEY_ENV]?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv, source: API_KEY_ENV };
  let stored: string | null;
  try {
    stored = store.get(BRIDGE_KEY_ACCOUNT);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('KEYCHAIN_UNAVAILABLE', `no API key: ${API_KEY_ENV} is not set and ${reason}; set ${API_KEY_ENV} in the MCP client's config, or run \`${STORE_KEY_HINT}\` where a keychain is available`, { cause: error });
  }
  if (stored === null || stored.trim() === '') {
    throw new AppError('AUTH_REQUIRED', `no API key: ${API_KEY_ENV} is not set and the OS keychain (${store.backend}) holds none; run \`${STORE_KEY_HINT}\`, or set ${API_KEY_ENV} in the MCP client's config`);
  }
  return { key: stored.trim(), source: `the OS keychain (${store.backend})` };
}

/** Checks the shape only (dmk_<id>_<secret>); whether the mesh accepts the key is its business. */
export function checkApiKeyShape(key: string): void {
  if (parseOpaqueToken('dmk', key) === undefined) {
    throw new AppError('VALIDATION_FAILED', 'that is not a devmesh API key (expected dmk_<16 characters>_<43 characters>, as `devmesh keys create` prints); nothing was stored');
  }
}

function keychainFailure(error: unknown, doing: string): AppError {
  const reason = error instanceof Error ? error.message : String(error);
  return new AppError('KEYCHAIN_UNAVAILABLE', `cannot ${doing}: ${reason}; without a keychain, give the bridge its key through ${API_KEY_ENV} in the MCP client's config instead`, { cause: error });
}

export function storeBridgeKey(keychain: Keychain, key: string): void {
  checkApiKeyShape(key);
  try {
    keychain.set(BRIDGE_KEY_ACCOUNT, key);
  } catch (error) {
    throw keychainFailure(error, 'store the API key');
  }
}

/** True if a stored key was removed. */
export function forgetBridgeKey(keychain: Keychain): boolean {
  try {
    return keychain.delete(BRIDGE_KEY_ACCOUNT);
  } catch (error) {
    throw keychainFailure(error, 'remove the API key');
  }
}
