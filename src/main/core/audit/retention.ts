// Audit retention: removes whole stored groups older than AUDIT_RETENTION_DAYS from the start of the chain, moving the verification base to a signed checkpoint; at serve start and daily.
import type { Database } from 'better-sqlite3';
import type { MeshConfig } from '../../config';
import type { SecretStore } from '../crypto/secret-store';
import type { Logger } from '../logging/logger';
import { createMetaStore } from '../storage/meta';
import type { AuditService } from './audit-service';
import { formatAnchor, GENESIS_ANCHOR, parseAnchor } from './chain';
import { ensureCheckpointKey, loadCheckpointKey, signCheckpoint, storeCheckpoint, type Checkpoint } from './checkpoint';
import { META_AUDIT_BASE } from './commit';
import { verifyTrail } from './verify-trail';

export const DAY_MS = 86_400_000;

export interface PruneOptions {
  db: Database;
  audit: AuditService;
  secrets: SecretStore;
  /** The database file (verification of what is removed may run on a worker thread). */
  file: string;
  nativeBinding?: string | undefined;
  /** 0 keeps everything. */
  retentionDays: number;
  /** Who prunes, for the audit event: `system` in serve, `cli:<os user>` from the CLI. */
  subject: string;
  now?: () => Date;
  thread?: 'auto' | 'worker' | 'inline';
}

export interface PruneResult {
  removed_events: number;
  removed_groups: number;
  /** The cutoff: events older than this were eligible; null when retention is off. */
  pruned_before: string | null;
  /** Where verification starts now. */
  base_seq: number;
  checkpoint: Checkpoint | undefined;
  /** Set when nothing was removed because what would have been removed does not verify (evidence is kept). */
  refused?: string;
}

interface RemovableEnd {
  first_seq: number;
  last_seq: number;
  last_hash: string;
}

/**
 * The removable part is a prefix of the chain: groups are taken in seq order while their newest event is older than
 * the cutoff, and the first group holding anything newer stops it (a group committed by another process can carry an
 * older timestamp than the one before it). Whole groups only, so the base always falls on a group boundary.
 */
function removableEnd(db: Database, baseSeq: number, cutoff: string): RemovableEnd | undefined {
  const keepFrom = db.prepare<[number, string], number>('SELECT first_seq FROM audit_batches WHERE first_seq > ? AND last_ts >= ? ORDER BY first_seq LIMIT 1').pluck().get(baseSeq, cutoff);
  return db
    .prepare<[number, number], RemovableEnd>('SELECT first_seq, last_seq, last_hash FROM audit_batches WHERE first_seq > ? AND first_seq < ? ORDER BY first_seq DESC LIMIT 1')
    .get(baseSeq, keepFrom ?? Number.MAX_SAFE_INTEGER);
}

/**
 * Prunes once. What is about to be removed is verified first (with the current base's checkpoint): a trail that was
 * tampered with is never pruned, because pruning would destroy the evidence and sign a checkpoint over it.
 */
export async function pruneAuditTrail(options: PruneOptions): Promise<PruneResult> {
  const { db, audit, secrets, retentionDays, subject, now = () => new Date() } = options;
  const meta = createMetaStore(db);
  const baseNow = () => parseAnchor(meta.get(META_AUDIT_BASE)) ?? GENESIS_ANCHOR;
  if (!(retentionDays > 0)) return { removed_events: 0, removed_groups: 0, pruned_before: null, base_seq: baseNow().seq, checkpoint: undefined };
  const cutoff = new Date(now().getTime() - retentionDays * DAY_MS).toISOString();
  audit.flush();
  const base = baseNow();
  const end = removableEnd(db, base.seq, cutoff);
  const nothing: PruneResult = { removed_events: 0, removed_groups: 0, pruned_before: cutoff, base_seq: base.seq, checkpoint: undefined };
  if (end === undefined) return nothing;

  const check = await verifyTrail({ db, audit, file: options.file, nativeBinding: options.nativeBinding, key: { key: loadCheckpointKey(secrets) }, throughSeq: end.last_seq, thread: options.thread });
  if (!check.ok) {
    const refused = `event ${check.first_bad_seq}: ${check.reason ?? 'the chain does not verify'}`;
    audit.append({ event_type: 'audit_prune_refused', subject, action: 'prune', resource: 'audit', result: 'failure', error: refused.slice(0, 2048), metadata: { pruned_before: cutoff, retention_days: retentionDays, first_bad_seq: check.first_bad_seq } });
    return { ...nothing, refused };
  }

  const done = db.transaction((): PruneResult => {
    // Another process may have pruned meanwhile, or the groups may have changed since they were verified: then leave it for next time.
    const current = baseNow();
    const still = db.prepare<[number], RemovableEnd>('SELECT first_seq, last_seq, last_hash FROM audit_batches WHERE first_seq = ?').get(end.first_seq);
    if (current.seq !== base.seq || current.hash !== base.hash || still === undefined || still.last_seq !== end.last_seq || still.last_hash !== end.last_hash) return nothing;
    const key = ensureCheckpointKey(secrets);
    const removed = db.prepare<[number], { groups: number; events: number }>('SELECT count(*) AS groups, coalesce(sum(event_count), 0) AS events FROM audit_batches WHERE first_seq <= ?').get(end.first_seq) ?? { groups: 0, events: 0 };
    db.prepare('DELETE FROM audit_batches WHERE first_seq <= ?').run(end.first_seq);
    const anchor = { seq: end.last_seq, hash: end.last_hash };
    const checkpoint = signCheckpoint(key, { seq: anchor.seq, hash: anchor.hash, pruned_before: cutoff, removed_count: removed.events, created_at: now().toISOString() });
    meta.set(META_AUDIT_BASE, formatAnchor(anchor));
    storeCheckpoint(meta, checkpoint);
    return { removed_events: removed.events, removed_groups: removed.groups, pruned_before: cutoff, base_seq: anchor.seq, checkpoint };
  }).immediate();

  if (done.removed_events > 0) {
    // The checkpoint also goes into the trail itself, so every base the chain ever had stays on record.
    audit.append({
      event_type: 'audit_pruned',
      subject,
      action: 'prune',
      resource: 'audit',
      result: 'success',
      metadata: { removed_events: done.removed_events, removed_groups: done.removed_groups, pruned_before: cutoff, retention_days: retentionDays, checkpoint: done.checkpoint },
    });
  }
  return done;
}

/** What startAuditRetention needs; Services satisfies it. */
export interface RetentionServices {
  readonly core: {
    readonly db: Database;
    readonly audit: AuditService;
    readonly secrets: SecretStore;
    readonly storage: { readonly file: string };
    readonly config: MeshConfig;
  };
}

export interface RetentionOptions {
  logger?: Logger;
  nativeBinding?: string | undefined;
  /** Between runs; a day by default. */
  intervalMs?: number;
  /** Read at each run, so a change made while serving (the console's audit.retention_days) applies from the next run; default: the config's. */
  retentionDays?: () => number;
  now?: () => Date;
}

export interface AuditRetention {
  /** Prunes now (a run already in progress is joined, not repeated). */
  runNow(): Promise<PruneResult | undefined>;
  /** Stops the timer and waits for a run in progress, so the database can be closed after it. */
  stop(): Promise<void>;
}

/**
 * Runs pruning at once and then every `intervalMs` (daily), in the background: verification of what is removed runs
 * on a worker thread when it is large, and the removal is one short write transaction. While the retention is 0
 * nothing is removed. Failures are logged and retried at the next run.
 */
export function startAuditRetention(services: RetentionServices, config: MeshConfig = services.core.config, options: RetentionOptions = {}): AuditRetention {
  const { core } = services;
  const { logger, intervalMs = DAY_MS, retentionDays = () => config.auditRetentionDays } = options;
  let running: Promise<PruneResult | undefined> | undefined;
  let stopped = false;

  function run(): Promise<PruneResult | undefined> {
    if (stopped) return Promise.resolve(undefined);
    const days = retentionDays();
    if (days <= 0) return Promise.resolve(undefined);
    running ??= (async () => {
      try {
        const result = await pruneAuditTrail({ db: core.db, audit: core.audit, secrets: core.secrets, file: core.storage.file, nativeBinding: options.nativeBinding, retentionDays: days, subject: 'system', now: options.now });
        if (result.refused !== undefined) logger?.error({ refused: result.refused }, 'audit retention: nothing pruned, the audit chain does not verify; run `devmesh audit verify`');
        else if (result.removed_events > 0) logger?.info({ removed_events: result.removed_events, pruned_before: result.pruned_before, base_seq: result.base_seq }, `audit retention: removed ${result.removed_events} events older than ${days} days`);
        return result;
      } catch (error) {
        logger?.error({ err: error }, 'audit retention failed; retrying at the next run');
        return undefined;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  // Always ticking (a cheap no-op while retention is 0): retention turned on while serving starts pruning without a restart.
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  void run();

  return {
    runNow: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
