import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createChangeEpoch, createEpochCache } from '../../../../../src/main/core/storage/change-epoch';
import { tempDir } from '../../../../helpers/temp-dir';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function databases() {
  const file = join(tempDir(), 'epoch.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v)');
  const other = new Database(file);
  return { db, other };
}

describe('change epoch', () => {
  it('moves when another connection commits and when this one writes, and not otherwise', async () => {
    const { db, other } = databases();
    const epoch = createChangeEpoch(db);
    const first = epoch.read();
    await nextTurn();
    expect(epoch.read()).toBe(first);
    other.prepare('INSERT INTO t VALUES (1)').run();
    await nextTurn();
    const afterOther = epoch.read();
    expect(afterOther).not.toBe(first);
    db.prepare('INSERT INTO t VALUES (2)').run();
    await nextTurn();
    expect(epoch.read()).not.toBe(afterOther);
    db.prepare('SELECT * FROM t').all();
    const settled = epoch.read();
    await nextTurn();
    expect(epoch.read()).toBe(settled);
    db.close();
    other.close();
  });

  it('asks SQLite once per event-loop turn', async () => {
    const { db, other } = databases();
    const epoch = createChangeEpoch(db);
    const before = epoch.read();
    other.prepare('INSERT INTO t VALUES (1)').run();
    // Same turn: the remembered value.
    expect(epoch.read()).toBe(before);
    await nextTurn();
    expect(epoch.read()).not.toBe(before);
    db.close();
    other.close();
  });

  it('empties a cache when anything changed, so no stale row is ever served', async () => {
    const { db, other } = databases();
    const cache = createEpochCache<string, string>(createChangeEpoch(db));
    cache.set('k', 'v1');
    expect(cache.get('k')).toBe('v1');
    await nextTurn();
    other.prepare('INSERT INTO t VALUES (1)').run();
    await nextTurn();
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', 'v2');
    cache.clear();
    expect(cache.get('k')).toBeUndefined();
    db.close();
    other.close();
  });
});
