// A console IPC handler declares the permission it needs; the table wraps it so the console principal is authorized (and the decision audited) before it runs.
import type { IpcChannel, IpcOutput, IpcParsedInput } from '../../shared/ipc/contract';
import type { Principal, RequestContext } from '../core/auth/principal';
import type { Need } from '../core/rbac/permissions';
import type { Mesh } from '../mesh';
import type { ConsoleHost } from './console-host';

/** What a handler gets: the mesh, who is acting and the request's context (for the audit trail). */
export interface ConsoleCall {
  mesh: Mesh;
  principal: Principal;
  request: RequestContext;
  /** The desktop around the console: the native save dialog. */
  host: ConsoleHost;
}

export interface ConsoleHandler<C extends IpcChannel> {
  /** Every permission the channel needs; each is decided and audited before `handle` runs, as REST routes are. */
  needs: readonly Need[];
  handle(call: ConsoleCall, input: IpcParsedInput<C>): Promise<IpcOutput<C>> | IpcOutput<C>;
}

/** One feature's handlers, keyed by its channels. */
export type ConsoleHandlers<C extends IpcChannel> = { [K in C]: ConsoleHandler<K> };

/** What dispatch calls: (mesh, parsed input) -> output. */
export type IpcHandlers = { [C in IpcChannel]: (mesh: Mesh, input: IpcParsedInput<C>) => Promise<IpcOutput<C>> | IpcOutput<C> };

export interface GuardOptions {
  principal: () => Principal;
  request: () => RequestContext;
  host: ConsoleHost;
}

/** Authorizes every call as `principal` (FORBIDDEN, audited as denied, when a need is not granted), then runs the handler. */
export function guardHandlers(table: ConsoleHandlers<IpcChannel>, { principal, request, host }: GuardOptions): IpcHandlers {
  const guarded: Record<string, (mesh: Mesh, input: unknown) => unknown> = {};
  for (const [channel, handler] of Object.entries(table) as [IpcChannel, ConsoleHandler<IpcChannel>][]) {
    guarded[channel] = (mesh, input) => {
      const call: ConsoleCall = { mesh, principal: principal(), request: request(), host };
      for (const need of handler.needs) mesh.services.access.require(call.principal, need, call.request);
      return handler.handle(call, input as never);
    };
  }
  return guarded as IpcHandlers;
}
