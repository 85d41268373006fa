// Where the bridge's API key comes from, and what --store-key accepts.
import { describe, expect, it } from 'vitest';
import { newOpaqueToken } from '../../../../src/main/core/auth/tokens';
import { BRIDGE_KEY_ACCOUNT } from '../../../../src/main/core/mcp/bridge-key';
import { forgetBridgeKey, readBridgeKey, storeBridgeKey } from '../../../../src/main/mcp-bridge/api-key';
import { createMemoryKeychain } from '../../../helpers/memory-keychain';

const KEY = newOpaqueToken('dmk').raw;

describe('readBridgeKey', () => {
  it('prefers DEVMESH_API_KEY and does not touch the keychain then', () => {
    const keychain = createMemoryKeychain();
    keychain.unavailable = 'no bus';
    expect(readBridgeKey({ DEVMESH_API_KEY: ` ${KEY}\n` }, keychain)).toEqual({ key: KEY, source: 'DEVMESH_API_KEY' });
  });

  it('falls back to the keychain entry when the variable is unset or empty', () => {
    const keychain = createMemoryKeychain();
    keychain.entries.set(BRIDGE_KEY_ACCOUNT, KEY);
    expect(readBridgeKey({ DEVMESH_API_KEY: '' }, keychain)).toEqual({ key: KEY, source: 'the OS keychain (memory keychain)' });
  });

  it('names both fixes when there is no key, and the reason when the keychain is unreachable', () => {
    const keychain = createMemoryKeychain();
    expect(() => readBridgeKey({}, keychain)).toThrow(/holds none; run `devmesh keys create .*--store-key`, or set DEVMESH_API_KEY/);
    keychain.unavailable = 'no session bus';
    expect(() => readBridgeKey({}, keychain)).toThrow(/DEVMESH_API_KEY is not set and no session bus; set DEVMESH_API_KEY/);
  });
});

describe('storeBridgeKey and forgetBridgeKey', () => {
  it('stores only something shaped like an API key', () => {
    const keychain = createMemoryKeychain();
    expect(() => storeBridgeKey(keychain, 'dmr_' + KEY.slice(4))).toThrow(/not a devmesh API key/);
    expect(keychain.entries.size).toBe(0);
    storeBridgeKey(keychain, KEY);
    expect(keychain.entries.get(BRIDGE_KEY_ACCOUNT)).toBe(KEY);
    expect(forgetBridgeKey(keychain)).toBe(true);
    expect(forgetBridgeKey(keychain)).toBe(false);
  });

  it('points at DEVMESH_API_KEY when the keychain cannot store it', () => {
    const keychain = createMemoryKeychain();
    keychain.unavailable = 'locked';
    expect(() => storeBridgeKey(keychain, KEY)).toThrow(/cannot store the API key: locked; without a keychain, give the bridge its key through DEVMESH_API_KEY/);
  });
});
