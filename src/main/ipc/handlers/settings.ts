// The "Settings" page: effective settings with their source and what the servers run with; changes and resets through the same audited core function as PATCH /api/v1/settings.
import type { settingsChannels, SettingsView } from '../../../shared/ipc/contracts/settings';
import { changeSettingsAudited, hasServingCertificate } from '../../core/settings/change-settings';
import { SETTING_ENV_VARS, STARTUP_KEYS } from '../../core/settings/settings-service';
import type { Mesh } from '../../mesh';
import type { ConsoleHandlers } from '../console-handler';

function view(mesh: Mesh): SettingsView {
  const { settings } = mesh.services;
  const values = settings.get();
  return {
    values,
    environment: settings.environment(),
    overridden: settings.overridden(),
    running: mesh.startup,
    restart_pending: STARTUP_KEYS.filter((key) => values[key] !== mesh.startup[key]),
    variables: Object.fromEntries(Object.entries(SETTING_ENV_VARS).filter((e): e is [string, string] => e[1] !== undefined)),
    certificates: { api: hasServingCertificate(mesh.services, 'api'), mcp: hasServingCertificate(mesh.services, 'mcp') },
  };
}

export const settingsHandlers: ConsoleHandlers<keyof typeof settingsChannels> = {
  'settings:get': {
    needs: [{ resource: 'settings', action: 'read' }],
    handle: ({ mesh }) => view(mesh),
  },
  'settings:update': {
    needs: [{ resource: 'settings', action: 'write' }],
    handle({ mesh, principal, request }, { changes }) {
      const { before, after, restartRequired } = changeSettingsAudited(mesh.services, principal, { set: changes }, request);
      return { before, after, restart_required: restartRequired, settings: view(mesh) };
    },
  },
  'settings:reset': {
    needs: [{ resource: 'settings', action: 'write' }],
    handle({ mesh, principal, request }, { keys }) {
      const { before, after, restartRequired } = changeSettingsAudited(mesh.services, principal, { reset: keys }, request);
      return { before, after, restart_required: restartRequired, settings: view(mesh) };
    },
  },
};
