// The IP blocklist: one canonical spelling per range, matching of IPv4, IPv6 and IPv4-mapped clients, persistence across instances.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBlocklist, normalizeCidr } from '../../../../../src/main/core/ratelimit/blocklist';
import { createChangeEpoch } from '../../../../../src/main/core/storage/change-epoch';
import { openStorage, type Storage } from '../../../../../src/main/core/storage/database';
import { AppError } from '../../../../../src/shared/errors';
import { tempDir } from '../../../../helpers/temp-dir';

const opened: Storage[] = [];
afterEach(() => {
  for (const storage of opened.splice(0)) storage.close();
});

function open(file = join(tempDir(), 'devmesh.db')): { file: string; storage: Storage } {
  const storage = openStorage({ file });
  opened.push(storage);
  return { file, storage };
}

describe('normalizeCidr', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7/32'],
    [' 203.0.113.7/24 ', '203.0.113.0/24'],
    ['10.255.255.255/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::1', '::1/128'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1/128'],
    ['2001:db8:abcd:1234::5/32', '2001:db8::/32'],
  ])('%s becomes %s', (input, expected) => {
    expect(normalizeCidr(input)).toBe(expected);
  });

  it.each(['', 'localhost', '300.1.1.1', '10.0.0.0/33', '::1/129', '10.0.0.0/-1', '1.2.3.4/8/8'])('refuses %j with VALIDATION_FAILED', (input) => {
    let error: unknown;
    try {
      normalizeCidr(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_FAILED');
  });
});

describe('createBlocklist', () => {
  it('blocks addresses inside a range and nothing outside it, including IPv4-mapped IPv6 clients', () => {
    const { storage } = open();
    const list = createBlocklist({ db: storage.db, epoch: createChangeEpoch(storage.db) });
    expect(list.blocks('10.1.2.3')).toBe(false);
    list.add('10.0.0.0/8', 'lab', 'test');
    list.add('2001:db8::/32', '', 'test');
    expect(list.blocks('10.1.2.3')).toBe(true);
    expect(list.blocks('::ffff:10.1.2.3')).toBe(true);
    expect(list.blocks('11.0.0.1')).toBe(false);
    expect(list.blocks('2001:db8:1::9')).toBe(true);
    expect(list.blocks('2001:db9::1')).toBe(false);
  });

  it('adding the same range twice keeps one row with the newest reason; removing by another spelling of it works', () => {
    const { storage } = open();
    const list = createBlocklist({ db: storage.db, epoch: createChangeEpoch(storage.db) });
    list.add('10.1.2.3/8', 'first', 'test');
    list.add('10.0.0.0/8', 'second', 'test');
    expect(list.list().map((b) => [b.cidr, b.reason])).toEqual([['10.0.0.0/8', 'second']]);
    expect(list.remove('10.9.9.9/8')).toBe(true);
    expect(list.remove('10.0.0.0/8')).toBe(false);
    expect(list.blocks('10.1.2.3')).toBe(false);
  });

  it('a block written by another connection (the CLI while serve runs) takes effect without a restart', () => {
    const { file, storage } = open();
    const list = createBlocklist({ db: storage.db, epoch: createChangeEpoch(storage.db) });
    expect(list.blocks('203.0.113.7')).toBe(false);
    const other = open(file).storage;
    createBlocklist({ db: other.db, epoch: createChangeEpoch(other.db) }).add('203.0.113.7', 'cli', 'cli:root');
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(list.blocks('203.0.113.7')).toBe(true);
        resolve();
      }),
    );
  });
});
