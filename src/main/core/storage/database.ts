// Opens the mesh's SQLite file safely: refuses corrupt or foreign files untouched, opens a newer schema read-only, else sets pragmas and migrates.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import { migrate, readSchemaVersion } from './migrate';
import { MIGRATIONS } from './migrations/index';
import type { Migration } from './migrations/types';

/** PRAGMA application_id of every mesh database ("DMC1"), so a foreign SQLite file is recognised and left alone. */
export const APPLICATION_ID = 0x444d4331;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const BUSY_TIMEOUT_MS = 5000;

export interface Storage {
  readonly db: Db;
  readonly file: string;
  readonly readOnly: boolean;
  /** Why the database is read-only (newer schema), for `doctor` and start-up messages. */
  readonly readOnlyReason: string | undefined;
  readonly schemaVersion: number;
  readonly latestSchemaVersion: number;
  /** True when this open created the database. */
  readonly created: boolean;
  close(): void;
}

export interface OpenStorageOptions {
  file: string;
  migrations?: readonly Migration[];
  /** Path to a better_sqlite3.node built for another ABI (Electron); see README "Native modules". */
  nativeBinding?: string | undefined;
  /** Open without writing anything, even if the schema is current (doctor, read-only commands). */
  readOnly?: boolean;
  /**
   * Runs after the file is known to be ours and before anything is written (pragmas, migrations). `peek` is a
   * read-only handle to the existing database, or undefined for a new one. Throwing here leaves the file untouched.
   */
  beforeWrite?: (peek: Db | undefined, found: Inspection) => void;
}

export interface Inspection {
  exists: boolean;
  schemaVersion: number;
}

function sqliteCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function corrupt(file: string, cause?: unknown): AppError {
  return new AppError(
    'STORAGE_CORRUPT',
    `${file} is not a readable Developer Mesh database (damaged, or not SQLite); nothing was changed. Restore it from a backup or move it aside to start fresh`,
    { cause },
  );
}

function readHeader(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, header, 0, header.length, 0);
    return header.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Looks at an existing file read-only, so nothing is modified before we know it is ours. */
function inspect(file: string, nativeBinding: string | undefined, beforeWrite: OpenStorageOptions['beforeWrite']): Inspection {
  if (!existsSync(file) || statSync(file).size === 0) {
    const found = { exists: false, schemaVersion: 0 };
    beforeWrite?.(undefined, found);
    return found;
  }
  if (!readHeader(file).equals(SQLITE_HEADER)) throw corrupt(file);

  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }).n;
    if (tables > 0 && applicationId !== APPLICATION_ID) {
      throw new AppError(
        'STORAGE_FOREIGN',
        `${file} is a SQLite database of another program; nothing was changed. Point DEVMESH_DATA_DIR at a folder of its own`,
      );
    }
    const found = { exists: tables > 0, schemaVersion: readSchemaVersion(db) };
    beforeWrite?.(found.exists ? db : undefined, found);
    return found;
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = sqliteCode(error);
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw corrupt(file, error);
    throw error;
  } finally {
    db?.close();
  }
}

function applyPragmas(db: Db, readOnly: boolean): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  if (readOnly) {
    db.pragma('query_only = ON');
    return;
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
}

export function openStorage(options: OpenStorageOptions): Storage {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.length;
  const { file, nativeBinding } = options;
  const found = inspect(file, nativeBinding, options.beforeWrite);

  let readOnlyReason: string | undefined;
  if (found.schemaVersion > latest) {
    readOnlyReason = `${file} was written by a newer Developer Mesh Console (schema ${found.schemaVersion}, this version knows ${latest}); it is opened read-only. Upgrade Developer Mesh Console to change it`;
  }
  const readOnly = readOnlyReason !== undefined || options.readOnly === true;
  if (readOnly && !found.exists) {
    throw new AppError('STORAGE_READ_ONLY', `${file} does not exist yet; run \`devmesh serve\` once to create it`);
  }

  if (!readOnly && !found.exists && !existsSync(file)) {
    // Create the file owner-only before SQLite does (SQLite would honour the umask, typically 0644).
    closeSync(openSync(file, 'a', 0o600));
  }

  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: readOnly, fileMustExist: readOnly, nativeBinding });
    applyPragmas(db, readOnly);
    if (!readOnly) {
      if (!found.exists) db.pragma(`application_id = ${APPLICATION_ID}`);
      migrate(db, migrations);
    }
    const schemaVersion = readSchemaVersion(db);
    const handle = db;
    return {
      db: handle,
      file,
      readOnly,
      readOnlyReason,
      schemaVersion,
      latestSchemaVersion: latest,
      created: !found.exists,
      close: () => {
        if (handle.open) handle.close();
      },
    };
  } catch (error) {
    db?.close();
    if (error instanceof AppError) throw error;
    const code = sqliteCode(error);
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw corrupt(file, error);
    throw error;
  }
}

/**
 * Runs `work` in a transaction that takes the write lock up front (BEGIN IMMEDIATE). With WAL and a second writer (the
 * audit thread, a CLI process), a deferred transaction that reads and then writes fails at once with SQLITE_BUSY
 * when another commit lands in between; an immediate one waits for the lock under the busy timeout instead.
 */
export function writeTransaction<T>(db: Db, work: () => T): T {
  return db.transaction(work).immediate();
}
