// connect:setup: the "Connect an agent" page — the client's key (reused while active, else created within the operator's role) and its exact setup.
import type { connectChannels } from '../../../shared/ipc/contracts/connect';
import { connectClient, connectReport } from '../../core/mcp/connect-client';
import type { Mesh } from '../../mesh';
import { defaultBridgeUrl } from '../../mcp-bridge/bridge-url';
import type { ConsoleHandlers } from '../console-handler';

/** The endpoint a client on this machine reaches: the running server's port and scheme, a wildcard bind reached on loopback. */
function clientUrl(mesh: Mesh): string {
  const served = new URL(mesh.urls.mcp);
  return defaultBridgeUrl({ DEVMESH_HOST: mesh.core.config.host, MCP_PORT: served.port, MCP_TLS_ENABLED: String(served.protocol === 'https:') }).href;
}

export const connectHandlers: ConsoleHandlers<keyof typeof connectChannels> = {
  'connect:setup': {
    needs: [{ resource: 'api_keys', action: 'write' }],
    handle({ mesh, principal, request }, input) {
      const url = clientUrl(mesh);
      // Claude Desktop's new key goes to the OS keychain for the bridge, as `devmesh connect` does; the bridge is `devmesh` from PATH.
      const { setup, outcome } = connectClient(mesh.services, principal, request, { client: input.client, url, keyName: input.key_name ?? `mcp-${input.client}`, role: input.role, keyNameLabel: 'key name' });
      return {
        ...connectReport(setup, url, outcome),
        title: setup.title,
        kind: setup.kind,
        ...(outcome.kind === 'created' && outcome.keychainProblem !== undefined ? { keychain_problem: outcome.keychainProblem } : {}),
      };
    },
  },
};
