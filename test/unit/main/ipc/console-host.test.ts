// saveExport: asks the host where, writes owner-only and atomically, says nothing on cancel, words file-system failures for the operator and keeps every other failure internal.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../../src/shared/errors';
import { saveExport, type ConsoleHost, type SaveTarget } from '../../../../src/main/ipc/console-host';

const TARGET: SaveTarget = { title: 'Export the thing', defaultName: 'thing.pem', filters: [{ name: 'PEM', extensions: ['pem'] }] };

/** A host whose operator always answers `path` (undefined: cancels), recording what they were asked. */
function hostAnswering(path: string | undefined): ConsoleHost & { asked: SaveTarget[] } {
  const asked: SaveTarget[] = [];
  return {
    asked,
    chooseSavePath(target) {
      asked.push(target);
      return Promise.resolve(path);
    },
  };
}

/** A folder the test process cannot create files in: a read-only folder, or (root ignores modes) sysfs, which refuses even root. */
function unwritableFolder(dir: string): string {
  if (process.getuid?.() === 0) return '/sys/kernel';
  const folder = join(dir, 'read-only');
  mkdirSync(folder, { mode: 0o500 });
  chmodSync(folder, 0o500);
  return folder;
}

describe('saveExport', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-save-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the content where the operator chose, owner-only, and says where and how much', async () => {
    const host = hostAnswering(join(dir, 'out.pem'));
    const produce = vi.fn(() => 'héllo\n');
    const outcome = await saveExport(host, TARGET, produce);
    expect(host.asked).toEqual([TARGET]);
    expect(produce).toHaveBeenCalledWith(join(dir, 'out.pem'));
    expect(outcome).toEqual({ saved: true, path: join(dir, 'out.pem'), bytes: Buffer.byteLength('héllo\n') });
    expect(readFileSync(join(dir, 'out.pem'), 'utf8')).toBe('héllo\n');
    expect(statSync(join(dir, 'out.pem')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['out.pem']);
  });

  it('writes bytes and chunks (sync and async) in order', async () => {
    const bytes = await saveExport(hostAnswering(join(dir, 'a.p12')), TARGET, () => Uint8Array.from([0x30, 0x82, 0x00]));
    expect(bytes).toMatchObject({ saved: true, bytes: 3 });
    expect([...readFileSync(join(dir, 'a.p12'))]).toEqual([0x30, 0x82, 0x00]);
    async function* lines(): AsyncIterable<string | Uint8Array> {
      yield 'one\n';
      yield Buffer.from('two\n');
    }
    await saveExport(hostAnswering(join(dir, 'b.jsonl')), TARGET, () => lines());
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8')).toBe('one\ntwo\n');
  });

  it('replaces an existing file with a new owner-only one', async () => {
    const path = join(dir, 'old.pem');
    writeFileSync(path, 'old', { mode: 0o644 });
    await saveExport(hostAnswering(path), TARGET, () => 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('on cancel produces nothing, writes nothing and reports saved: false', async () => {
    const produce = vi.fn(() => 'secret');
    expect(await saveExport(hostAnswering(undefined), TARGET, produce)).toEqual({ saved: false });
    expect(produce).not.toHaveBeenCalled();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves no partial file (and the old file intact) when the chunk source fails midway, rethrowing its error as it was', async () => {
    const path = join(dir, 'trail.jsonl');
    writeFileSync(path, 'previous export\n');
    const broken = new Error('the export broke after one line');
    async function* failing(): AsyncIterable<string> {
      yield 'line 1\n';
      throw broken;
    }
    await expect(saveExport(hostAnswering(path), TARGET, () => failing())).rejects.toBe(broken);
    expect(readdirSync(dir)).toEqual(['trail.jsonl']);
    expect(readFileSync(path, 'utf8')).toBe('previous export\n');
  });

  it('keeps an internal failure internal, even one carrying a file-system code, and leaves nothing behind', async () => {
    const path = join(dir, 'x.pem');
    const internal = new TypeError('bundle is not a function');
    await expect(saveExport(hostAnswering(path), TARGET, () => Promise.reject(internal))).rejects.toBe(internal);
    // The content side reading a file of its own that is missing is not "the folder does not exist".
    const ownRead = Object.assign(new Error("ENOENT: no such file or directory, open '/var/lib/devmesh/ca.key'"), { code: 'ENOENT' });
    await expect(saveExport(hostAnswering(path), TARGET, () => Promise.reject(ownRead))).rejects.toBe(ownRead);
    // A chunk of the wrong type is a programming error (ERR_INVALID_ARG_TYPE), not the operator's.
    const error = await saveExport(hostAnswering(path), TARGET, () => [42 as unknown as string]).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(AppError);
    expect((error as NodeJS.ErrnoException).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says the folder does not exist (ENOENT) without producing anything', async () => {
    const path = join(dir, 'missing', 'out.pem');
    const produce = vi.fn(() => 'secret');
    const error = await saveExport(hostAnswering(path), TARGET, produce).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: `could not save ${path}: the folder does not exist` });
    expect(produce).not.toHaveBeenCalled();
  });

  it('says permission denied (EACCES) and leaves nothing behind', async () => {
    const folder = unwritableFolder(dir);
    const path = join(folder, 'devmesh-unit-test.pem');
    const error = await saveExport(hostAnswering(path), TARGET, () => 'secret').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: `could not save ${path}: permission denied` });
    expect(readdirSync(folder).filter((name) => name.includes('devmesh-unit-test'))).toEqual([]);
  });

  it('says the target is a folder (EISDIR) when the operator picked one', async () => {
    const error = await saveExport(hostAnswering(dir), TARGET, () => 'secret').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: `could not save ${dir}: that is a folder` });
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`.${basename(dir)}.`))).toEqual([]);
  });
});
