// Audit retention: whole old groups leave the start of the chain, the base moves to a signed checkpoint, verify still proves the rest, and a forged base or checkpoint is caught.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuditService } from '../../../../../src/main/core/audit/audit-service';
import { CHECKPOINT_KEY_NAME, loadCheckpointKey, META_AUDIT_CHECKPOINT, signCheckpoint } from '../../../../../src/main/core/audit/checkpoint';
import { META_AUDIT_BASE } from '../../../../../src/main/core/audit/commit';
import { DAY_MS, pruneAuditTrail, startAuditRetention, type PruneResult } from '../../../../../src/main/core/audit/retention';
import type { AuditInput } from '../../../../../src/main/core/audit/types';
import { createSettingsService } from '../../../../../src/main/core/settings/settings-service';
import { createChangeEpoch } from '../../../../../src/main/core/storage/change-epoch';
import { verifyTrail } from '../../../../../src/main/core/audit/verify-trail';
import { openCore, type Core } from '../../../../../src/main/core/open-core';
import { testConfig } from '../../../../helpers/config';
import { createMemoryKeychain } from '../../../../helpers/memory-keychain';
import { tempDir } from '../../../../helpers/temp-dir';

const opened: Core[] = [];
afterEach(async () => {
  for (const core of opened.splice(0)) await core.close();
});

function setup(retentionDays = 90): Core {
  const core = openCore(testConfig(tempDir(), { auditRetentionDays: retentionDays }), { keychain: createMemoryKeychain() });
  opened.push(core);
  return core;
}

function event(n: number): AuditInput {
  return { event_type: 'probe_event', subject: `user:u${n % 2}`, action: 'poke', resource: `thing:${n}`, result: 'success', metadata: { n } };
}

/** `groups` stored groups of `perGroup` events each, stamped `daysAgo` days in the past (as a process with that clock would write them). */
function appendAged(core: Core, daysAgo: number, groups: number, perGroup: number, from = 0): void {
  const stamp = new Date(Date.now() - daysAgo * DAY_MS);
  const aged = createAuditService({ db: core.db, now: () => stamp });
  for (let g = 0; g < groups; g += 1) {
    for (let i = 0; i < perGroup; i += 1) aged.append(event(from + g * perGroup + i));
    aged.flush();
  }
}

function prune(core: Core, retentionDays = 90): Promise<PruneResult> {
  return pruneAuditTrail({ db: core.db, audit: core.audit, secrets: core.secrets, file: core.storage.file, retentionDays, subject: 'system' });
}

function verify(core: Core) {
  return verifyTrail({ db: core.db, audit: core.audit, file: core.storage.file, key: { key: loadCheckpointKey(core.secrets) } });
}

function firstStoredSeq(core: Core): number {
  return core.db.prepare('SELECT min(first_seq) FROM audit_batches').pluck().get() as number;
}

function metaValue(core: Core, key: string): string | undefined {
  return core.meta.get(key);
}

function setMeta(core: Core, key: string, value: string | undefined): void {
  if (value === undefined) core.db.prepare("DELETE FROM meta WHERE tenant_id = 'default' AND key = ?").run(key);
  else core.meta.set(key, value);
}

/** The stored line of `seq`, parsed. */
function storedEvent(core: Core, seq: number): { seq: number; hash: string } {
  const row = core.db.prepare('SELECT first_seq, lines FROM audit_batches WHERE first_seq <= ? AND last_seq >= ?').get(seq, seq) as { first_seq: number; lines: string };
  return JSON.parse(row.lines.split('\n')[seq - row.first_seq] as string) as { seq: number; hash: string };
}

describe('pruneAuditTrail', () => {
  it('removes whole groups older than the retention period and moves the base to a signed checkpoint; verify still proves the rest', async () => {
    const core = setup();
    appendAged(core, 200, 2, 5);
    appendAged(core, 1, 1, 5, 10);
    const lastOld = storedEvent(core, 10);

    const result = await prune(core);
    expect(result).toMatchObject({ removed_events: 10, removed_groups: 2, base_seq: 10 });
    expect(result.checkpoint).toMatchObject({ seq: 10, hash: lastOld.hash, removed_count: 10, pruned_before: result.pruned_before });
    expect(Date.parse(result.pruned_before as string)).toBeCloseTo(Date.now() - 90 * DAY_MS, -4);
    expect(firstStoredSeq(core)).toBe(11);
    expect(metaValue(core, META_AUDIT_BASE)).toBe(`10:${lastOld.hash}`);
    expect(loadCheckpointKey(core.secrets)).toHaveLength(32);
    // The key is stored encrypted, never as its raw bytes.
    const stored = core.db.prepare("SELECT ciphertext FROM secrets WHERE name = ?").pluck().get(CHECKPOINT_KEY_NAME) as Buffer;
    expect(stored.includes(loadCheckpointKey(core.secrets) as Buffer)).toBe(false);

    const pruned = core.audit.query({ event_type: 'audit_pruned' }).events;
    expect(pruned).toHaveLength(1);
    expect(pruned[0]).toMatchObject({ subject: 'system', metadata: { removed_events: 10, retention_days: 90, checkpoint: { seq: 10, sig: result.checkpoint?.sig } } });

    expect(await verify(core)).toMatchObject({ ok: true, checked: 6, base_seq: 10, checkpoint: 'valid' });
    core.audit.append(event(99));
    expect(await verify(core)).toMatchObject({ ok: true, checked: 7 });
    expect(await prune(core)).toMatchObject({ removed_events: 0, base_seq: 10 });
  });

  it('stops at the first group holding anything newer than the cutoff (the removed part is always a prefix)', async () => {
    const core = setup();
    appendAged(core, 200, 1, 3);
    appendAged(core, 1, 1, 2, 3);
    appendAged(core, 200, 1, 3, 5); // older timestamps after newer ones: another process's clock
    expect(await prune(core)).toMatchObject({ removed_events: 3, base_seq: 3 });
    expect(firstStoredSeq(core)).toBe(4);
    expect((await verify(core)).ok).toBe(true);
  });

  it('keeps everything with retention 0 (and when nothing is old enough)', async () => {
    const core = setup(0);
    appendAged(core, 5000, 2, 2);
    expect(await prune(core, 0)).toEqual({ removed_events: 0, removed_groups: 0, pruned_before: null, base_seq: 0, checkpoint: undefined });
    expect(await prune(core, 36_500)).toMatchObject({ removed_events: 0 });
    expect(firstStoredSeq(core)).toBe(1);
    expect(loadCheckpointKey(core.secrets)).toBeUndefined();
  });

  it('refuses to prune a stretch that does not verify, keeping the evidence', async () => {
    const core = setup();
    appendAged(core, 200, 2, 5);
    appendAged(core, 1, 1, 2, 10);
    const row = core.db.prepare('SELECT first_seq, lines FROM audit_batches WHERE first_seq = 1').get() as { first_seq: number; lines: string };
    core.db.prepare('UPDATE audit_batches SET lines = ? WHERE first_seq = 1').run(row.lines.replace('"thing:2"', '"thing:X"'));
    const result = await prune(core);
    expect(result.removed_events).toBe(0);
    expect(result.refused).toMatch(/^event 3: event 3 was modified/);
    expect(firstStoredSeq(core)).toBe(1);
    expect(metaValue(core, META_AUDIT_BASE)).toBeUndefined();
    expect(core.audit.query({ event_type: 'audit_prune_refused' }).events[0]).toMatchObject({ result: 'failure', metadata: { first_bad_seq: 3 } });
  });
});

describe('verify after pruning', () => {
  async function pruned(): Promise<{ core: Core; base: string; checkpoint: string }> {
    const core = setup();
    appendAged(core, 200, 2, 5);
    appendAged(core, 1, 2, 5, 10);
    await prune(core);
    expect((await verify(core)).ok).toBe(true);
    return { core, base: metaValue(core, META_AUDIT_BASE) as string, checkpoint: metaValue(core, META_AUDIT_CHECKPOINT) as string };
  }

  it('catches a base moved forward to hide events, even when the rows before it are gone too', async () => {
    const { core } = await pruned();
    const hidden = storedEvent(core, 15);
    core.db.prepare('DELETE FROM audit_batches WHERE first_seq <= 15').run();
    setMeta(core, META_AUDIT_BASE, `15:${hidden.hash}`);
    const result = await verify(core);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 16, checked: 0 });
    expect(result.reason).toMatch(/no valid signed checkpoint/);
  });

  it('catches an altered, re-signed (other key), deleted or orphaned checkpoint, and a deleted base', async () => {
    const { core, base, checkpoint } = await pruned();
    const stored = JSON.parse(checkpoint) as { seq: number; hash: string; pruned_before: string; removed_count: number; created_at: string; sig: string };
    const attempts: [string, () => void][] = [
      ['altered count', () => setMeta(core, META_AUDIT_CHECKPOINT, JSON.stringify({ ...stored, removed_count: 1 }))],
      ['re-signed', () => setMeta(core, META_AUDIT_CHECKPOINT, JSON.stringify(signCheckpoint(Buffer.alloc(32, 1), { ...stored })))],
      ['deleted checkpoint', () => setMeta(core, META_AUDIT_CHECKPOINT, undefined)],
      ['garbage checkpoint', () => setMeta(core, META_AUDIT_CHECKPOINT, '{"seq":')],
      ['deleted key', () => core.secrets.delete('default', CHECKPOINT_KEY_NAME)],
      ['base deleted', () => setMeta(core, META_AUDIT_BASE, undefined)],
    ];
    const key = loadCheckpointKey(core.secrets) as Buffer;
    for (const [what, forge] of attempts) {
      forge();
      const result = await verify(core);
      expect(result.ok, what).toBe(false);
      expect(result.first_bad_seq, what).toBe(what === 'base deleted' ? 1 : 11);
      // Put things back for the next attempt.
      setMeta(core, META_AUDIT_BASE, base);
      setMeta(core, META_AUDIT_CHECKPOINT, checkpoint);
      core.secrets.put('default', CHECKPOINT_KEY_NAME, key);
      expect((await verify(core)).ok, `${what}, restored`).toBe(true);
    }
  });

  it('reports the checkpoint unchecked (not valid) when no key is at hand, still proving the chain after it', async () => {
    const { core } = await pruned();
    const result = await verifyTrail({ db: core.db, audit: core.audit, file: core.storage.file, key: { unavailable: 'no master key' } });
    expect(result).toMatchObject({ ok: true, checkpoint: 'unchecked', base_seq: 10 });
  });

  it('checks the checkpoint the same way when the chain is verified on a worker thread', async () => {
    const { core, checkpoint } = await pruned();
    expect(await verifyTrail({ db: core.db, audit: core.audit, file: core.storage.file, key: { key: loadCheckpointKey(core.secrets) }, thread: 'worker' })).toMatchObject({ ok: true, checkpoint: 'valid', thread: 'worker' });
    setMeta(core, META_AUDIT_CHECKPOINT, checkpoint.replace(/"removed_count":\d+/, '"removed_count":0'));
    expect(await verifyTrail({ db: core.db, audit: core.audit, file: core.storage.file, key: { key: loadCheckpointKey(core.secrets) }, thread: 'worker' })).toMatchObject({ ok: false, first_bad_seq: 11, thread: 'worker' });
  });
});

describe('startAuditRetention', () => {
  it('prunes at start and again on its interval; stop() waits for a run in progress', async () => {
    const core = setup(30);
    appendAged(core, 40, 1, 4);
    appendAged(core, 1, 1, 1, 4);
    const retention = startAuditRetention({ core }, core.config, { intervalMs: 100 });
    try {
      await vi.waitFor(() => expect(firstStoredSeq(core)).toBe(5), { timeout: 3000, interval: 20 });
      appendAged(core, 40, 1, 3, 10);
      appendAged(core, 1, 1, 1, 20);
      // Groups after a newer one stay until the newer one ages too: nothing more goes, the chain stays whole.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(firstStoredSeq(core)).toBe(5);
      expect((await verify(core)).ok).toBe(true);
    } finally {
      await retention.stop();
    }
    expect(core.audit.query({ event_type: 'audit_pruned' }).events).toHaveLength(1);
  });

  it('reads the retention at each run: turned on from the console while running (0 -> 30 days), it starts pruning without a restart', async () => {
    const core = setup(0);
    appendAged(core, 40, 1, 4);
    appendAged(core, 1, 1, 1, 4);
    const settings = createSettingsService({ db: core.db, config: core.config, epoch: createChangeEpoch(core.db) });
    const retention = startAuditRetention({ core }, core.config, { intervalMs: 30, retentionDays: () => settings.get()['audit.retention_days'] });
    try {
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(firstStoredSeq(core)).toBe(1);
      settings.update({ 'audit.retention_days': 30 }, 'console:test');
      await vi.waitFor(() => expect(firstStoredSeq(core)).toBe(5), { timeout: 3000, interval: 20 });
    } finally {
      await retention.stop();
    }
    expect(core.audit.query({ event_type: 'audit_pruned' }).events[0]?.metadata).toMatchObject({ retention_days: 30, removed_events: 4 });
  });

  it('never prunes with AUDIT_RETENTION_DAYS=0', async () => {
    const core = setup(0);
    appendAged(core, 4000, 1, 3);
    const retention = startAuditRetention({ core }, core.config, { intervalMs: 20 });
    expect(await retention.runNow()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await retention.stop();
    expect(firstStoredSeq(core)).toBe(1);
  });
});
