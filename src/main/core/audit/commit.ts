// Group commit: chains a packed batch onto the head read inside one IMMEDIATE transaction and stores it as one row per tenant run.
import type { Database } from 'better-sqlite3';
import { createMetaStore } from '../storage/meta';
import { chainLine, formatAnchor, GENESIS_ANCHOR, parseAnchor, type ChainAnchor } from './chain';
import type { PackedBatch } from './pending';

/** meta keys: the last committed event (detects a truncated tail) and where verification starts (moved by pruning). */
export const META_AUDIT_HEAD = 'audit_head';
export const META_AUDIT_BASE = 'audit_base';

/** What a commit assigned: event i of the batch got seq firstSeq + i and hashes[i]; its predecessor's hash is prevHash for i = 0. */
export interface Committed {
  firstSeq: number;
  prevHash: string;
  hashes: string[];
  /** The committed lines, newline-terminated, when asked for (stdout). */
  lines: string | undefined;
}

export type Committer = (batch: PackedBatch, withLines: boolean) => Committed;

/**
 * Sequence numbers and hashes are assigned here, inside the write lock, from the head stored in the database: several
 * processes (a running `serve`, a CLI command) then extend one chain without forking it.
 */
export function createCommitter(db: Database): Committer {
  const meta = createMetaStore(db);
  const selectHead = db.prepare<[], ChainAnchor>('SELECT last_seq AS seq, last_hash AS hash FROM audit_batches ORDER BY first_seq DESC LIMIT 1');
  const insert = db.prepare(
    'INSERT INTO audit_batches (first_seq, last_seq, tenant_id, event_count, first_ts, last_ts, event_types, subjects, results, last_hash, lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );

  const run = db.transaction((batch: PackedBatch, withLines: boolean): Committed => {
    // The recorded head wins over the last row, so events appended after a truncated tail leave the gap visible.
    const candidates = [selectHead.get(), parseAnchor(meta.get(META_AUDIT_HEAD)), parseAnchor(meta.get(META_AUDIT_BASE))];
    const head = candidates.reduce<ChainAnchor>((best, c) => (c !== undefined && c.seq > best.seq ? c : best), GENESIS_ANCHOR);
    const bodies = batch.count === 0 ? [] : batch.bodies.split('\n');
    if (bodies.length !== batch.count) throw new Error('malformed audit batch');
    const hashes = new Array<string>(batch.count);
    let all = withLines ? '' : undefined;
    let seq = head.seq;
    let prev = head.hash;
    let index = 0;
    for (const r of batch.runs) {
      const firstSeq = seq + 1;
      let lines = '';
      for (let k = 0; k < r.count; k += 1) {
        seq += 1;
        const chained = chainLine(seq, bodies[index] as string, prev);
        lines += `${chained.line}\n`;
        hashes[index] = chained.hash;
        prev = chained.hash;
        index += 1;
      }
      insert.run(firstSeq, seq, r.tenant_id, r.count, r.first_ts, r.last_ts, JSON.stringify(r.event_types), r.subjects === null ? null : JSON.stringify(r.subjects), JSON.stringify(r.results), prev, lines);
      if (all !== undefined) all += lines;
    }
    meta.set(META_AUDIT_HEAD, formatAnchor({ seq, hash: prev }));
    return { firstSeq: head.seq + 1, prevHash: head.hash, hashes, lines: all };
  });

  return (batch, withLines) => run.immediate(batch, withLines);
}
