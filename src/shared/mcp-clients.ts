// MCP client setup: the exact snippet and steps that connect Claude Code, Cursor, VS Code or Claude Desktop to the mesh; used by `devmesh connect` and the console.
//
// The generator never sees an API key, so no snippet can carry one: Cursor reads it from the environment (${env:...}), VS Code
// prompts for it and keeps it in its secret storage (${input:...}), the Claude Desktop bridge takes it from the OS keychain,
// and the Claude Code command takes it from a shell variable (Claude Code then stores the expanded header in ~/.claude.json:
// at the time of writing it expands ${VAR} in project .mcp.json files but not reliably in the user-scope ~/.claude.json).

/** The clients `devmesh connect` knows, in the order help texts list them. */
export const MCP_CLIENTS = ['claude-code', 'cursor', 'vscode', 'claude-desktop'] as const;
export type McpClient = (typeof MCP_CLIENTS)[number];

/** How each client is named to people (help texts, the console's picker). */
export const MCP_CLIENT_TITLES: Readonly<Record<McpClient, string>> = { 'claude-code': 'Claude Code', cursor: 'Cursor', vscode: 'VS Code', 'claude-desktop': 'Claude Desktop' };

/** The environment variable a client config or the stdio bridge reads the API key from. */
export const API_KEY_ENV = 'DEVMESH_API_KEY';

/** Keychain account (under the app's keychain service) holding the API key the stdio bridge presents to /mcp. */
export const BRIDGE_KEY_ACCOUNT = 'mcp-bridge-api-key';

export type ClientPlatform = 'darwin' | 'win32' | 'linux';

export interface BridgeCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export interface ClientSetupOptions {
  /** The MCP endpoint, e.g. http://127.0.0.1:8080/mcp. */
  url: string;
  /** The name the client lists the server under (letters, digits, - and _). */
  serverName?: string;
  /** Picks the config path and shell syntax for that OS; without it both macOS and Windows paths are named. */
  platform?: ClientPlatform;
  /** How Claude Desktop starts the bridge; default `devmesh` from PATH. A GUI app's PATH is short, so the CLI passes absolute paths. */
  bridgeCommand?: BridgeCommand;
}

export interface ClientSetup {
  client: McpClient;
  title: string;
  /** Where the configuration ends up. */
  file?: string;
  /** `command` to run in a shell, or `json` to merge into `file`. */
  kind: 'command' | 'json';
  snippet: string;
  steps: string[];
}

export function isMcpClient(value: string): value is McpClient {
  return (MCP_CLIENTS as readonly string[]).includes(value);
}

const SERVER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes an argument for a POSIX shell or PowerShell when it needs it (both take '...' literally; only ' itself differs). */
function shellArg(value: string, platform: ClientPlatform | undefined): string {
  if (SHELL_SAFE.test(value)) return value;
  return platform === 'win32' ? `'${value.replace(/'/g, "''")}'` : `'${value.replace(/'/g, `'\\''`)}'`;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

const RUNNING = 'The mesh must be running (`devmesh serve` or the desktop app) when the client connects.';

function claudeCode(url: string, name: string, platform: ClientPlatform | undefined): Omit<ClientSetup, 'client'> {
  const windows = platform === 'win32';
  // Double quotes: the shell substitutes the variable, so the key is neither typed on the command line nor kept in its history.
  const header = windows ? `"Authorization: Bearer $env:${API_KEY_ENV}"` : `"Authorization: Bearer $${API_KEY_ENV}"`;
  const readKey = windows ? `$env:${API_KEY_ENV} = Read-Host -MaskInput 'API key'` : `read -rs ${API_KEY_ENV} && export ${API_KEY_ENV}`;
  return {
    title: MCP_CLIENT_TITLES['claude-code'],
    file: '~/.claude.json',
    kind: 'command',
    snippet: `claude mcp add --transport http --scope user ${name} ${shellArg(url, platform)} --header ${header}`,
    steps: [
      `Put the API key in ${API_KEY_ENV} without echoing it: \`${readKey}\` (then paste the key and press Enter).`,
      `Run the command in the same shell. Claude Code stores the header, key included, in the "${name}" entry of ~/.claude.json (user scope: every project); \`claude mcp remove ${name} --scope user\` deletes it.`,
      `Check with \`claude mcp list\` (or /mcp inside Claude Code). ${RUNNING}`,
    ],
  };
}

function cursor(url: string, name: string): Omit<ClientSetup, 'client'> {
  return {
    title: MCP_CLIENT_TITLES.cursor,
    file: '~/.cursor/mcp.json',
    kind: 'json',
    snippet: json({ mcpServers: { [name]: { url, headers: { Authorization: `Bearer \${env:${API_KEY_ENV}}` } } } }),
    steps: [
      `Merge the "${name}" entry into mcpServers of ~/.cursor/mcp.json (every project) or .cursor/mcp.json (one project); keep the servers already there.`,
      `Cursor fills in \${env:${API_KEY_ENV}} from its own environment when it connects, so mcp.json holds no key: set ${API_KEY_ENV} where Cursor starts (e.g. export it in your shell profile and start Cursor from that shell with \`cursor .\`).`,
      `Restart Cursor, or turn the server off and on in Cursor Settings → MCP. ${RUNNING}`,
    ],
  };
}

function vscode(url: string, name: string): Omit<ClientSetup, 'client'> {
  const input = `${name}-api-key`;
  return {
    title: MCP_CLIENT_TITLES.vscode,
    file: '.vscode/mcp.json',
    kind: 'json',
    snippet: json({
      inputs: [{ type: 'promptString', id: input, description: 'Developer Mesh API key', password: true }],
      servers: { [name]: { type: 'http', url, headers: { Authorization: `Bearer \${input:${input}}` } } },
    }),
    steps: [
      `Merge into .vscode/mcp.json of your workspace (or "MCP: Open User Configuration" for every workspace), keeping the servers and inputs already there.`,
      'When VS Code first starts the server it asks for the Developer Mesh API key (masked) and keeps it in its secret storage, never in mcp.json.',
      `Start "${name}" from the Start action above it in mcp.json, or from the tools list in Chat. ${RUNNING}`,
    ],
  };
}

function desktopConfigFile(platform: ClientPlatform | undefined): string {
  const mac = '~/Library/Application Support/Claude/claude_desktop_config.json';
  const windows = '%APPDATA%\\Claude\\claude_desktop_config.json';
  if (platform === 'darwin') return mac;
  if (platform === 'win32') return windows;
  // No official Linux build; community builds read the XDG path.
  if (platform === 'linux') return '~/.config/Claude/claude_desktop_config.json';
  return `${mac} (macOS) or ${windows} (Windows)`;
}

function claudeDesktop(url: string, name: string, platform: ClientPlatform | undefined, bridge: BridgeCommand | undefined): Omit<ClientSetup, 'client'> {
  const file = desktopConfigFile(platform);
  const { command, args } = bridge ?? { command: 'devmesh', args: [] };
  return {
    title: MCP_CLIENT_TITLES['claude-desktop'],
    file,
    kind: 'json',
    snippet: json({ mcpServers: { [name]: { command, args: [...args, 'mcp-bridge', '--url', url] } } }),
    steps: [
      `Merge the "${name}" entry into mcpServers of ${file} (Claude → Settings → Developer → Edit Config opens it); keep the servers already there.`,
      `Claude Desktop starts \`devmesh mcp-bridge\`, which relays stdio to ${url} with the API key from the OS keychain (account ${BRIDGE_KEY_ACCOUNT}), or from ${API_KEY_ENV} when set: the config file holds no key.`,
      bridge === undefined
        ? 'Claude Desktop does not start from your shell, so `devmesh` must be on the PATH it sees; if it is not, put the absolute paths of node and of devmesh (`which devmesh`) in command and args.'
        : 'command and args are the absolute paths of node and devmesh as installed now, because Claude Desktop does not see your shell PATH: run `devmesh connect claude-desktop` again after moving or upgrading either.',
      `Quit Claude Desktop completely and start it again. ${RUNNING}`,
    ],
  };
}

/** The snippet and steps that connect `client` to the MCP endpoint at `url`. Misuse (bad name or URL) throws TypeError. */
export function clientSetup(client: McpClient, { url, serverName = 'devmesh', platform, bridgeCommand }: ClientSetupOptions): ClientSetup {
  if (!SERVER_NAME.test(serverName)) throw new TypeError(`server name ${JSON.stringify(serverName)} must start with a letter and use only letters, digits, - and _`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`${JSON.stringify(url)} is not an http(s) URL`);
  const setup =
    client === 'claude-code' ? claudeCode(url, serverName, platform)
    : client === 'cursor' ? cursor(url, serverName)
    : client === 'vscode' ? vscode(url, serverName)
    : claudeDesktop(url, serverName, platform, bridgeCommand);
  return { client, ...setup };
}
