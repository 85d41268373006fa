// mesh:status: version, data directory, URLs, master-key source and schema of the running mesh.
import type { meshChannels } from '../../../shared/ipc/contracts/mesh';
import { appVersion } from '../../mesh';
import type { ConsoleHandlers } from '../console-handler';
import { auditEventCount } from './counts';

export const meshHandlers: ConsoleHandlers<keyof typeof meshChannels> = {
  'mesh:status': {
    needs: [{ resource: 'settings', action: 'read' }],
    handle: ({ mesh }) => ({
      version: appVersion(),
      dataDir: mesh.core.paths.dir,
      urls: { mcp: mesh.urls.mcp, api: mesh.urls.api },
      masterKeySource: mesh.core.masterKeySource,
      keyVersion: mesh.core.keyVersion(),
      schemaVersion: mesh.core.storage.schemaVersion,
      auditEvents: auditEventCount(mesh.core.db),
    }),
  },
};
