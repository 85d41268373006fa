// Where the stdio bridge finds its API key: the OS keychain entry `devmesh mcp-bridge --store-key` and `devmesh connect claude-desktop` write, or DEVMESH_API_KEY.

/** Keychain account (under KEYCHAIN_SERVICE) holding the API key the stdio bridge presents to /mcp. */
export const BRIDGE_KEY_ACCOUNT = 'mcp-bridge-api-key';

/** The environment variable a client config or the bridge reads the API key from. */
export const API_KEY_ENV = 'DEVMESH_API_KEY';
