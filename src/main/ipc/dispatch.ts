// Runs one IPC call from untrusted input: parse the input with the contract, call the handler, check the output, wrap {ok,value}|{ok:false,error}.
import { AppError, isAppError } from '../../shared/errors';
import { ipcContract, type IpcChannel, type IpcResult } from '../../shared/ipc/contract';
import type { Mesh } from '../mesh';
import type { IpcHandlers } from './handlers';

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(ipcContract, value);
}

export async function dispatchIpc(handlers: IpcHandlers, mesh: Mesh, channel: IpcChannel, rawInput: unknown): Promise<IpcResult<unknown>> {
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
    if (isAppError(error)) return { ok: false, error: { code: error.code, message: error.httpStatus >= 500 && error.httpStatus !== 503 ? 'internal error' : error.message } };
    const internal = new AppError('INTERNAL', 'internal error', { cause: error });
    return { ok: false, error: { code: internal.code, message: internal.message } };
  }
}
