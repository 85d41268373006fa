// The audit table's rows, newest first, without copying on every update: history pages are pushed to one array (newest to oldest), live batches to another (oldest to newest), and the table reads through one index.
import type { AuditRow } from '../../../../shared/ipc/contracts/audit';

export interface RowBuffer {
  readonly length: number;
  /** Row `index` in display order (0 = newest). */
  at(index: number): AuditRow | undefined;
  /** Adds live rows (in seq order), skipping any already held; returns how many went in (at the top). */
  addLive(rows: readonly AuditRow[]): number;
  /** Adds an older page (newest first), below what is held; returns how many went in. */
  addOlder(rows: readonly AuditRow[]): number;
  /** The seq the next older page starts below: the oldest held. */
  oldestSeq(): number | undefined;
  /** Keeps at most `max` rows, dropping the oldest; returns how many were dropped. */
  trim(max: number): number;
}

export function createRowBuffer(): RowBuffer {
  // live: ascending seq; history: descending seq; every live seq is above every history seq.
  let live: AuditRow[] = [];
  let history: AuditRow[] = [];
  let newest = 0;

  return {
    get length() {
      return live.length + history.length;
    },
    at(index) {
      if (index < 0) return undefined;
      return index < live.length ? live[live.length - 1 - index] : history[index - live.length];
    },
    addLive(rows) {
      let added = 0;
      for (const row of rows) {
        if (row.seq <= newest) continue;
        live.push(row);
        newest = row.seq;
        added += 1;
      }
      return added;
    },
    addOlder(rows) {
      const oldest = this.oldestSeq() ?? Number.POSITIVE_INFINITY;
      let added = 0;
      for (const row of rows) {
        if (row.seq >= oldest) continue;
        history.push(row);
        if (row.seq > newest) newest = row.seq;
        added += 1;
      }
      return added;
    },
    oldestSeq() {
      if (history.length > 0) return history[history.length - 1]?.seq;
      return live[0]?.seq;
    },
    trim(max) {
      const excess = live.length + history.length - max;
      if (excess <= 0) return 0;
      const fromHistory = Math.min(excess, history.length);
      if (fromHistory > 0) history = history.slice(0, history.length - fromHistory);
      const fromLive = excess - fromHistory;
      if (fromLive > 0) live = live.slice(fromLive);
      return excess;
    },
  };
}
