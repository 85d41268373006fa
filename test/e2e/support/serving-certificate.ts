// Before a TLS mesh starts: a mesh CA and a server certificate chosen for the given servers, made over the same data as `devmesh certs ca create/issue/use` would.
import type { MeshConfig } from '../../../src/main/config';
import type { ServerName } from '../../../src/main/core/certs/types';
import type { Keychain } from '../../../src/main/core/keychain/keychain';
import { openCore } from '../../../src/main/core/open-core';
import { createServices } from '../../../src/main/core/services';

const ACTOR = { subject: 'cli:e2e', tenantId: 'default' };

export async function prepareServingCertificate(config: MeshConfig, keychain: Keychain, servers: readonly ServerName[]): Promise<string> {
  const core = openCore(config, { keychain });
  const services = createServices(core);
  try {
    services.certs.createCa(ACTOR, { commonName: 'E2E Mesh CA' });
    const { serial } = services.certs.issueServer(ACTOR, { sans: ['localhost', '127.0.0.1'], days: 90 });
    services.certs.use(ACTOR, serial, servers);
    return serial;
  } finally {
    services.close();
    await core.close();
  }
}
