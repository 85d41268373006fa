// Creates (owner-only) and checks the data directory, turning every file-system failure into one clear DATA_DIR_UNUSABLE line.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';

export const DATABASE_FILE = 'devmesh.db';

export interface DataDirPaths {
  readonly dir: string;
  readonly database: string;
  readonly lock: string;
}

export function dataDirPaths(dir: string): DataDirPaths {
  return { dir, database: join(dir, DATABASE_FILE), lock: join(dir, 'devmesh.lock') };
}

function unusable(dir: string, what: string, cause?: unknown): AppError {
  return new AppError('DATA_DIR_UNUSABLE', `data directory ${dir} ${what}; fix its permissions or set DEVMESH_DATA_DIR to another folder`, { cause });
}

/** Makes sure `dir` exists and is readable and writable by us (or only readable, with `write: false`). */
export function ensureDataDir(dir: string, { write = true }: { write?: boolean } = {}): DataDirPaths {
  try {
    if (write) mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw unusable(dir, 'is not a folder', cause);
    throw unusable(dir, `cannot be created (${code ?? 'error'})`, cause);
  }
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (cause) {
    throw unusable(dir, 'does not exist or cannot be read', cause);
  }
  if (!isDir) throw unusable(dir, 'is not a folder');
  try {
    accessSync(dir, write ? constants.R_OK | constants.W_OK | constants.X_OK : constants.R_OK | constants.X_OK);
  } catch (cause) {
    throw unusable(dir, write ? 'is not readable and writable by this user' : 'is not readable by this user', cause);
  }
  return dataDirPaths(dir);
}
