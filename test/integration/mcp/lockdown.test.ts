// Lockdown and open MCP sessions: every session on both transports is ended within a tick, recorded with reason `lockdown`, and the credentials that held them are refused afterwards.
import { describe, expect, it, vi } from 'vitest';
import { bearer, httpClient, wsClient } from '../../helpers/mcp-client';
import { startTestMesh } from '../../helpers/mesh';

describe('lockdown ends open MCP sessions', () => {
  it('closes HTTP and WebSocket sessions, audits each end, and the old key is refused on the next try', async () => {
    const t = await startTestMesh();
    const key = t.apiKey('user');
    const { client: overHttp } = await httpClient(t.mcp, bearer(key));
    const { client: overWs, transport: ws } = await wsClient(t.mcp, bearer(key));
    expect((await overHttp.listTools()).tools.length).toBeGreaterThan(0);
    expect((await overWs.listTools()).tools.length).toBeGreaterThan(0);
    const wsClosed = new Promise<void>((resolve) => {
      const previous = ws.onclose;
      ws.onclose = () => {
        previous?.();
        resolve();
      };
    });

    const admin = await t.adminToken();
    expect((await t.request('POST', '/api/v1/admin/lockdown', { token: admin, body: {} })).status).toBe(200);

    const ended = () => t.mesh.core.audit.query({ event_type: 'mcp_session_ended' }).events.map((e) => e.metadata as { transport: string; reason: string });
    await vi.waitFor(() => expect(ended().map((m) => `${m.transport} ${m.reason}`).sort()).toEqual(['http lockdown', 'ws lockdown']), { timeout: 6000, interval: 100 });
    await wsClosed;
    // The key was revoked by the lockdown: a new session is refused at once.
    await expect(httpClient(t.mcp, bearer(key))).rejects.toThrow(/AUTH_INVALID/);
  });
});
