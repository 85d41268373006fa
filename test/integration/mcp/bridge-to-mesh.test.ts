// The stdio bridge against the real mesh: Claude Desktop's path end to end — SDK stdio client → `devmesh mcp-bridge` → /mcp — with the mesh's tools, RBAC and audit trail.
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, REPO_ROOT } from '../../helpers/cli';
import { testConfig } from '../../helpers/config';
import { startTestMesh } from '../../helpers/mesh';
import { tempDir } from '../../helpers/temp-dir';

const BIN = join(REPO_ROOT, 'bin', 'devmesh.js');
const clients: Client[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
});

async function throughBridge(mcpUrl: string, key: string): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp-bridge', '--url', `${mcpUrl}/mcp`], env: cleanEnv({ DEVMESH_API_KEY: key }), cwd: REPO_ROOT, stderr: 'pipe' });
  const client = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
  clients.push(client);
  await client.connect(transport);
  return client;
}

describe('mcp-bridge → mesh', () => {
  it('relays a full session: initialize, the role\'s tools, calls, resources, and the session ends when the client quits', async () => {
    const t = await startTestMesh();
    const key = t.apiKey('user');
    const client = await throughBridge(t.mcp, key);
    expect(client.getServerVersion()?.name).toBe('developer-mesh-console');
    expect((await client.listTools()).tools).toHaveLength(8);
    const created = await client.callTool({ name: 'context_create', arguments: { name: 'via the bridge' } });
    const id = (created.structuredContent as { id: string }).id;
    await client.callTool({ name: 'context_append', arguments: { id, role: 'user', content: 'relayed over stdio' } });
    expect(JSON.parse(((await client.readResource({ uri: `context://${id}` })).contents[0] as { text: string }).text)).toMatchObject({ items: [{ content: 'relayed over stdio' }] });
    await client.close();

    const audit = t.mesh.core.audit;
    const deadline = Date.now() + 5000;
    while (audit.query({ event_type: 'mcp_session_ended' }).events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(audit.query({ event_type: 'mcp_session_ended' }).events[0]?.metadata).toMatchObject({ transport: 'http', reason: 'deleted', tool_calls: 2 });
    expect(audit.query({ event_type: 'mcp_session_started' }).events[0]?.metadata).toMatchObject({ client: { name: 'claude-desktop-like' } });
  });

  it('passes a refusal through as a JSON-RPC error: a viewer key sees no tools and cannot call one', async () => {
    const t = await startTestMesh();
    const client = await throughBridge(t.mcp, t.apiKey('viewer'));
    expect((await client.listTools()).tools).toEqual([]);
    await expect(client.callTool({ name: 'context_create', arguments: { name: 'nope' } })).rejects.toMatchObject({ code: -32000, message: expect.stringContaining('tools:execute:context_create'), data: { code: 'FORBIDDEN' } });
  });

  it('carries on across a restart of the mesh: the bridge opens a new session and the client never notices', async () => {
    const base = testConfig(tempDir());
    const first = await startTestMesh({ dataDir: base.dataDir, masterKeyEnv: base.masterKeyEnv });
    const key = first.apiKey('user');
    const client = await throughBridge(first.mcp, key);
    const created = await client.callTool({ name: 'context_create', arguments: { name: 'kept across the restart' } });
    const id = (created.structuredContent as { id: string }).id;

    // `devmesh serve` stopped and started again on the same port and data: every session is gone, the key and data are not.
    await first.mesh.stop();
    const second = await startTestMesh({ dataDir: base.dataDir, masterKeyEnv: base.masterKeyEnv, mcpPort: Number(new URL(first.mcp).port) });
    const read = await client.callTool({ name: 'context_get', arguments: { id } });
    expect(read.isError).not.toBe(true);
    expect(read.structuredContent).toMatchObject({ id, name: 'kept across the restart' });

    const started = second.mesh.core.audit.query({ event_type: 'mcp_session_started' }).events;
    expect(started.map((e) => (e.metadata as { client?: { name?: string } }).client?.name)).toContain('claude-desktop-like');
  });
});
