// Who the console acts as: the local operator `console:<os user>` (admin of the default tenant), the OS user who owns the keychain holding the master key.
import { randomUUID } from 'node:crypto';
import { localOperator } from '../core/auth/local-operator';
import type { Principal, RequestContext } from '../core/auth/principal';

export function consolePrincipal(): Principal {
  return localOperator('console');
}

/** Each IPC call is one request: its trace id ties the authorization decision to the events the action records. */
export function consoleRequest(): RequestContext {
  return { traceId: randomUUID() };
}
