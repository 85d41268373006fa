// Runs one IPC call from untrusted input: parse the input with the contract, call the handler, check the output, wrap {ok,value}|{ok:false,error}.
import { isAppError } from '../../shared/errors';
import { ipcContract, type IpcChannel, type IpcFailure, type IpcResult } from '../../shared/ipc/contract';
import type { Mesh } from '../mesh';
import type { IpcHandlers } from './handlers';

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(ipcContract, value);
}

/** `onInternalError` sees what the renderer must not: the cause of an unexpected failure, for the log. */
export async function dispatchIpc(
  handlers: IpcHandlers,
  mesh: Mesh,
  channel: IpcChannel,
  rawInput: unknown,
  onInternalError: (error: unknown, channel: IpcChannel) => void = () => undefined,
): Promise<IpcResult<unknown>> {
  const spec = ipcContract[channel];
  const parsed = spec.input.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: { code: 'VALIDATION_FAILED', message: `${channel}: ${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}` } };
  }
  try {
    const handler = handlers[channel] as (mesh: Mesh, input: unknown) => unknown;
    const value = spec.output.parse(await handler(mesh, parsed.data));
    return { ok: true, value };
  } catch (error) {
    return ipcFailure(error, (cause) => onInternalError(cause, channel));
  }
}

/** A thrown error as the renderer may see it: an AppError the user can act on keeps its message; anything else is logged and shown as `internal error`. */
export function ipcFailure(error: unknown, onInternalError: (error: unknown) => void): IpcFailure {
  if (isAppError(error) && (error.httpStatus < 500 || error.httpStatus === 503)) return { ok: false, error: { code: error.code, message: error.message } };
  onInternalError(error);
  return { ok: false, error: { code: isAppError(error) ? error.code : 'INTERNAL', message: 'internal error' } };
}
