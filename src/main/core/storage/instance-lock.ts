// Single-instance lock per data directory: an exclusive lock file holding the owner's pid; a lock whose process is gone is taken over.
import { hostname } from 'node:os';
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { AppError } from '../../../shared/errors';

export interface InstanceLock {
  readonly file: string;
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
  started_at: string;
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') return parsed as LockOwner;
  } catch {
    // Unreadable or half-written: treated as stale below.
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Libraries (pid files, proper-lockfile's mtime polling) either cannot name the owner or need a timer; this is 40 lines. */
export function acquireInstanceLock(file: string, dataDir: string, { pid = process.pid } = {}): InstanceLock {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AppError('DATA_DIR_UNUSABLE', `cannot create ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); fix the data directory's permissions or set DEVMESH_DATA_DIR`, { cause: error });
      }
      const owner = readOwner(file);
      if (owner !== undefined && (owner.host !== hostname() || processAlive(owner.pid)) && owner.pid !== pid) {
        const where = owner.host === hostname() ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.host}`;
        throw new AppError('INSTANCE_LOCKED', `another Developer Mesh instance (${where}) is already using ${dataDir}; stop it first, or set DEVMESH_DATA_DIR to run a second mesh`);
      }
      try {
        unlinkSync(file);
      } catch {
        // Someone else removed it first; retry the exclusive create.
      }
      continue;
    }
    const owner: LockOwner = { pid, host: hostname(), started_at: new Date().toISOString() };
    writeSync(fd, JSON.stringify(owner));
    closeSync(fd);
    let released = false;
    return {
      file,
      release() {
        if (released) return;
        released = true;
        if (readOwner(file)?.pid === pid) unlinkSync(file);
      },
    };
  }
  throw new AppError('INSTANCE_LOCKED', `could not take the lock ${file}; another instance is starting on ${dataDir}`);
}
