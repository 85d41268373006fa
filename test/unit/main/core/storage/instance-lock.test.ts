import { writeFileSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { acquireInstanceLock } from '../../../../../src/main/core/storage/instance-lock';
import { tempDir } from '../../../../helpers/temp-dir';

describe('instance lock', () => {
  it('refuses a second holder while the first lives, naming its pid and the fix', () => {
    const dir = tempDir();
    const file = join(dir, 'devmesh.lock');
    const first = acquireInstanceLock(file, dir, { pid: process.pid });
    expect(() => acquireInstanceLock(file, dir, { pid: process.pid + 1 })).toThrow(new RegExp(`pid ${process.pid}.*DEVMESH_DATA_DIR`));
    first.release();
    expect(existsSync(file)).toBe(false);
    acquireInstanceLock(file, dir).release();
  });

  it('takes over a lock whose process is gone', () => {
    const dir = tempDir();
    const file = join(dir, 'devmesh.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(file, JSON.stringify({ pid: Number(dead.stdout.toString()), host: hostname(), started_at: 'then' }));
    const lock = acquireInstanceLock(file, dir);
    lock.release();
  });

  it('takes over a half-written lock file', () => {
    const dir = tempDir();
    const file = join(dir, 'devmesh.lock');
    writeFileSync(file, '{"pid":');
    acquireInstanceLock(file, dir).release();
  });
});
