// Export path safety: files land in the folder and nowhere else, never through a symbolic link, never over an existing file without --force, and all-or-nothing.
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeExportFiles, type ExportFile } from '../../../../../src/main/core/certs/export-files';
import { errorOf } from '../../../../helpers/errors';
import { tempDir } from '../../../../helpers/temp-dir';

const FILES: ExportFile[] = [
  { name: 'abc.crt', content: 'CERT\n', mode: 0o644 },
  { name: 'abc.key', content: 'KEY\n', mode: 0o600 },
];
const write = (dir: string, force = false, files = FILES) => writeExportFiles(dir, files, { force, flag: '--out' });
const mode = (path: string) => statSync(path).mode & 0o777;

describe('writeExportFiles', () => {
  it('creates a missing folder 0700 and writes keys 0600', () => {
    const dir = join(tempDir(), 'nested', 'out');
    expect(write(dir)).toEqual([join(dir, 'abc.crt'), join(dir, 'abc.key')]);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'abc.key'))).toBe(0o600);
    expect(mode(join(dir, 'abc.crt')) & 0o600).toBe(0o600);
    expect(readFileSync(join(dir, 'abc.key'), 'utf8')).toBe('KEY\n');
  });

  it('refuses to overwrite without force, writing nothing at all', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'abc.key'), 'OLD KEY\n');
    const error = errorOf(() => write(dir));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(`${join(dir, 'abc.key')} exists; nothing was written (add --force to overwrite)`);
    expect(existsSync(join(dir, 'abc.crt'))).toBe(false);
    expect(readFileSync(join(dir, 'abc.key'), 'utf8')).toBe('OLD KEY\n');
  });

  it('overwrites with force, leaving no temporary files and the key 0600 even if the old file was world-readable', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'abc.key'), 'OLD KEY\n', { mode: 0o644 });
    write(dir, true);
    expect(readFileSync(join(dir, 'abc.key'), 'utf8')).toBe('KEY\n');
    expect(mode(join(dir, 'abc.key'))).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['abc.crt', 'abc.key']);
  });

  it('never writes through a symbolic link, even with force, and leaves its target untouched', () => {
    const outside = join(tempDir(), 'victim.txt');
    writeFileSync(outside, 'precious\n');
    const dir = tempDir();
    symlinkSync(outside, join(dir, 'abc.key'));
    for (const force of [false, true]) {
      const error = errorOf(() => write(dir, force));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(/abc\.key is a symbolic link; refusing to write through it/);
    }
    expect(readFileSync(outside, 'utf8')).toBe('precious\n');
    expect(existsSync(join(dir, 'abc.crt'))).toBe(false);
    // A dangling link (to a file that does not exist yet) is refused the same way.
    const dangling = tempDir();
    symlinkSync(join(tempDir(), 'not-yet'), join(dangling, 'abc.crt'));
    expect(errorOf(() => write(dangling)).message).toMatch(/symbolic link/);
  });

  it('refuses names that would leave the folder', () => {
    const dir = tempDir();
    for (const name of ['../escape.key', '..', '.', 'sub/x.key', '', '/etc/passwd']) {
      const error = errorOf(() => write(dir, false, [{ name, content: 'x', mode: 0o600 }]));
      expect(error.message).toMatch(/it would leave --out/);
    }
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, '..', 'escape.key'))).toBe(false);
  });

  it('writes into a folder reached through a symbolic link (the folder is the operator’s choice), at its real path', () => {
    const real = tempDir();
    const link = join(tempDir(), 'link');
    symlinkSync(real, link);
    expect(write(link)).toEqual([join(real, 'abc.crt'), join(real, 'abc.key')]);
  });

  it('refuses a path that is a file or a directory where a file should go', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain'), 'x');
    expect(errorOf(() => write(join(dir, 'plain'))).message).toMatch(/is not a folder/);
    mkdirSync(join(dir, 'out', 'abc.crt'), { recursive: true });
    expect(errorOf(() => write(join(dir, 'out'), true)).message).toMatch(/abc\.crt exists and is not a regular file/);
    expect(lstatSync(join(dir, 'out', 'abc.crt')).isDirectory()).toBe(true);
  });
});
