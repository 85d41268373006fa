// Read caches that stay exact: SQLite's data_version moves with every other connection's commit and total_changes() with this one's, so a cache keyed on both cannot serve stale rows.
import type { Database } from 'better-sqlite3';

export interface ChangeEpoch {
  /** A value that changes whenever any connection (this one, the audit thread, a CLI process) changed the database. */
  read(): number;
}

/**
 * The value is remembered until the event loop's next turn (setImmediate), so the lookups of one request — its hooks
 * and handler run as promise continuations in the same turn — ask SQLite once (~3 µs) rather than each time. Writes
 * made meanwhile by this process's services empty their caches themselves.
 */
export function createChangeEpoch(db: Database): ChangeEpoch {
  // data_version alone misses this connection's own writes; total_changes() counts exactly those.
  const statement = db.prepare('SELECT data_version, total_changes() FROM pragma_data_version').raw();
  let version = -1;
  let changes = -1;
  let generation = 0;
  let memo: number | undefined;
  return {
    read() {
      if (memo === undefined) {
        const [v, c] = statement.get() as [number, number];
        if (v !== version || c !== changes) {
          version = v;
          changes = c;
          generation += 1;
        }
        memo = generation;
        setImmediate(() => {
          memo = undefined;
        });
      }
      return memo;
    },
  };
}

export interface EpochCache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  /** Empties it now (a write that must not wait for the next epoch check). */
  clear(): void;
}

/** A bounded map emptied whenever the database changed under it. */
export function createEpochCache<K, V>(epoch: ChangeEpoch, maxEntries = 10_000): EpochCache<K, V> {
  const entries = new Map<K, V>();
  let seen = Number.NaN;
  /** Drops everything learned before the database last changed. */
  const sync = () => {
    const now = epoch.read();
    if (now !== seen) {
      entries.clear();
      seen = now;
    }
  };
  return {
    get(key) {
      sync();
      return entries.get(key);
    },
    set(key, value) {
      sync();
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key, value);
    },
    clear: () => entries.clear(),
  };
}
