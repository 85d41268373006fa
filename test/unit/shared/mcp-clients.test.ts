// The client-setup snippets: exact formats per client, valid JSON, no key anywhere, and a Claude Code command a shell reads as intended.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { API_KEY_ENV, BRIDGE_KEY_ACCOUNT, clientSetup, isMcpClient, MCP_CLIENTS } from '../../../src/shared/mcp-clients';
import { API_KEY_ENV as MAIN_API_KEY_ENV, BRIDGE_KEY_ACCOUNT as MAIN_BRIDGE_KEY_ACCOUNT } from '../../../src/main/core/mcp/bridge-key';

const URL = 'http://127.0.0.1:8080/mcp';

/** What a POSIX shell passes to `claude` when it runs the snippet: one line per argument. */
function claudeArgs(snippet: string, env: Record<string, string>): string[] {
  const result = spawnSync('sh', ['-c', `claude() { printf '%s\\n' "$@"; }\n${snippet}`], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trimEnd().split('\n');
}

describe('MCP_CLIENTS', () => {
  it('are the four documented clients, and nothing else passes isMcpClient', () => {
    expect(MCP_CLIENTS).toEqual(['claude-code', 'cursor', 'vscode', 'claude-desktop']);
    expect(MCP_CLIENTS.every(isMcpClient)).toBe(true);
    for (const other of ['windsurf', 'Cursor', '', 'claude']) expect(isMcpClient(other), other).toBe(false);
  });

  it('keeps the bridge key names the main side re-exports', () => {
    expect([API_KEY_ENV, BRIDGE_KEY_ACCOUNT]).toEqual(['DEVMESH_API_KEY', 'mcp-bridge-api-key']);
    expect([MAIN_API_KEY_ENV, MAIN_BRIDGE_KEY_ACCOUNT]).toEqual([API_KEY_ENV, BRIDGE_KEY_ACCOUNT]);
  });
});

describe('clientSetup', () => {
  it('claude-code: `claude mcp add --transport http` at user scope with the key from a shell variable', () => {
    const setup = clientSetup('claude-code', { url: URL });
    expect(setup).toMatchObject({ client: 'claude-code', title: 'Claude Code', file: '~/.claude.json', kind: 'command' });
    expect(setup.snippet).toBe('claude mcp add --transport http --scope user devmesh http://127.0.0.1:8080/mcp --header "Authorization: Bearer $DEVMESH_API_KEY"');
    expect(setup.steps.join('\n')).toContain('~/.claude.json');
    expect(setup.steps.join('\n')).toContain('read -rs DEVMESH_API_KEY');
  });

  it('claude-code: the shell turns the snippet into exactly the arguments claude expects', () => {
    const key = 'dmk_0123456789abcdef_secret';
    expect(claudeArgs(clientSetup('claude-code', { url: URL }).snippet, { [API_KEY_ENV]: key })).toEqual([
      'mcp', 'add', '--transport', 'http', '--scope', 'user', 'devmesh', URL, '--header', `Authorization: Bearer ${key}`,
    ]);
    // A URL a shell would split or expand is quoted.
    const odd = "https://mesh.example:8443/mcp?a=1&b='x'";
    expect(claudeArgs(clientSetup('claude-code', { url: odd, serverName: 'mesh_2' }).snippet, { [API_KEY_ENV]: key }).slice(6, 8)).toEqual(['mesh_2', odd]);
  });

  it('claude-code on Windows: PowerShell syntax', () => {
    const setup = clientSetup('claude-code', { url: URL, platform: 'win32' });
    expect(setup.snippet).toBe('claude mcp add --transport http --scope user devmesh http://127.0.0.1:8080/mcp --header "Authorization: Bearer $env:DEVMESH_API_KEY"');
    expect(setup.steps[0]).toContain('$env:DEVMESH_API_KEY = Read-Host -MaskInput');
  });

  it('cursor: mcp.json with url and a header read from ${env:DEVMESH_API_KEY}', () => {
    const setup = clientSetup('cursor', { url: URL });
    expect(setup).toMatchObject({ client: 'cursor', title: 'Cursor', file: '~/.cursor/mcp.json', kind: 'json' });
    expect(JSON.parse(setup.snippet)).toEqual({ mcpServers: { devmesh: { url: URL, headers: { Authorization: 'Bearer ${env:DEVMESH_API_KEY}' } } } });
    expect(setup.steps.join('\n')).toContain('DEVMESH_API_KEY');
  });

  it('vscode: .vscode/mcp.json with a password prompt input and an http server using it', () => {
    const setup = clientSetup('vscode', { url: URL });
    expect(setup).toMatchObject({ client: 'vscode', title: 'VS Code', file: '.vscode/mcp.json', kind: 'json' });
    expect(JSON.parse(setup.snippet)).toEqual({
      inputs: [{ type: 'promptString', id: 'devmesh-api-key', description: 'Developer Mesh API key', password: true }],
      servers: { devmesh: { type: 'http', url: URL, headers: { Authorization: 'Bearer ${input:devmesh-api-key}' } } },
    });
    const named = JSON.parse(clientSetup('vscode', { url: URL, serverName: 'mesh' }).snippet) as { inputs: { id: string }[]; servers: Record<string, { headers: { Authorization: string } }> };
    expect(named.inputs[0]?.id).toBe('mesh-api-key');
    expect(named.servers.mesh?.headers.Authorization).toBe('Bearer ${input:mesh-api-key}');
  });

  it('claude-desktop: the stdio bridge, `devmesh` from PATH unless given absolute paths, config path per OS', () => {
    const plain = clientSetup('claude-desktop', { url: URL });
    expect(JSON.parse(plain.snippet)).toEqual({ mcpServers: { devmesh: { command: 'devmesh', args: ['mcp-bridge', '--url', URL] } } });
    expect(plain.file).toBe('~/Library/Application Support/Claude/claude_desktop_config.json (macOS) or %APPDATA%\\Claude\\claude_desktop_config.json (Windows)');
    expect(plain.steps.join('\n')).toContain('which devmesh');

    const bridge = { command: 'C:\\Program Files\\nodejs\\node.exe', args: ['C:\\Users\\me\\devmesh\\bin\\devmesh.js'] };
    const windows = clientSetup('claude-desktop', { url: URL, platform: 'win32', bridgeCommand: bridge });
    expect(JSON.parse(windows.snippet)).toEqual({ mcpServers: { devmesh: { command: bridge.command, args: [bridge.args[0], 'mcp-bridge', '--url', URL] } } });
    expect(windows.file).toBe('%APPDATA%\\Claude\\claude_desktop_config.json');
    expect(clientSetup('claude-desktop', { url: URL, platform: 'darwin' }).file).toBe('~/Library/Application Support/Claude/claude_desktop_config.json');
    expect(windows.steps.join('\n')).toContain(BRIDGE_KEY_ACCOUNT);
  });

  it('puts no credential in any config: every Authorization header is a placeholder', () => {
    for (const client of MCP_CLIENTS) {
      for (const platform of [undefined, 'darwin', 'win32', 'linux'] as const) {
        const { snippet, steps } = clientSetup(client, { url: URL, platform });
        for (const text of [snippet, ...steps]) expect(text).not.toMatch(/dmk_|Bearer (?!\$env:|\$DEVMESH|\$\{env:|\$\{input:)/);
      }
    }
  });

  it('refuses a server name or URL that would break a snippet, as misuse (TypeError)', () => {
    for (const serverName of ['', 'dev mesh', '1mesh', 'mesh;rm', 'a'.repeat(65)]) expect(() => clientSetup('cursor', { url: URL, serverName }), serverName).toThrow(TypeError);
    for (const url of ['127.0.0.1:8080/mcp', 'ws://127.0.0.1:8080/ws', 'not a url']) expect(() => clientSetup('claude-code', { url }), url).toThrow(TypeError);
  });
});
