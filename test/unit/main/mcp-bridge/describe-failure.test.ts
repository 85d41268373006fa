// What a client and the stderr log are told when the mesh cannot be reached or refuses a request.
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { describeFailure, errorResponse } from '../../../../src/main/mcp-bridge/describe-failure';

const url = new URL('http://127.0.0.1:8080/mcp');
const posted = (status: number, body: string) => new StreamableHTTPError(status, `Error POSTing to endpoint: ${body}`);

describe('describeFailure', () => {
  it('names the fix for a refused key and passes on what the mesh said', () => {
    const failure = describeFailure(posted(401, '{"error":{"code":"AUTH_INVALID","message":"The API key is revoked.","trace_id":"t1"}}'), { url, inSession: false });
    expect(failure.message).toBe('the mesh refused the API key (401): check `devmesh keys list` for a revoked or expired key, or store a new one with `devmesh mcp-bridge --store-key` (or set DEVMESH_API_KEY); the mesh said: The API key is revoked.');
    expect(failure).toMatchObject({ code: 'AUTH_INVALID', httpStatus: 401 });
  });

  it('takes the code from the mesh body when it has one, else from the status', () => {
    expect(describeFailure(posted(403, '{"error":{"code":"IP_BLOCKED","message":"blocked"}}'), { url, inSession: true }).code).toBe('IP_BLOCKED');
    expect(describeFailure(posted(429, 'Too Many Requests'), { url, inSession: true })).toMatchObject({ code: 'RATE_LIMITED', message: 'the mesh is rate-limiting this key (429): retry in a moment' });
    expect(describeFailure(posted(502, '<html>bad gateway</html>'), { url, inSession: true })).toMatchObject({ code: 'INTERNAL', message: 'the mesh failed to handle the request (502): see its log' });
  });

  it('tells a lost session (404 inside a session) from a wrong URL (404 before one)', () => {
    expect(describeFailure(posted(404, ''), { url, inSession: true }).message).toMatch(/^the mesh no longer knows this MCP session \(404\)/);
    expect(describeFailure(posted(404, ''), { url, inSession: false }).message).toBe('nothing answers MCP at http://127.0.0.1:8080/mcp (404): check --url (the mesh serves /mcp)');
  });

  it('says the mesh is unreachable when fetch fails at the socket', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' }) });
    expect(describeFailure(error, { url, inSession: false }).message).toBe('cannot reach the mesh at http://127.0.0.1:8080/mcp (ECONNREFUSED): is `devmesh serve` or the desktop app running?');
  });

  it('keeps anything else to one line', () => {
    expect(describeFailure(new Error('odd\n  thing'), { url, inSession: false }).message).toBe('relaying to the mesh at http://127.0.0.1:8080/mcp failed: odd thing');
  });
});

describe('errorResponse', () => {
  it('answers the same id with the registry\'s JSON-RPC code and the reason as data', () => {
    expect(errorResponse('a', { message: 'm', code: 'AUTH_INVALID', httpStatus: 401 })).toEqual({ jsonrpc: '2.0', id: 'a', error: { code: -32000, message: 'm', data: { code: 'AUTH_INVALID', http_status: 401 } } });
    expect(errorResponse(3, { message: 'm', code: 'INTERNAL' })).toEqual({ jsonrpc: '2.0', id: 3, error: { code: -32603, message: 'm', data: { code: 'INTERNAL' } } });
  });
});
