// Reads committed audit lines in chain order, a page of stored groups at a time, so no statement stays open while a stream waits for its reader.
import type { Database } from 'better-sqlite3';
import { createMetaStore } from '../storage/meta';
import { parseAnchor } from './chain';
import { META_AUDIT_BASE, META_AUDIT_HEAD } from './commit';

/** One committed event as stored (and printed): its seq and its exact line. */
export interface StoredLine {
  seq: number;
  line: string;
}

export interface LinePage {
  /** The lines of the page, oldest first (only the requested tenant's). */
  lines: StoredLine[];
  /** Every event up to this seq has been looked at (any tenant): pass it as `after` for the next page. */
  scannedThrough: number;
  /** True when nothing more exists up to `through`. */
  done: boolean;
}

export interface LineReader {
  /** The seq of the last committed event (0 for an empty trail). */
  head(): number;
  /** The seq verification starts after (0, or where retention pruning stopped). */
  base(): number;
  /** Lines with seq in (after, through], at most `maxRows` stored groups. */
  page(after: number, options?: { tenantId?: string | undefined; through?: number; maxRows?: number }): LinePage;
  /** The last `count` lines (of every tenant) that `match` accepts, oldest first, up to `through`. */
  last(count: number, options?: { through?: number; match?: (line: string) => boolean }): StoredLine[];
}

interface Row {
  first_seq: number;
  last_seq: number;
  lines: string | null;
}

const DEFAULT_ROWS = 64;

export function createLineReader(db: Database): LineReader {
  const meta = createMetaStore(db);
  const newestFirst = db.prepare<[number], { first_seq: number; lines: string }>('SELECT first_seq, lines FROM audit_batches WHERE first_seq <= ? ORDER BY first_seq DESC');
  const lastRow = db.prepare<[], { last_seq: number }>('SELECT last_seq FROM audit_batches ORDER BY first_seq DESC LIMIT 1');
  // The group holding `after` (found through the primary key), then the ones after it; other tenants' lines are not even read.
  const select = db.prepare<[{ tenant: string | null; after: number; through: number; rows: number }], Row>(
    `SELECT first_seq, last_seq, CASE WHEN @tenant IS NULL OR tenant_id = @tenant THEN lines END AS lines FROM audit_batches
     WHERE first_seq >= coalesce((SELECT max(first_seq) FROM audit_batches WHERE first_seq <= @after), 0) AND last_seq > @after AND first_seq <= @through
     ORDER BY first_seq LIMIT @rows`,
  );

  return {
    head() {
      const row = lastRow.get()?.last_seq ?? 0;
      const recorded = parseAnchor(meta.get(META_AUDIT_HEAD))?.seq ?? 0;
      return Math.max(row, recorded);
    },
    base: () => parseAnchor(meta.get(META_AUDIT_BASE))?.seq ?? 0,
    page(after, { tenantId, through = Number.MAX_SAFE_INTEGER, maxRows = DEFAULT_ROWS } = {}) {
      const rows = select.all({ tenant: tenantId ?? null, after, through, rows: maxRows });
      const lines: StoredLine[] = [];
      let scannedThrough = after;
      for (const row of rows) {
        if (row.lines !== null) {
          const texts = row.lines.split('\n');
          for (let i = 0; i < texts.length; i += 1) {
            const seq = row.first_seq + i;
            const line = texts[i] as string;
            if (line === '' || seq <= after || seq > through) continue;
            lines.push({ seq, line });
          }
        }
        scannedThrough = Math.max(scannedThrough, Math.min(row.last_seq, through));
      }
      return { lines, scannedThrough, done: rows.length < maxRows || scannedThrough >= through };
    },
    last(count, { through = Number.MAX_SAFE_INTEGER, match } = {}) {
      const found: StoredLine[] = [];
      if (count <= 0) return found;
      // Synchronous and read to the first `count` matches only: the iterator is closed before anything else runs.
      scan: for (const row of newestFirst.iterate(through)) {
        const texts = row.lines.split('\n');
        for (let i = texts.length - 1; i >= 0; i -= 1) {
          const line = texts[i] as string;
          const seq = row.first_seq + i;
          if (line === '' || seq > through || (match !== undefined && !match(line))) continue;
          found.push({ seq, line });
          if (found.length >= count) break scan;
        }
      }
      return found.reverse();
    },
  };
}
