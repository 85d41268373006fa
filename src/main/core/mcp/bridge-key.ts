// Where the stdio bridge finds its API key: the OS keychain entry `devmesh mcp-bridge --store-key` and `devmesh connect claude-desktop` write, or DEVMESH_API_KEY.
// The names live in src/shared so the client-setup snippets (CLI and console) use the very same ones.
export { API_KEY_ENV, BRIDGE_KEY_ACCOUNT } from '../../../shared/mcp-clients';
