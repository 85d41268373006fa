// Connecting an MCP client, as `devmesh connect` and the console's "Connect an agent" page do: reuse the client's active key or create one, and build the client's setup.
import { AppError } from '../../../shared/errors';
import { BRIDGE_KEY_ACCOUNT, clientSetup, type BridgeCommand, type ClientPlatform, type ClientSetup, type McpClient } from '../../../shared/mcp-clients';
import { apiKeyStatus, type ApiKeyRecord } from '../auth/api-key-service';
import { createAuditedKey, requireAssignableRole, requireRole } from '../auth/create-key';
import type { Principal, RequestContext } from '../auth/principal';
import { parseOpaqueToken } from '../auth/tokens';
import type { Keychain } from '../keychain/keychain';
import type { Services } from '../services';

export const DEFAULT_CLIENT_ROLE = 'user';
const HTTPS_TRUST_STEP = 'The mesh serves HTTPS: make the client trust its CA first — `devmesh certs trust-help` writes the CA file and shows how (for Node-based clients such as Claude Code, Cursor and VS Code: start them with NODE_EXTRA_CA_CERTS set to that file).';

/** What happened to the key. The raw key exists only in a `created` outcome, and only when the keychain did not take it. */
export type KeyOutcome =
  | { kind: 'created'; record: ApiKeyRecord; key: string; inKeychain: boolean; keychainProblem?: string }
  | { kind: 'reused'; record: ApiKeyRecord; inKeychain: boolean };

export interface ConnectClientRequest {
  client: McpClient;
  /** The MCP endpoint the client will reach. */
  url: string;
  /** An active key with this name is reused. */
  keyName: string;
  /** Role of a new key (default `user`); when given, a key reused under the name must have it. */
  role?: string | undefined;
  expiresInSeconds?: number | undefined;
  /** How Claude Desktop starts the bridge; without it, `devmesh` from PATH. */
  bridgeCommand?: BridgeCommand | undefined;
  platform?: NodeJS.Platform;
  /** How the messages name the key-name input: the CLI's flag by default. */
  keyNameLabel?: string;
}

export interface ConnectClientResult {
  setup: ClientSetup;
  outcome: KeyOutcome;
}

function platformOf(platform: NodeJS.Platform): ClientPlatform {
  return platform === 'darwin' || platform === 'win32' ? platform : 'linux';
}

/** The newest key in the tenant with this name that still works. */
function activeKey(keys: ApiKeyRecord[], name: string): ApiKeyRecord | undefined {
  return keys.find((k) => k.name === name && apiKeyStatus(k) === 'active');
}

/** Whether the bridge's keychain entry holds this key (compared by id, never shown); false when there is no keychain. */
function keychainHolds(keychain: Keychain, keyId: string): boolean {
  try {
    const stored = keychain.get(BRIDGE_KEY_ACCOUNT);
    return stored !== null && parseOpaqueToken('dmk', stored.trim())?.id === keyId;
  } catch {
    return false;
  }
}

function storeInKeychain(keychain: Keychain, key: string): { ok: true } | { ok: false; reason: string } {
  try {
    keychain.set(BRIDGE_KEY_ACCOUNT, key);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The caller has already authorized `api_keys:write` for `operator` (the console's IPC guard; the CLI's operator is the
 * local admin). A new key's role must be within the operator's; a new key is recorded as `api_key_created` with the client.
 * Claude Desktop's new key goes into the OS keychain for `devmesh mcp-bridge` when there is one.
 */
export function connectClient(services: Services, operator: Principal, ctx: RequestContext, request: ConnectClientRequest): ConnectClientResult {
  const { client, url, keyName, role } = request;
  const generated = clientSetup(client, { url, platform: platformOf(request.platform ?? process.platform), bridgeCommand: request.bridgeCommand });
  // HTTPS with the mesh's own CA: Node-based clients trust it only through NODE_EXTRA_CA_CERTS (or the OS store).
  const setup = url.startsWith('https:') ? { ...generated, steps: [...generated.steps, HTTPS_TRUST_STEP] } : generated;
  if (role !== undefined) requireRole(services, role);
  const { keychain } = services.core;
  const existing = activeKey(services.apiKeys.list({ tenantId: operator.tenantId }), keyName);
  if (existing !== undefined) {
    if (role !== undefined && role !== existing.role) {
      throw new AppError('CONFLICT', `API key "${keyName}" (${existing.id}) already exists with role ${existing.role}; revoke it first (devmesh keys revoke ${existing.id}) or pick another ${request.keyNameLabel ?? '--key-name'}`);
    }
    return { setup, outcome: { kind: 'reused', record: existing, inKeychain: client === 'claude-desktop' && keychainHolds(keychain, existing.id) } };
  }
  const newRole = role ?? DEFAULT_CLIENT_ROLE;
  requireAssignableRole(services, operator, newRole, ctx);
  const { record, key } = createAuditedKey(services, operator, { name: keyName, role: newRole, tenantId: operator.tenantId, expiresInSeconds: request.expiresInSeconds, metadata: { client } }, ctx);
  const stored = client === 'claude-desktop' ? storeInKeychain(keychain, key) : undefined;
  return { setup, outcome: { kind: 'created', record, key, inKeychain: stored?.ok === true, ...(stored?.ok === false ? { keychainProblem: stored.reason } : {}) } };
}

/** The outcome as data (`devmesh connect --json`, the console): `api_key` only when just created and not in the keychain. */
export function connectReport(setup: ClientSetup, url: string, outcome: KeyOutcome) {
  const created = outcome.kind === 'created';
  return {
    client: setup.client,
    key_id: outcome.record.id,
    key_name: outcome.record.name,
    role: outcome.record.role,
    key_created: created,
    key_in_keychain: outcome.inKeychain,
    ...(created && !outcome.inKeychain ? { api_key: outcome.key } : {}),
    url,
    file: setup.file ?? null,
    snippet: setup.snippet,
    steps: setup.steps,
  };
}
