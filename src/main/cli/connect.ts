// `devmesh connect <client>`: a scoped API key for one MCP client (reused while it is active) and that client's setup.
// The snippet alone goes to stdout, so `devmesh connect cursor > mcp.json` works; the key, once, and the steps go to stderr.
import { realpathSync } from 'node:fs';
import type { Command } from 'commander';
import { parseOpaqueToken } from '../core/auth/tokens';
import { apiKeyStatus, keyLifetimeSeconds, type ApiKeyRecord } from '../core/auth/api-key-service';
import type { Keychain } from '../core/keychain/keychain';
import { defaultBridgeUrl } from '../mcp-bridge/bridge-url';
import { AppError } from '../../shared/errors';
import { API_KEY_ENV, BRIDGE_KEY_ACCOUNT, clientSetup, isMcpClient, MCP_CLIENTS, type BridgeCommand, type ClientPlatform, type ClientSetup, type McpClient } from '../../shared/mcp-clients';
import type { MeshConfig } from '../config';
import { createAuditedKey, keyNameOption, requireRole } from './keys';
import { action } from './run';
import { withServices } from './with-services';

const DEFAULT_ROLE = 'user';
const HTTPS_TRUST_STEP = 'The mesh serves HTTPS: make the client trust its CA first — `devmesh certs trust-help` writes the CA file and shows how (for Node-based clients such as Claude Code, Cursor and VS Code: start them with NODE_EXTRA_CA_CERTS set to that file).';

interface ConnectOptions {
  keyName?: string;
  role?: string;
  expiresIn?: string;
  json?: boolean;
}

/** What happened to the key, for the messages and the JSON. */
type KeyOutcome =
  | { kind: 'created'; record: ApiKeyRecord; key: string; inKeychain: boolean; keychainProblem?: string }
  | { kind: 'reused'; record: ApiKeyRecord; inKeychain: boolean };

export function registerConnectCommand(program: Command): void {
  program
    .command('connect <client>')
    .description(`set up an MCP client (${MCP_CLIENTS.join(', ')}): create or reuse its API key and print its config`)
    .option('--key-name <name>', 'name of the API key; an active key with this name is reused (default: mcp-<client>)')
    .option('--role <role>', `role of a new key (default: ${DEFAULT_ROLE})`)
    .option('--expires-in <duration>', 'lifetime of a new key, such as 90d (default: no expiry)')
    .option('--json', 'print {client, key_id, key_created, url, file, snippet, steps} as JSON (api_key only when just created and not in the keychain)')
    .addHelpText('after', `
The snippet alone goes to stdout; the new key (shown once) and the steps go to stderr. Claude Desktop's key goes
into the OS keychain for \`devmesh mcp-bridge\` when there is one. The URL comes from DEVMESH_HOST and MCP_PORT.`)
    .action(action(connectCommand));
}

function clientArgument(value: string): McpClient {
  if (!isMcpClient(value)) throw new AppError('VALIDATION_FAILED', `unknown client ${JSON.stringify(value)}; use one of ${MCP_CLIENTS.join(', ')}`);
  return value;
}

/** The URL a client on this machine reaches the MCP server at, from the same settings `devmesh serve` reads. */
function mcpUrl(config: MeshConfig): string {
  if (config.mcpPort === 0) throw new AppError('CONFIG_INVALID', 'MCP_PORT=0 picks a different free port at every start, so no client config can name it; set MCP_PORT (default 8080) for serve and connect alike');
  return defaultBridgeUrl({ DEVMESH_HOST: config.host, MCP_PORT: String(config.mcpPort), MCP_TLS_ENABLED: String(config.tls.mcp.enabled) }).href;
}

/** Node and this very script by absolute path: Claude Desktop starts the bridge without the shell's PATH. */
function bridgeCommand(): BridgeCommand | undefined {
  const script = process.argv[1];
  if (script === undefined) return undefined;
  try {
    return { command: process.execPath, args: [realpathSync(script)] };
  } catch {
    return undefined;
  }
}

function platformOf(platform: NodeJS.Platform): ClientPlatform {
  return platform === 'darwin' || platform === 'win32' ? platform : 'linux';
}

/** The newest key in the tenant with this name that still works. */
function activeKey(keys: ApiKeyRecord[], name: string): ApiKeyRecord | undefined {
  return keys.find((k) => k.name === name && apiKeyStatus(k) === 'active');
}

/** Whether the bridge's keychain entry holds this key (compared by id, never printed); false when there is no keychain. */
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

function describeKey(record: ApiKeyRecord): string {
  return `${record.id} "${record.name}" (role ${record.role}, ${record.expires_at === null ? 'no expiry' : `expires ${record.expires_at}`})`;
}

/** The lines about the key, for stderr: the raw key appears here once, on a line of its own. */
function keyLines(outcome: KeyOutcome, client: McpClient): string[] {
  const { record } = outcome;
  if (outcome.kind === 'reused') {
    const where = client !== 'claude-desktop' ? '' : outcome.inKeychain ? ' The OS keychain holds it for the bridge.' : ` The OS keychain does not hold it: set ${API_KEY_ENV} for the bridge, or get a fresh key as follows.`;
    return [
      `Reusing API key ${describeKey(record)}. Its value was shown only when it was created.${where}`,
      `For a fresh key: devmesh keys revoke ${record.id}, then run devmesh connect ${client} again.`,
    ];
  }
  if (outcome.inKeychain) return [`Created API key ${describeKey(record)} and stored it in the OS keychain for the bridge; it is not shown.`];
  return [
    ...(outcome.keychainProblem === undefined ? [] : [`Could not store the key in the OS keychain (${outcome.keychainProblem}); give it to the bridge through ${API_KEY_ENV} instead.`]),
    `Created API key ${describeKey(record)}. It is shown only this once: store it now.`,
    `${API_KEY_ENV}=${outcome.key}`,
  ];
}

function printText(setup: ClientSetup, url: string, outcome: KeyOutcome): void {
  const what = setup.kind === 'command' ? `Command (it saves the server in ${setup.file ?? 'the client config'}):` : `Config for ${setup.file ?? 'the client'}:`;
  const header = [`${setup.title} → ${url}`, ...keyLines(outcome, setup.client), what];
  process.stderr.write(`${header.join('\n')}\n`);
  process.stdout.write(`${setup.snippet}\n`);
  process.stderr.write(`${setup.steps.map((step, i) => `${i + 1}. ${step}`).join('\n')}\n`);
}

function printJson(setup: ClientSetup, url: string, outcome: KeyOutcome): void {
  const created = outcome.kind === 'created';
  const report = {
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
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

export async function connectCommand(clientName: string, options: ConnectOptions): Promise<void> {
  const client = clientArgument(clientName);
  const keyName = keyNameOption(options.keyName ?? `mcp-${client}`, '--key-name');
  const expiresIn = options.expiresIn === undefined ? undefined : keyLifetimeSeconds(options.expiresIn, '--expires-in');
  await withServices((services, operator) => {
    const url = mcpUrl(services.core.config);
    const generated = clientSetup(client, { url, platform: platformOf(process.platform), bridgeCommand: bridgeCommand() });
    // HTTPS with the mesh's own CA: Node-based clients trust it only through NODE_EXTRA_CA_CERTS (or the OS store).
    const setup = url.startsWith('https:') ? { ...generated, steps: [...generated.steps, HTTPS_TRUST_STEP] } : generated;
    if (options.role !== undefined) requireRole(services, options.role);
    const { keychain } = services.core;
    const existing = activeKey(services.apiKeys.list({ tenantId: operator.tenantId }), keyName);
    let outcome: KeyOutcome;
    if (existing !== undefined) {
      if (options.role !== undefined && options.role !== existing.role) {
        throw new AppError('CONFLICT', `API key "${keyName}" (${existing.id}) already exists with role ${existing.role}; revoke it first (devmesh keys revoke ${existing.id}) or pick another --key-name`);
      }
      outcome = { kind: 'reused', record: existing, inKeychain: client === 'claude-desktop' && keychainHolds(keychain, existing.id) };
    } else {
      const { record, key } = createAuditedKey(services, operator, { name: keyName, role: options.role ?? DEFAULT_ROLE, tenantId: operator.tenantId, expiresInSeconds: expiresIn, metadata: { client } });
      const stored = client === 'claude-desktop' ? storeInKeychain(keychain, key) : undefined;
      outcome = { kind: 'created', record, key, inKeychain: stored?.ok === true, ...(stored?.ok === false ? { keychainProblem: stored.reason } : {}) };
    }
    if (options.json === true) printJson(setup, url, outcome);
    else printText(setup, url, outcome);
  });
}
