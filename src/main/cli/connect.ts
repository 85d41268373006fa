// `devmesh connect <client>`: a scoped API key for one MCP client (reused while it is active) and that client's setup.
// The snippet alone goes to stdout, so `devmesh connect cursor > mcp.json` works; the key, once, and the steps go to stderr.
import { realpathSync } from 'node:fs';
import type { Command } from 'commander';
import { keyLifetimeSeconds, type ApiKeyRecord } from '../core/auth/api-key-service';
import { connectClient, connectReport, DEFAULT_CLIENT_ROLE, type KeyOutcome } from '../core/mcp/connect-client';
import { defaultBridgeUrl } from '../mcp-bridge/bridge-url';
import { AppError } from '../../shared/errors';
import { API_KEY_ENV, isMcpClient, MCP_CLIENTS, type BridgeCommand, type ClientSetup, type McpClient } from '../../shared/mcp-clients';
import type { MeshConfig } from '../config';
import { keyNameOption } from './keys';
import { action } from './run';
import { withServices } from './with-services';

interface ConnectOptions {
  keyName?: string;
  role?: string;
  expiresIn?: string;
  json?: boolean;
}

export function registerConnectCommand(program: Command): void {
  program
    .command('connect <client>')
    .description(`set up an MCP client (${MCP_CLIENTS.join(', ')}): create or reuse its API key and print its config`)
    .option('--key-name <name>', 'name of the API key; an active key with this name is reused (default: mcp-<client>)')
    .option('--role <role>', `role of a new key (default: ${DEFAULT_CLIENT_ROLE})`)
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
  process.stdout.write(`${JSON.stringify(connectReport(setup, url, outcome), null, 2)}\n`);
}

export async function connectCommand(clientName: string, options: ConnectOptions): Promise<void> {
  const client = clientArgument(clientName);
  const keyName = keyNameOption(options.keyName ?? `mcp-${client}`, '--key-name');
  const expiresIn = options.expiresIn === undefined ? undefined : keyLifetimeSeconds(options.expiresIn, '--expires-in');
  await withServices((services, operator) => {
    const url = mcpUrl(services.core.config);
    const { setup, outcome } = connectClient(services, operator, {}, { client, url, keyName, role: options.role, expiresInSeconds: expiresIn, bridgeCommand: bridgeCommand() });
    if (options.json === true) printJson(setup, url, outcome);
    else printText(setup, url, outcome);
  });
}
