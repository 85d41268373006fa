// `devmesh mcp-bridge`: the stdio bridge for MCP clients that only speak stdio (Claude Desktop), plus --store-key/--forget-key for its API key.
import { Option, type Command } from 'commander';
import { createOsKeychain } from '../core/keychain/keychain';
import { API_KEY_ENV } from '../core/mcp/bridge-key';
import { forgetBridgeKey, readBridgeKey, STORE_KEY_HINT, storeBridgeKey } from '../mcp-bridge/api-key';
import { defaultBridgeUrl, parseBridgeUrl, sendsKeyInClear } from '../mcp-bridge/bridge-url';
import { startRelay } from '../mcp-bridge/relay';
import { action } from './run';
import { promptHidden, readStdinSecret } from './stdin';

interface BridgeOptions {
  url?: string;
  storeKey?: boolean;
  forgetKey?: boolean;
}

/** Diagnostics go to stderr: stdout belongs to the protocol. */
function say(line: string): void {
  process.stderr.write(`devmesh mcp-bridge: ${line}\n`);
}

async function storeKey(): Promise<void> {
  const raw = process.stdin.isTTY ? await promptHidden('API key (dmk_...): ') : await readStdinSecret('the API key');
  const keychain = createOsKeychain();
  storeBridgeKey(keychain, raw.trim());
  say(`API key stored in the OS keychain (${keychain.backend}); \`devmesh mcp-bridge\` uses it whenever ${API_KEY_ENV} is not set`);
}

function forgetKey(): void {
  const keychain = createOsKeychain();
  say(forgetBridgeKey(keychain) ? `API key removed from the OS keychain (${keychain.backend})` : `the OS keychain (${keychain.backend}) held no API key for the bridge`);
}

/** A pure client: reads the URL and the key, never the data dir, database or master key. */
async function relay(rawUrl: string | undefined): Promise<void> {
  const url = rawUrl === undefined ? defaultBridgeUrl() : parseBridgeUrl(rawUrl);
  const { key, source } = readBridgeKey(process.env, createOsKeychain());
  if (sendsKeyInClear(url)) say(`warning: ${url.host} is another machine and the URL is http://, so the API key crosses the network unencrypted; use https://`);
  say(`relaying stdio to ${url.href} with the API key from ${source}`);
  if (process.stdin.isTTY) say('waiting for MCP messages on stdin: this command is meant to be started by an MCP client (see `devmesh mcp-bridge --help`)');
  const running = await startRelay({ url, apiKey: key, log: say });
  const stop = (): void => void running.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await running.closed;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
}

async function mcpBridgeCommand(options: BridgeOptions): Promise<void> {
  if (options.storeKey === true) return storeKey();
  if (options.forgetKey === true) return forgetKey();
  return relay(options.url);
}

export function registerMcpBridgeCommand(program: Command): void {
  program
    .command('mcp-bridge')
    .description('relay an MCP client that only speaks stdio (Claude Desktop) to the mesh\'s /mcp endpoint, with the API key from the OS keychain or DEVMESH_API_KEY')
    .option('--url <url>', 'the mesh\'s MCP endpoint (default: http://$DEVMESH_HOST:$MCP_PORT/mcp, i.e. http://127.0.0.1:8080/mcp)')
    .addOption(new Option('--store-key', 'read an API key from standard input and save it in the OS keychain for the bridge, then exit').conflicts(['forgetKey', 'url']))
    .addOption(new Option('--forget-key', 'remove the bridge\'s API key from the OS keychain, then exit').conflicts('url'))
    .addHelpText(
      'after',
      `
The bridge speaks MCP (JSON-RPC lines) on stdin/stdout and Streamable HTTP to the mesh; diagnostics go to stderr.
It presents an API key, taken from ${API_KEY_ENV} when set, otherwise from the OS keychain:
  ${STORE_KEY_HINT}
so no client config file has to hold the key in plain text. Without a keychain, set ${API_KEY_ENV} in the client's config.

Claude Desktop (claude_desktop_config.json):
  { "mcpServers": { "devmesh": { "command": "devmesh", "args": ["mcp-bridge"] } } }

If the mesh is down or refuses the key, each request gets a JSON-RPC error saying why; the bridge keeps running.
When the client closes stdin, the bridge ends its MCP session and exits 0.`,
    )
    .action(action(mcpBridgeCommand));
}
