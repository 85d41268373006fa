// What console handlers may ask of the desktop around them: where the operator wants an export saved (Electron's native save dialog; the browser test bridge answers for the operator).
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../shared/errors';
import type { SaveOutcome } from '../../shared/ipc/save';

export interface SaveTarget {
  /** The dialog's title, e.g. "Export the audit trail". */
  title: string;
  /** The file name offered, e.g. "devmesh-audit-2026-12-01.jsonl". */
  defaultName: string;
  /** File type filters, e.g. [{ name: 'JSON lines', extensions: ['jsonl'] }]. */
  filters: readonly { name: string; extensions: readonly string[] }[];
}

export interface ConsoleHost {
  /** The absolute path the operator chose, or undefined when they cancelled. */
  chooseSavePath(target: SaveTarget): Promise<string | undefined>;
}

/** Where no window can ask (unit tests, headless): every save is refused with a clear error rather than written somewhere unseen. */
export const NO_SAVE_DIALOG: ConsoleHost = {
  chooseSavePath: () => Promise.reject(new AppError('BAD_REQUEST', 'saving a file needs the desktop console (no save dialog here)')),
};

type Content = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/** A file-system failure in words the operator can act on (only ever asked about a failed open, write, sync or rename). */
function describeWriteError(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'the folder does not exist';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EROFS') return 'the disk is read-only';
  if (code === 'EISDIR') return 'that is a folder';
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
 * Asks where to save, then writes `produce()`'s content there (a string, bytes, or chunks written one by one with the event
 * loop free between them): beside the target first, renamed over it at the end, so a failed write never leaves half a file
 * or clobbers the old one. Files are owner-only (0600): exports can hold private keys.
 * A failure of the file system is the operator's to fix (BAD_REQUEST naming the path and the reason); a failure of the
 * content (`produce` or its chunks) is not, and is rethrown as it was, so it stays internal.
 */
export async function saveExport(host: ConsoleHost, target: SaveTarget, produce: (path: string) => Content | Promise<Content>): Promise<SaveOutcome> {
  const path = await host.chooseSavePath(target);
  if (path === undefined) return { saved: false };
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`);
  // Which side failed: only the file system's errors become a message for the operator.
  let fileSystemFailed = false;
  const onDisk = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      fileSystemFailed = true;
      throw error;
    }
  };
  let bytes = 0;
  try {
    // The file first: nothing is produced (nor audited as exported) for a place that cannot take it.
    const file = await onDisk(() => open(temporary, 'wx', 0o600));
    try {
      const content = await produce(path);
      const chunks = typeof content === 'string' || content instanceof Uint8Array ? [content] : content;
      for await (const chunk of chunks) {
        const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        await onDisk(() => file.write(data));
        bytes += data.byteLength;
      }
      await onDisk(() => file.sync());
    } finally {
      await file.close();
    }
    await onDisk(() => rename(temporary, path));
  } catch (error) {
    rmSync(temporary, { force: true });
    const reason = fileSystemFailed ? describeWriteError(error) : undefined;
    if (reason === undefined) throw error;
    throw new AppError('BAD_REQUEST', `could not save ${path}: ${reason}`);
  }
  return { saved: true, path, bytes };
}
