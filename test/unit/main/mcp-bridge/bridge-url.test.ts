// The bridge's endpoint: the same DEVMESH_HOST and MCP_PORT `devmesh serve` listens on, or a checked --url.
import { describe, expect, it } from 'vitest';
import { defaultBridgeUrl, parseBridgeUrl, sendsKeyInClear } from '../../../../src/main/mcp-bridge/bridge-url';

describe('defaultBridgeUrl', () => {
  it.each([
    [{}, 'http://127.0.0.1:8080/mcp'],
    [{ DEVMESH_HOST: 'localhost', MCP_PORT: '9090' }, 'http://localhost:9090/mcp'],
    [{ DEVMESH_HOST: '::1' }, 'http://[::1]:8080/mcp'],
    [{ DEVMESH_HOST: '0.0.0.0' }, 'http://127.0.0.1:8080/mcp'],
    [{ DEVMESH_HOST: '::' }, 'http://[::1]:8080/mcp'],
    [{ MCP_TLS_ENABLED: 'true' }, 'https://127.0.0.1:8080/mcp'],
    [{ MCP_TLS_ENABLED: 'false', MCP_PORT: '8443' }, 'http://127.0.0.1:8443/mcp'],
  ])('%o gives %s', (env, expected) => {
    expect(defaultBridgeUrl(env).href).toBe(expected);
  });

  it('refuses a port it cannot connect to', () => {
    expect(() => defaultBridgeUrl({ MCP_PORT: '70000' })).toThrow(/MCP_PORT="70000" is not a port/);
  });
});

describe('parseBridgeUrl', () => {
  it('accepts http and https', () => {
    expect(parseBridgeUrl('https://mesh.example:8443/mcp').href).toBe('https://mesh.example:8443/mcp');
  });

  it('refuses other schemes and embedded credentials', () => {
    expect(() => parseBridgeUrl('ws://127.0.0.1:8080/ws')).toThrow(/must be an http:\/\/ or https:\/\/ URL/);
    expect(() => parseBridgeUrl('http://u:p@127.0.0.1/mcp')).toThrow(/must not carry a user name or password/);
  });
});

describe('sendsKeyInClear', () => {
  it('is true only for plain http to another machine', () => {
    expect(sendsKeyInClear(new URL('http://127.0.0.1:8080/mcp'))).toBe(false);
    expect(sendsKeyInClear(new URL('http://[::1]:8080/mcp'))).toBe(false);
    expect(sendsKeyInClear(new URL('https://mesh.example/mcp'))).toBe(false);
    expect(sendsKeyInClear(new URL('http://mesh.example/mcp'))).toBe(true);
  });
});
