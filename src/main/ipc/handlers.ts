// The IPC handler table: contract channel -> function(mesh, input), every one authorized as the console operator first. Electron registers it (main/app/ipc.ts); tests and the browser bridge call it directly.
import type { IpcChannel } from '../../shared/ipc/contract';
import { guardHandlers, type ConsoleHandlers, type GuardOptions, type IpcHandlers } from './console-handler';
import type { ConsoleHost } from './console-host';
import { consolePrincipal, consoleRequest } from './console-principal';
import { auditHandlers } from './handlers/audit';
import { certsHandlers } from './handlers/certs';
import { connectHandlers } from './handlers/connect';
import { keysHandlers } from './handlers/keys';
import { settingsHandlers } from './handlers/settings';
import { meshHandlers } from './handlers/mesh';
import { overviewHandlers } from './handlers/overview';
import { rolesHandlers } from './handlers/roles';

export type { IpcHandlers };

const consoleHandlers: ConsoleHandlers<IpcChannel> = { ...meshHandlers, ...overviewHandlers, ...auditHandlers, ...rolesHandlers, ...connectHandlers, ...certsHandlers, ...keysHandlers, ...settingsHandlers };

/** Who every console call acts as, and the desktop it runs in (Electron's dialogs, or the test bridge's stand-in for the operator). */
export function consoleGuard(host: ConsoleHost): GuardOptions {
  return { principal: consolePrincipal, request: consoleRequest, host };
}

export function createIpcHandlers(host: ConsoleHost): IpcHandlers {
  return guardHandlers(consoleHandlers, consoleGuard(host));
}
