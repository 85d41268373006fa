// Audit verify over a million events: builds the trail straight through the group committer, then times verify inline and on the worker thread against bare SHA-256 of the same lines.
import { mkdtempSync, rmSync } from 'node:fs';
import { hash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { createAuditService } from '../src/main/core/audit/audit-service';
import { createCommitter } from '../src/main/core/audit/commit';
import { packBatch, toPendingEvent, type PendingEvent } from '../src/main/core/audit/pending';
import { verifyTrail, type TrailVerifyResult } from '../src/main/core/audit/verify-trail';
import { openStorage } from '../src/main/core/storage/database';
import type { BenchResult } from './result';
import { nowNs, round } from './stats';

/** AUDIT_VERIFY_EVENTS=100000 for a quick run. */
const EVENTS = Number(process.env.AUDIT_VERIFY_EVENTS ?? 1_000_000);
/** As serve's writer commits under load (it hands over every 2,000 events). */
const GROUP = 2_000;
const TEMPLATES = 997;

const ROUTES = ['/api/v1/contexts', '/api/v1/api-keys', '/mcp', '/api/v1/audit', '/api/v1/whoami'] as const;
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'ci-bot'] as const;

/** Events shaped like the REST API's authorization records, with a spread of subjects, results and timestamps. */
function templates(start: number): PendingEvent[] {
  const out: PendingEvent[] = [];
  for (let i = 0; i < TEMPLATES; i += 1) {
    const route = ROUTES[i % ROUTES.length] as string;
    out.push(
      toPendingEvent(
        {
          event_type: i % 11 === 0 ? 'auth_failed' : 'authz_decision',
          subject: `user:${USERS[i % USERS.length] as string}`,
          action: i % 3 === 0 ? 'write' : 'read',
          resource: `route:${route}`,
          result: i % 11 === 0 ? 'failure' : 'success',
          metadata: { permission: 'contexts:read', role: 'user', matched: 'contexts:read', reason: 'granted', route },
          trace_id: hash('md5', String(i), 'hex'),
          ip: `127.0.0.${(i % 250) + 1}`,
          user_agent: 'devmesh-agent/0.1.0 (node 20; linux x64)',
        },
        new Date(start + i).toISOString(),
      ),
    );
  }
  return out;
}

/** SHA-256 of every stored line's prefix, the part of verify no design can skip: the baseline. */
function hashOnly(db: Database): { seconds: number; lines: number } {
  const start = nowNs();
  let lines = 0;
  let keep = 0;
  for (const row of db.prepare('SELECT lines FROM audit_batches ORDER BY first_seq').pluck().iterate() as IterableIterator<string>) {
    let from = 0;
    for (;;) {
      const end = row.indexOf('\n', from);
      if (end < 0) break;
      // The prefix a line's hash covers: everything before `,"hash":"<64 hex>"}`.
      keep += hash('sha256', row.slice(from, end - 75), 'hex').length;
      lines += 1;
      from = end + 1;
    }
  }
  if (keep === 0) throw new Error('baseline hashed nothing');
  return { seconds: (nowNs() - start) / 1e9, lines };
}

function expectIntact(result: TrailVerifyResult, label: string): void {
  if (!result.ok || result.checked !== EVENTS) throw new Error(`${label} verify failed: ${JSON.stringify(result)} (expected ok with ${EVENTS} events)`);
}

export async function benchAuditVerify(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-bench-verify-'));
  const storage = openStorage({ file: join(dir, 'mesh.db') });
  try {
    const { db } = storage;
    const buildStart = nowNs();
    const commit = createCommitter(db);
    const pool = templates(Date.parse('2025-01-01T00:00:00.000Z'));
    for (let done = 0; done < EVENTS; done += GROUP) {
      const size = Math.min(GROUP, EVENTS - done);
      const batch = new Array<PendingEvent>(size);
      for (let i = 0; i < size; i += 1) batch[i] = pool[(done + i) % TEMPLATES] as PendingEvent;
      commit(packBatch(batch), false);
    }
    const buildSeconds = (nowNs() - buildStart) / 1e9;
    db.pragma('wal_checkpoint(TRUNCATE)');

    const audit = createAuditService({ db });
    const common = { db, audit, file: storage.file, key: { key: undefined } } as const;
    // Warm the page cache and the JIT the same way for both variants.
    hashOnly(db);
    const inline = await verifyTrail({ ...common, thread: 'inline' });
    expectIntact(inline, 'inline');
    const worker = await verifyTrail({ ...common, thread: 'worker' });
    expectIntact(worker, 'worker');
    const inline2 = await verifyTrail({ ...common, thread: 'inline' });
    expectIntact(inline2, 'inline');
    const baseline = hashOnly(db);
    if (baseline.lines !== EVENTS) throw new Error(`baseline read ${baseline.lines} lines, expected ${EVENTS}`);

    const inlineSeconds = Math.min(inline.duration_ms, inline2.duration_ms) / 1000;
    const workerSeconds = worker.duration_ms / 1000;
    const baselineRate = EVENTS / baseline.seconds;
    const inlineRate = EVENTS / inlineSeconds;
    return {
      name: 'audit-verify',
      metrics: {
        events: EVENTS,
        build_events_per_s: round(EVENTS / buildSeconds, 0),
        verify_inline_events_per_s: round(inlineRate, 0),
        verify_inline_s: round(inlineSeconds, 2),
        verify_worker_events_per_s: round(EVENTS / workerSeconds, 0),
        verify_worker_s: round(workerSeconds, 2),
        sha256_only_events_per_s: round(baselineRate, 0),
      },
      ratio: round(baselineRate / inlineRate, 2),
      target: `verify ${EVENTS.toLocaleString('en-US')} events and report the rate`,
      pass: true,
      notes: [
        `trail built through the group committer in groups of ${GROUP.toLocaleString('en-US')} (as serve's writer under load), then checkpointed; the same trail is verified three times`,
        'inline = on the calling thread (the CLI); worker = REST /api/v1/audit/verify on a big trail: a thread with its own read-only connection, start-up included',
        'ratio = verify time / time to SHA-256 every line (reading them from SQLite included): what verify costs beyond the hashing no verifier can skip',
      ],
    };
  } finally {
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
