// verifyTrail: the same verdict inline and on a worker thread (which leaves the event loop free), the rate, and the line-layout reader it relies on.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../../../../../src/main/core/audit/audit-service';
import { lineFields } from '../../../../../src/main/core/audit/line-fields';
import type { AuditInput } from '../../../../../src/main/core/audit/types';
import { verifyTrail } from '../../../../../src/main/core/audit/verify-trail';
import { openStorage, type Storage } from '../../../../../src/main/core/storage/database';
import { tempDir } from '../../../../helpers/temp-dir';

const opened: Storage[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

function event(n: number, extra: Partial<AuditInput> = {}): AuditInput {
  return { event_type: 'probe_event', subject: `user:u${n % 5}`, action: 'poke', resource: `thing:${n}`, result: n % 3 === 0 ? 'denied' : 'success', metadata: { n }, ip: '127.0.0.1', ...extra };
}

function trail(count: number): { storage: Storage; audit: AuditService } {
  const storage = openStorage({ file: join(tempDir(), 'devmesh.db') });
  opened.push(storage);
  const audit = createAuditService({ db: storage.db, batchSize: 5000, flushIntervalMs: 60_000 });
  for (let i = 0; i < count; i += 1) audit.append(event(i));
  audit.flush();
  return { storage, audit };
}

function run(storage: Storage, audit: AuditService, thread: 'inline' | 'worker' | 'auto', inlineBelow?: number) {
  return verifyTrail({ db: storage.db, audit, file: storage.file, key: { key: undefined }, thread, ...(inlineBelow === undefined ? {} : { inlineBelow }) });
}

describe('verifyTrail', () => {
  it('gives the same verdict inline and on a worker thread, for an intact and for a tampered chain', async () => {
    const { storage, audit } = trail(500);
    const inline = await run(storage, audit, 'inline');
    const worker = await run(storage, audit, 'worker');
    expect(inline).toMatchObject({ ok: true, checked: 500, first_bad_seq: null, thread: 'inline', base_seq: 0, checkpoint: 'none' });
    expect(worker).toMatchObject({ ok: true, checked: 500, first_bad_seq: null, thread: 'worker' });
    expect(inline.events_per_s).toBeGreaterThan(0);

    const row = storage.db.prepare('SELECT first_seq, lines FROM audit_batches WHERE first_seq <= 321 AND last_seq >= 321').get() as { first_seq: number; lines: string };
    storage.db.prepare('UPDATE audit_batches SET lines = ? WHERE first_seq = ?').run(row.lines.replace('"thing:320"', '"thing:0"'), row.first_seq);
    expect(await run(storage, audit, 'inline')).toMatchObject({ ok: false, first_bad_seq: 321, checked: 320 });
    expect(await run(storage, audit, 'worker')).toMatchObject({ ok: false, first_bad_seq: 321, checked: 320, thread: 'worker' });
  });

  it('picks the worker for big trails and stays inline for small ones', async () => {
    const { storage, audit } = trail(50);
    expect((await run(storage, audit, 'auto')).thread).toBe('inline');
    expect((await run(storage, audit, 'auto', 10)).thread).toBe('worker');
  });

  it('keeps the event loop turning while a worker verifies a large trail', async () => {
    const { storage, audit } = trail(60_000);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    try {
      const result = await run(storage, audit, 'worker');
      expect(result).toMatchObject({ ok: true, checked: 60_000 });
      expect(ticks).toBeGreaterThan(20);
      ticks = 0;
      await run(storage, audit, 'inline');
      // Inline, the loop is blocked for the whole check: the timer cannot fire in between.
      expect(ticks).toBeLessThanOrEqual(1);
    } finally {
      clearInterval(timer);
    }
  });

  it('counts events appended before it was asked, even when they were still queued', async () => {
    const { storage, audit } = trail(10);
    audit.append(event(10));
    expect(await run(storage, audit, 'worker')).toMatchObject({ ok: true, checked: 11 });
  });
});

describe('lineFields', () => {
  it('reads the same values as JSON.parse, escapes included, and refuses a line of another layout', () => {
    const storage = openStorage({ file: join(tempDir(), 'devmesh.db') });
    opened.push(storage);
    const audit = createAuditService({ db: storage.db });
    audit.append(event(1, { subject: 'ünï "quoted" \\ slash\nnewline', resource: 'tab\there \u0000 nul', tenant_id: 'acme' }));
    audit.append(event(2));
    audit.flush();
    const lines = (storage.db.prepare('SELECT lines FROM audit_batches ORDER BY first_seq').pluck().all() as string[]).flatMap((r) => r.split('\n').filter(Boolean));
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(lineFields(line)).toEqual({ tenant_id: parsed.tenant_id, timestamp: parsed.timestamp, event_type: parsed.event_type, subject: parsed.subject, action: parsed.action, resource: parsed.resource, result: parsed.result });
    }
    expect(lineFields('{"audit_event":true,"seq":1,"timestamp":"x","tenant_id":"default"}')).toBeUndefined();
    expect(lineFields('{"seq":1}')).toBeUndefined();
    expect(lineFields((lines[0] as string).slice(0, 60))).toBeUndefined();
  });
});
