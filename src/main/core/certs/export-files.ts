// Writes exported certificate files into one folder and nowhere else: no writing through symbolic links, no overwriting without --force, all files checked before any is written.
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError } from '../../../shared/errors';

export interface ExportFile {
  /** A bare file name (no folder part). */
  name: string;
  content: string | Uint8Array;
  /** 0o600 for private keys and PKCS#12, 0o644 for certificates. */
  mode: number;
}

export interface WriteOptions {
  /** Replace files that exist (never a symbolic link, which is refused regardless). */
  force: boolean;
  /** How the folder was given, for messages (e.g. "--out"). */
  flag: string;
}

function refuse(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}

/** The real path of the folder, created (mode 0700) when missing; a path that exists but is not a folder is refused. */
function prepareDir(dir: string, flag: string): string {
  const absolute = resolve(dir);
  try {
    mkdirSync(absolute, { recursive: true, mode: 0o700 });
    if (!statSync(absolute).isDirectory()) throw refuse(`${flag} ${absolute} is not a folder`);
    return realpathSync(absolute);
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (errno(error) === 'EEXIST' || errno(error) === 'ENOTDIR') throw refuse(`${flag} ${absolute} is not a folder`);
    throw refuse(`${flag} ${absolute} cannot be created or read (${errno(error)})`);
  }
}

/** Checks where each file would land: inside `root`, not a link, not an existing file unless forced. */
function checkTarget(root: string, file: ExportFile, options: WriteOptions): { path: string; exists: boolean } {
  if (file.name === '' || file.name !== basename(file.name) || file.name === '.' || file.name === '..' || file.name.includes('\0')) {
    throw refuse(`refusing to write ${JSON.stringify(file.name)}: it would leave ${options.flag} ${root}`);
  }
  const path = join(root, file.name);
  if (dirname(path) !== root) throw refuse(`refusing to write ${path}: it would leave ${options.flag} ${root}`);
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if (errno(error) === 'ENOENT') return { path, exists: false };
    throw refuse(`cannot check ${path} (${errno(error)})`);
  }
  if (stat.isSymbolicLink()) throw refuse(`${path} is a symbolic link; refusing to write through it (it could point outside ${root}); remove it first`);
  if (!stat.isFile()) throw refuse(`${path} exists and is not a regular file; nothing was written`);
  if (!options.force) throw new AppError('CONFLICT', `${path} exists; nothing was written (add --force to overwrite)`);
  return { path, exists: true };
}

/**
 * Writes the files into `dir` (created 0700 if missing) and returns their paths. A new file is created exclusively
 * (O_EXCL: it cannot follow a link planted meanwhile); a forced overwrite goes through a fresh temporary file renamed
 * over the old one, which replaces the entry instead of writing through it.
 */
export function writeExportFiles(dir: string, files: readonly ExportFile[], options: WriteOptions): string[] {
  const root = prepareDir(dir, options.flag);
  const targets = files.map((file) => ({ file, ...checkTarget(root, file, options) }));
  for (const { file, path, exists } of targets) {
    const temp = exists ? join(root, `.${file.name}.${randomBytes(6).toString('hex')}.tmp`) : path;
    try {
      writeFileSync(temp, file.content, { flag: 'wx', mode: file.mode });
      if (exists) renameSync(temp, path);
    } catch (error) {
      if (exists) rmSync(temp, { force: true });
      if (errno(error) === 'EEXIST') throw new AppError('CONFLICT', `${path} appeared while exporting; nothing more was written (add --force to overwrite)`);
      throw refuse(`cannot write ${path} (${errno(error)})`);
    }
  }
  return targets.map((t) => t.path);
}
