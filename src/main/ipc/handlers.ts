// The IPC handler table: contract channel -> function(mesh, input), every one authorized as the console operator first. Electron registers it (main/app/ipc.ts); tests and the browser bridge call it directly.
import type { IpcChannel } from '../../shared/ipc/contract';
import { guardHandlers, type ConsoleHandlers } from './console-handler';
import { consolePrincipal, consoleRequest } from './console-principal';
import { auditHandlers } from './handlers/audit';
import { certsHandlers } from './handlers/certs';
import { connectHandlers } from './handlers/connect';
import { keysHandlers } from './handlers/keys';
import { meshHandlers } from './handlers/mesh';
import { overviewHandlers } from './handlers/overview';
import { rolesHandlers } from './handlers/roles';

export type { IpcHandlers } from './console-handler';

const consoleHandlers: ConsoleHandlers<IpcChannel> = { ...meshHandlers, ...overviewHandlers, ...auditHandlers, ...rolesHandlers, ...connectHandlers, ...certsHandlers, ...keysHandlers };

export const ipcHandlers = guardHandlers(consoleHandlers, { principal: consolePrincipal, request: consoleRequest });
