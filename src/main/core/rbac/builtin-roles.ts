// The seed's three built-in roles, as permission lists: admin (everything), user (contexts and tools), viewer (read-only).
import type { BuiltinRole } from '../../../shared/api/common';

export const BUILTIN_ROLE_PERMISSIONS: Readonly<Record<BuiltinRole, readonly string[]>> = {
  admin: ['*:*'],
  // Reads and writes contexts, executes tools, and manages its own API keys (never other people's: that is api_keys:manage).
  user: ['contexts:read', 'contexts:write', 'contexts:delete', 'tools:read', 'tools:execute', 'api_keys:read', 'api_keys:write', 'api_keys:delete'],
  // Read-only: contexts, the tool list, and its own API keys.
  viewer: ['contexts:read', 'tools:read', 'api_keys:read'],
};

export const BUILTIN_ROLE_DESCRIPTIONS: Readonly<Record<BuiltinRole, string>> = {
  admin: 'Everything, including users, roles, keys of others, audit and settings.',
  user: 'Reads and writes contexts, executes tools, manages its own API keys.',
  viewer: 'Read-only access to contexts, the tool list and its own API keys.',
};
