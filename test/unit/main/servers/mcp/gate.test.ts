// The gate between an MCP transport and its server, driven with a fake transport: what reaches the server, what is refused, and what the audit trail records.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../../../../src/main/core/auth/principal';
import { openCore, type Core } from '../../../../../src/main/core/open-core';
import { createServices, type Services } from '../../../../../src/main/core/services';
import { authInfoFor, GatedTransport, summarizeArguments } from '../../../../../src/main/servers/mcp/gate';
import { testConfig } from '../../../../helpers/config';
import { createMemoryKeychain } from '../../../../helpers/memory-keychain';
import { tempDir } from '../../../../helpers/temp-dir';

class FakeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  sessionId = 'fake-session';
  sent: JSONRPCMessage[] = [];
  start = async () => undefined;
  close = async () => undefined;
  send = async (message: JSONRPCMessage) => {
    this.sent.push(message);
  };
}

const opened: { core: Core; services: Services }[] = [];
afterEach(async () => {
  for (const { core, services } of opened.splice(0)) {
    services.close();
    await core.close();
  }
});

function setup(role: string): { services: Services; inner: FakeTransport; gated: GatedTransport; reached: JSONRPCMessage[]; from: (m: Record<string, unknown>) => void } {
  const core = openCore(testConfig(tempDir()), { keychain: createMemoryKeychain() });
  const services = createServices(core, { passwordCost: 4 });
  opened.push({ core, services });
  const principal: Principal = { subject: 'key:k1', kind: 'api_key', tenantId: 'default', role, userId: null, keyId: 'k1', authMethod: 'api_key' };
  const inner = new FakeTransport();
  const gated = new GatedTransport(inner, services, 'http');
  const reached: JSONRPCMessage[] = [];
  gated.onmessage = (m) => reached.push(m);
  const extra = { authInfo: authInfoFor({ principal, ctx: { ip: '127.0.0.1', traceId: 'a'.repeat(32) } }) };
  return { services, inner, gated, reached, from: (m) => inner.onmessage?.({ jsonrpc: '2.0', ...m } as JSONRPCMessage, extra) };
}

describe('GatedTransport', () => {
  it('rewrites an initialize asking for a version we do not offer, and passes ours unchanged', () => {
    const { reached, from } = setup('user');
    from({ id: 1, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
    from({ id: 2, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
    expect(reached.map((m) => (m as unknown as { params: { protocolVersion: string } }).params.protocolVersion)).toEqual(['2025-11-25', '2025-03-26']);
  });

  it('refuses a tool call without permission itself: the server never sees it, the client gets a JSON-RPC error, the trail a denied call', async () => {
    const { services, inner, reached, from } = setup('viewer');
    from({ id: 5, method: 'tools/call', params: { name: 'context_delete', arguments: { id: 'x' } } });
    await new Promise((r) => setImmediate(r));
    expect(reached).toEqual([]);
    expect(inner.sent).toEqual([{ jsonrpc: '2.0', id: 5, error: { code: -32000, message: expect.stringContaining('tools:execute:context_delete'), data: { code: 'FORBIDDEN', trace_id: 'a'.repeat(32) } } }]);
    const [call] = services.core.audit.query({ event_type: 'mcp_tool_call' }).events;
    expect(call).toMatchObject({ result: 'denied', resource: 'tool:context_delete', metadata: { outcome: 'denied', session_id: 'fake-session' } });
  });

  it('records a call when its answer goes out, with the outcome the answer carries', async () => {
    const { services, gated, from } = setup('user');
    from({ id: 7, method: 'tools/call', params: { name: 'whoami', arguments: {} } });
    from({ id: 8, method: 'tools/call', params: { name: 'context_get', arguments: { id: 'nope' } } });
    await gated.send({ jsonrpc: '2.0', id: 7, result: { content: [], structuredContent: {} } } as JSONRPCMessage);
    await gated.send({ jsonrpc: '2.0', id: 8, result: { isError: true, content: [{ type: 'text', text: 'NOT_FOUND: no context nope' }] } } as JSONRPCMessage);
    const events = services.core.audit.query({ event_type: 'mcp_tool_call' }).events.reverse();
    expect(events.map((e) => [e.resource, e.result, e.metadata?.outcome, e.error])).toEqual([
      ['tool:whoami', 'success', 'success', null],
      ['tool:context_get', 'failure', 'error', 'NOT_FOUND: no context nope'],
    ]);
  });

  it('records a call the client cancelled, which the server never answers', () => {
    const { services, from } = setup('user');
    from({ id: 9, method: 'tools/call', params: { name: 'context_list', arguments: {} } });
    from({ method: 'notifications/cancelled', params: { requestId: 9, reason: 'user pressed stop' } });
    const [call] = services.core.audit.query({ event_type: 'mcp_tool_call' }).events;
    expect(call).toMatchObject({ result: 'failure', error: 'cancelled by the client', metadata: { outcome: 'cancelled', tool: 'context_list' } });
  });

  it('keeps short arguments as given and cuts long strings, saying how long they were', () => {
    expect(summarizeArguments({ id: 'x', content: 'y'.repeat(1000), nested: { list: [1, null, 'z'] } })).toEqual({ id: 'x', content: `${'y'.repeat(200)}… (1000 chars)`, nested: { list: [1, null, 'z'] } });
  });

  it('filters a tools/list answer to what the caller may call', async () => {
    const { inner, gated, from } = setup('viewer');
    from({ id: 3, method: 'tools/list' });
    await gated.send({ jsonrpc: '2.0', id: 3, result: { tools: [{ name: 'whoami' }, { name: 'context_get' }] } } as JSONRPCMessage);
    expect(inner.sent).toEqual([{ jsonrpc: '2.0', id: 3, result: { tools: [] } }]);
  });
});
