// Verifies the whole audit trail as the REST API, the CLI and pruning need it: checkpoint signature of the base, rate, and for big trails on a worker thread off the event loop.
import type { Database } from 'better-sqlite3';
import { createMetaStore } from '../storage/meta';
import { startWorker } from '../worker-threads';
import type { AuditService } from './audit-service';
import type { ChainAnchor } from './chain';
import { distrustOfBase, META_AUDIT_CHECKPOINT, type CheckpointKey } from './checkpoint';
import type { VerifyResult } from './types';

/** What the snapshot said about the base: where verification started and the stored checkpoint text (undefined: genesis). */
export type CapturedBase = { anchor: ChainAnchor; stored: string | undefined } | undefined;

export interface VerifyWorkerData {
  file: string;
  nativeBinding: string | undefined;
  throughSeq: number | undefined;
}

export type VerifyWorkerMessage = { type: 'progress'; checked: number } | { type: 'done'; result: VerifyResult; base: CapturedBase };

export interface TrailVerifyResult extends VerifyResult {
  /** Where verification started: 0 is the genesis, otherwise the last event removed by retention pruning. */
  base_seq: number;
  /** The signed checkpoint behind a pruned base: none (no base), valid, or unchecked (no key at hand: CLI without the master key). */
  checkpoint: 'none' | 'valid' | 'unchecked';
  duration_ms: number;
  events_per_s: number;
  /** Where it ran. */
  thread: 'worker' | 'inline';
}

export interface TrailVerifyOptions {
  db: Database;
  /** Commits what is queued first, so the check covers everything appended before it was asked for. */
  audit: AuditService;
  /** The database file, for the worker's own read-only connection. */
  file: string;
  nativeBinding?: string | undefined;
  key: CheckpointKey;
  /** auto: a worker thread above `inlineBelow` events, inline below (starting a thread costs more than checking a few events). */
  thread?: 'auto' | 'worker' | 'inline';
  inlineBelow?: number;
  throughSeq?: number;
  onProgress?: (checked: number) => void;
}

/** About 40 ms of verifying on this class of machine: below it, a thread costs more than it saves. */
export const INLINE_BELOW_EVENTS = 10_000;

function runOnWorker(data: VerifyWorkerData, onProgress: ((checked: number) => void) | undefined): Promise<{ result: VerifyResult; base: CapturedBase }> {
  const worker = startWorker('audit-verify', data);
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.on('message', (message: VerifyWorkerMessage) => {
      if (message.type === 'progress') onProgress?.(message.checked);
      else {
        settled = true;
        resolve({ result: message.result, base: message.base });
      }
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`audit verify thread exited (code ${code}) without a result`));
      settled = true;
    });
  });
}

function runInline(db: Database, audit: AuditService, throughSeq: number | undefined, onProgress: ((checked: number) => void) | undefined): { result: VerifyResult; base: CapturedBase } {
  const meta = createMetaStore(db);
  let base: CapturedBase;
  const result = audit.verify({
    throughSeq,
    onProgress,
    checkBase: (anchor) => {
      base = { anchor, stored: meta.get(META_AUDIT_CHECKPOINT) };
      return undefined;
    },
  });
  return { result, base };
}

/** Events a verify would read (up to throughSeq). */
function eventsToCheck(db: Database, throughSeq: number | undefined): number {
  return db.prepare<[number], number>('SELECT coalesce(sum(event_count), 0) FROM audit_batches WHERE first_seq <= ?').pluck().get(throughSeq ?? Number.MAX_SAFE_INTEGER) ?? 0;
}

/**
 * The chain from its base to its head (or to throughSeq), and the base's signed checkpoint. With a big trail the chain
 * is checked on a worker thread with its own read-only connection (same verify code, one read snapshot), so the
 * server's event loop keeps serving; the checkpoint's HMAC (one hash) is checked here, where the key is, and the key
 * never crosses to the thread.
 */
export async function verifyTrail(options: TrailVerifyOptions): Promise<TrailVerifyResult> {
  const { db, audit, key, throughSeq, onProgress, thread = 'auto', inlineBelow = INLINE_BELOW_EVENTS } = options;
  const started = performance.now();
  audit.flush();
  const useWorker = thread === 'worker' || (thread === 'auto' && eventsToCheck(db, throughSeq) > inlineBelow);
  let outcome: { result: VerifyResult; base: CapturedBase } | undefined;
  let ran: TrailVerifyResult['thread'] = 'inline';
  if (useWorker) {
    try {
      outcome = await runOnWorker({ file: options.file, nativeBinding: options.nativeBinding, throughSeq }, onProgress);
      ran = 'worker';
    } catch {
      outcome = undefined; // the thread could not run (e.g. a bundle without it): check here instead
    }
  }
  outcome ??= runInline(db, audit, throughSeq, onProgress);
  const duration = performance.now() - started;
  const { result, base } = outcome;
  let verdict: VerifyResult = result;
  let checkpoint: TrailVerifyResult['checkpoint'] = 'none';
  if (base !== undefined) {
    if ('unavailable' in key) {
      checkpoint = 'unchecked';
    } else {
      const distrust = distrustOfBase(base.anchor, base.stored, key.key);
      if (distrust === undefined) checkpoint = 'valid';
      else verdict = { ok: false, checked: 0, first_bad_seq: base.anchor.seq + 1, reason: distrust };
    }
  }
  return {
    ...verdict,
    base_seq: base?.anchor.seq ?? 0,
    checkpoint,
    duration_ms: Math.round(duration),
    events_per_s: duration > 0 ? Math.round(result.checked / (duration / 1000)) : 0,
    thread: ran,
  };
}
