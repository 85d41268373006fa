// Unwraps window.mesh results for the stores: a value, or a MeshCallError carrying the shared error code and a message fit to show.
import type { IpcResult } from '../../../shared/ipc/contract';

export class MeshCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'MeshCallError';
    this.code = code;
  }
}

/** A failure as a page shows it. */
export interface ShownError {
  code: string;
  message: string;
}

export async function unwrap<T>(call: () => Promise<IpcResult<T>>): Promise<T> {
  const result = await call();
  if (!result.ok) throw new MeshCallError(result.error.code, result.error.message);
  return result.value;
}

/** Anything a call threw, as something to show: the bridge itself can fail too (main process gone, IPC refused). */
export function shownError(error: unknown): ShownError {
  if (error instanceof MeshCallError) return { code: error.code, message: error.message };
  return { code: 'UNREACHABLE', message: error instanceof Error ? error.message : String(error) };
}
