import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuditService, type AuditService } from '../../../../../src/main/core/audit/audit-service';
import { META_AUDIT_HEAD } from '../../../../../src/main/core/audit/commit';
import { chainLine, parseLine } from '../../../../../src/main/core/audit/chain';
import type { AuditEvent, AuditInput } from '../../../../../src/main/core/audit/types';
import { openStorage, type Storage } from '../../../../../src/main/core/storage/database';
import { tempDir } from '../../../../helpers/temp-dir';

type Mode = 'inline' | 'writer thread';
let mode: Mode = 'inline';
const opened: { storage: Storage; audit: AuditService }[] = [];

afterEach(async () => {
  for (const { storage, audit } of opened.splice(0)) {
    await audit.close();
    storage.close();
  }
});

function setup(options: { sink?: (lines: string) => void; flushIntervalMs?: number } = {}): { storage: Storage; audit: AuditService; file: string } {
  const file = join(tempDir(), 'devmesh.db');
  const storage = openStorage({ file });
  const audit = createAuditService({ db: storage.db, ...options, writerThread: mode === 'writer thread' ? { file } : undefined });
  opened.push({ storage, audit });
  return { storage, audit, file };
}

/** Every stored line, in seq order. */
function allLines(storage: Storage): string[] {
  const rows = storage.db.prepare('SELECT lines FROM audit_batches ORDER BY first_seq').pluck().all() as string[];
  return rows.flatMap((r) => r.split('\n').filter(Boolean));
}

/** Rewrites (or, returning undefined, deletes) the stored line of event `seq`, as an attacker with the file would. */
function editLine(storage: Storage, seq: number, change: (line: string) => string | undefined): void {
  const row = storage.db.prepare('SELECT first_seq, lines FROM audit_batches WHERE first_seq <= ? AND last_seq >= ?').get(seq, seq) as { first_seq: number; lines: string };
  const lines = row.lines.split('\n');
  const index = seq - row.first_seq;
  const changed = change(lines[index] as string);
  if (changed === undefined) lines.splice(index, 1);
  else lines[index] = changed;
  storage.db.prepare('UPDATE audit_batches SET lines = ? WHERE first_seq = ?').run(lines.join('\n'), row.first_seq);
}

function event(n: number, extra: Partial<AuditInput> = {}): AuditInput {
  return { event_type: 'auth_success', subject: `user-${n % 3}`, action: 'login', resource: `api:/login/${n}`, result: 'success', metadata: { n }, trace_id: `t${n}`, ip: '127.0.0.1', user_agent: 'vitest', ...extra };
}

describe.each<Mode>(['inline', 'writer thread'])('audit trail (%s commits)', (m) => {
  beforeEach(() => {
    mode = m;
  });

  it('appends off the request path and commits by group, well within a second, without an explicit flush', async () => {
    const { storage, audit } = setup({ flushIntervalMs: 10 });
    for (let i = 0; i < 50; i += 1) audit.append(event(i));
    expect(audit.pending()).toBe(50);
    expect(storage.db.prepare('SELECT coalesce(sum(event_count), 0) FROM audit_batches').pluck().get()).toBe(0);
    await vi.waitFor(() => expect(storage.db.prepare('SELECT coalesce(sum(event_count), 0) FROM audit_batches').pluck().get()).toBe(50), { timeout: 1000, interval: 10 });
    expect(audit.pending()).toBe(0);
  });

  it('has everything appended before close on disk after it', async () => {
    const { storage, audit, file } = setup({ flushIntervalMs: 60_000 });
    for (let i = 0; i < 1234; i += 1) audit.append(event(i));
    await audit.close();
    storage.close();
    const reopened = openStorage({ file });
    expect(reopened.db.prepare('SELECT coalesce(sum(event_count), 0) FROM audit_batches').pluck().get()).toBe(1234);
    reopened.close();
  });

  it('chains events: seq from 1, each line ending with the hash of its bytes and linking to the one before', () => {
    const { storage, audit } = setup();
    for (let i = 0; i < 5; i += 1) audit.append(event(i));
    audit.flush();
    const lines = allLines(storage);
    expect(lines).toHaveLength(5);
    const parts = lines.map((l) => parseLine(l));
    expect(parts.map((p) => p?.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(parts[0]?.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < parts.length; i += 1) expect(parts[i]?.prevHash).toBe(parts[i - 1]?.hash);
    expect(parts.every((p) => p?.intact)).toBe(true);
    expect(audit.verify()).toEqual({ ok: true, checked: 5, first_bad_seq: null });
  });

  it('keeps exotic text intact and verifiable', () => {
    const { audit } = setup();
    audit.append(event(1, { subject: 'ünïcødé "quoted" \\ back\\slash', resource: 'line\nbreak\ttab\u0000nul', metadata: { emoji: '🔐', nested: { 'q"uote': [1, 2.5, null, true] } } }));
    audit.flush();
    expect(audit.verify().ok).toBe(true);
    expect(audit.query().events[0]).toMatchObject({ subject: 'ünïcødé "quoted" \\ back\\slash', resource: 'line\nbreak\ttab\u0000nul', metadata: { emoji: '🔐', nested: { 'q"uote': [1, 2.5, null, true] } } });
  });

  describe('verify reports tampering with the seq of the first bad event', () => {
    /** n events in rows of `perRow` (one flush each). */
    function chainOf(n: number, perRow = n) {
      const ctx = setup();
      for (let i = 0; i < n; i += 1) {
        ctx.audit.append(event(i));
        if ((i + 1) % perRow === 0) ctx.audit.flush();
      }
      ctx.audit.flush();
      return ctx;
    }

    it('a modified field', () => {
      const { storage, audit } = chainOf(10);
      editLine(storage, 4, (line) => line.replace('"result":"success"', '"result":"failure"'));
      expect(audit.verify()).toMatchObject({ ok: false, first_bad_seq: 4, checked: 3 });
    });

    it('modified metadata', () => {
      const { storage, audit } = chainOf(10);
      editLine(storage, 7, (line) => line.replace('"n":6', '"n":999'));
      expect(audit.verify()).toMatchObject({ ok: false, first_bad_seq: 7 });
    });

    it('a deleted event', () => {
      const { storage, audit } = chainOf(10);
      editLine(storage, 6, () => undefined);
      expect(audit.verify()).toMatchObject({ ok: false, first_bad_seq: 6 });
    });

    it('a deleted group of events', () => {
      const { storage, audit } = chainOf(9, 3);
      expect(storage.db.prepare('SELECT count(*) FROM audit_batches').pluck().get()).toBe(3);
      storage.db.prepare('DELETE FROM audit_batches WHERE first_seq = 4').run();
      expect(audit.verify()).toMatchObject({ ok: false, first_bad_seq: 4 });
    });

    it('reordered events', () => {
      const { storage, audit } = chainOf(10);
      const row = storage.db.prepare('SELECT first_seq, lines FROM audit_batches').get() as { first_seq: number; lines: string };
      const lines = row.lines.split('\n');
      [lines[2], lines[3]] = [lines[3] as string, lines[2] as string];
      storage.db.prepare('UPDATE audit_batches SET lines = ? WHERE first_seq = ?').run(lines.join('\n'), row.first_seq);
      expect(audit.verify()).toMatchObject({ ok: false, first_bad_seq: 3 });
    });

    it('a rewritten event whose hash was recomputed (the link to the next breaks)', () => {
      const { storage, audit } = chainOf(10);
      editLine(storage, 5, (line) => {
        const parts = parseLine(line);
        const body = line.slice(line.indexOf(',"tenant_id"'), line.indexOf(',"prev_hash"')).replace('"subject":"user-1"', '"subject":"someone-else"');
        return chainLine(5, body, parts?.prevHash ?? '').line;
      });
      expect(audit.verify()).toMatchObject({ ok: false, first_bad_seq: 6 });
    });

    it('events removed from the end', () => {
      const { storage, audit } = chainOf(10, 5);
      storage.db.prepare('DELETE FROM audit_batches WHERE first_seq = 6').run();
      expect(audit.verify()).toMatchObject({ ok: false, first_bad_seq: 6 });
      // New events do not paper over the gap.
      audit.append(event(99));
      audit.flush();
      expect(audit.verify()).toMatchObject({ ok: false, first_bad_seq: 6 });
    });

    it('an index altered to hide events from searches', () => {
      const { storage, audit } = chainOf(10);
      audit.append(event(10, { event_type: 'auth_failed', result: 'failure' }));
      audit.flush();
      expect(audit.query({ event_type: 'auth_failed' }).events).toHaveLength(1);
      storage.db.prepare(`UPDATE audit_batches SET event_types = '["auth_success"]' WHERE event_types LIKE '%auth_failed%'`).run();
      expect(audit.verify()).toMatchObject({ ok: false, first_bad_seq: 11 });
    });
  });

  it('keeps one unforked chain when two services (two processes) share the database', async () => {
    const { storage, audit, file } = setup();
    const other = openStorage({ file });
    const second = createAuditService({ db: other.db });
    for (let i = 0; i < 20; i += 1) {
      (i % 2 === 0 ? audit : second).append(event(i));
      if (i % 3 === 0) {
        audit.flush();
        second.flush();
      }
    }
    audit.flush();
    second.flush();
    expect(audit.verify()).toEqual({ ok: true, checked: 20, first_bad_seq: null });
    expect(storage.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(META_AUDIT_HEAD)).toMatch(/^20:/);
    expect(allLines(storage).map((l) => parseLine(l)?.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await second.close();
    other.close();
  });

  it('prints one JSON line per event carrying "audit_event", after commit', async () => {
    const chunks: string[] = [];
    const { storage, audit } = setup({ sink: (lines) => chunks.push(lines) });
    audit.append(event(1, { event_type: 'auth_failed', result: 'failure', error: 'bad password' }));
    audit.append(event(2));
    expect(chunks).toEqual([]);
    audit.flush();
    await vi.waitFor(() => expect(chunks.join('').split('\n').filter(Boolean)).toHaveLength(2));
    const lines = chunks.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(first).toMatchObject({ audit_event: true, seq: 1, event_type: 'auth_failed', result: 'failure', error: 'bad password', metadata: { n: 1 }, subject: 'user-1' });
    expect(typeof first.hash).toBe('string');
    expect(lines.filter((l) => l.includes('audit_event')).map((l) => (JSON.parse(l) as { event_type: string }).event_type)).toEqual(['auth_failed', 'auth_success']);
    // What was printed is byte for byte what was stored, so a captured stdout verifies like the database.
    expect(lines).toEqual(allLines(storage));
  });

  it('redacts secrets in metadata, subject, error and user agent before they are stored or printed', async () => {
    const chunks: string[] = [];
    const { storage, audit } = setup({ sink: (lines) => chunks.push(lines) });
    const apiKey = 'dmk_abc123_SuperSecretValue0123456789';
    audit.append(event(1, {
      error: `rejected Bearer ${apiKey}`,
      metadata: { password: 'hunter2', headers: { authorization: 'Bearer xyz', 'x-api-key': apiKey }, note: `key was ${apiKey}`, nested: { refresh_token: 'r' } },
    }));
    audit.flush();
    await vi.waitFor(() => expect(chunks.join('')).toContain('audit_event'));
    const stored = allLines(storage).join('\n');
    for (const text of [stored, chunks.join('')]) {
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('SuperSecretValue');
      expect(text).not.toContain('xyz');
      expect(text).toContain('[REDACTED]');
    }
    expect(audit.verify().ok).toBe(true);
  });

  it('delivers committed events, with their chain position, to subscribers until they unsubscribe', async () => {
    const { audit } = setup();
    const seen: AuditEvent[] = [];
    const unsubscribe = audit.subscribe((e) => seen.push(e));
    audit.append(event(1));
    audit.append(event(2));
    audit.flush();
    await vi.waitFor(() => expect(seen.map((e) => e.seq)).toEqual([1, 2]));
    expect(seen[1]).toMatchObject({ prev_hash: seen[0]?.hash, metadata: { n: 2 }, subject: 'user-2' });
    expect(audit.query({ limit: 1 }).events[0]).toEqual(seen[1]);
    unsubscribe();
    audit.append(event(3));
    audit.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toHaveLength(2);
  });

  it('queries newest first with filters and a cursor, across stored groups', () => {
    const { audit } = setup();
    for (let i = 0; i < 30; i += 1) {
      audit.append(event(i, i % 5 === 0 ? { event_type: 'auth_failed', result: 'failure' } : {}));
      if (i % 7 === 6) audit.flush();
    }
    const page1 = audit.query({ limit: 10 });
    expect(page1.events.map((e) => e.seq)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
    const page2 = audit.query({ limit: 10, cursor: page1.next_cursor ?? undefined });
    expect(page2.events[0]?.seq).toBe(20);
    const failures = audit.query({ event_type: 'auth_failed' });
    expect(failures.events.map((e) => e.seq)).toEqual([26, 21, 16, 11, 6, 1]);
    expect(failures.next_cursor).toBeNull();
    expect(audit.query({ result: 'failure', subject: 'user-0' }).events.every((e) => e.result === 'failure' && e.subject === 'user-0')).toBe(true);
    expect(audit.query({ q: 'api:/login/17' }).events.map((e) => e.seq)).toEqual([18]);
    expect(audit.query({ q: '100%_' }).events).toEqual([]);
    expect(audit.query({ tenant_id: 'other' }).events).toEqual([]);
    const first = audit.query({ limit: 1 }).events[0];
    expect(audit.query({ since: first?.timestamp }).events.length).toBeGreaterThanOrEqual(1);
    expect(audit.query({ until: '2000-01-01T00:00:00.000Z' }).events).toEqual([]);
  });

  it('finds a subject among more distinct subjects than a group lists', () => {
    const { audit } = setup();
    for (let i = 0; i < 100; i += 1) audit.append(event(i, { subject: `agent-${i}` }));
    expect(audit.query({ subject: 'agent-42' }).events.map((e) => e.seq)).toEqual([43]);
    expect(audit.verify().ok).toBe(true);
  });

  it('keeps tenants apart', () => {
    const { audit } = setup();
    for (let i = 0; i < 10; i += 1) audit.append(event(i, { tenant_id: i % 2 === 0 ? 'default' : 'acme' }));
    expect(audit.query().events.map((e) => e.seq)).toEqual([9, 7, 5, 3, 1]);
    expect(audit.query({ tenant_id: 'acme' }).events.map((e) => e.seq)).toEqual([10, 8, 6, 4, 2]);
    expect(audit.verify()).toMatchObject({ ok: true, checked: 10 });
  });

  it('rejects malformed events at the caller with a TypeError', () => {
    const { audit } = setup();
    expect(() => audit.append({ ...event(1), event_type: 'Not Snake' })).toThrow(TypeError);
    expect(() => audit.append({ ...event(1), result: 'maybe' as 'success' })).toThrow(/result/);
    expect(() => audit.append({ ...event(1), extra: 1 } as AuditInput)).toThrow(TypeError);
    expect(audit.pending()).toBe(0);
  });

  // Inline only: with a writer thread, the main thread blocking in flush() would also block the lock holder below.
  if (m === 'inline') it('keeps events queued when a flush fails and writes them on the next one', () => {
    const { storage, audit, file } = setup({ flushIntervalMs: 60_000 });
    const blocker = openStorage({ file });
    blocker.db.pragma('busy_timeout = 0');
    storage.db.pragma('busy_timeout = 0');
    blocker.db.prepare('BEGIN IMMEDIATE').run();
    audit.append(event(1));
    expect(audit.flush()).toBe(false);
    expect(audit.pending()).toBe(1);
    blocker.db.prepare('COMMIT').run();
    expect(audit.flush()).toBe(true);
    expect(audit.verify().ok).toBe(true);
    blocker.close();
  });

  it('prints to a file descriptor', async () => {
    const dir = tempDir();
    const out = join(dir, 'stdout.jsonl');
    const fd = openSync(out, 'w');
    const file = join(dir, 'devmesh.db');
    const storage = openStorage({ file });
    const audit = createAuditService({ db: storage.db, sink: { fd }, writerThread: m === 'writer thread' ? { file } : undefined });
    for (let i = 0; i < 10; i += 1) audit.append(event(i));
    await audit.close();
    storage.close();
    closeSync(fd);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; audit_event: boolean });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(lines.every((l) => l.audit_event)).toBe(true);
  });

  it('applies backpressure instead of growing without bound', () => {
    const { storage, audit } = setup();
    const small = createAuditService({ db: storage.db, batchSize: 10, maxInflight: 20, flushIntervalMs: 60_000 });
    for (let i = 0; i < 500; i += 1) small.append(event(i));
    expect(small.pending()).toBeLessThanOrEqual(30);
    small.flush();
    expect(audit.verify()).toMatchObject({ ok: true, checked: 500 });
  });
});

describe('audit writer thread', () => {
  it('hands its work to the main thread when the thread cannot run, losing nothing', async () => {
    const file = join(tempDir(), 'devmesh.db');
    const storage = openStorage({ file });
    const errors: unknown[] = [];
    // The thread fails at start (no such database file); the service must fall back to its own connection.
    const audit = createAuditService({ db: storage.db, writerThread: { file: join(tempDir(), 'missing.db') }, onError: (e) => errors.push(e) });
    for (let i = 0; i < 100; i += 1) audit.append(event(i));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(audit.flush()).toBe(true);
    expect(audit.verify()).toMatchObject({ ok: true, checked: 100 });
    expect(errors.length).toBeGreaterThan(0);
    await audit.close();
    storage.close();
  });
});

describe('verify options', () => {
  beforeEach(() => {
    mode = 'inline';
  });

  it('asks checkBase about a stored base (and only then), failing at the first event after it when distrusted', () => {
    const { storage, audit } = setup();
    for (let i = 0; i < 5; i += 1) audit.append(event(i));
    audit.flush();
    const asked: unknown[] = [];
    expect(audit.verify({ checkBase: (base) => (asked.push(base), 'nope') })).toEqual({ ok: true, checked: 5, first_bad_seq: null });
    expect(asked).toEqual([]);
    storage.db.prepare("INSERT INTO meta (tenant_id, key, value, updated_at) VALUES ('default', 'audit_base', ?, '')").run(`0:${'0'.repeat(64)}`);
    expect(audit.verify({ checkBase: (base) => (asked.push(base), 'forged base') })).toEqual({ ok: false, checked: 0, first_bad_seq: 1, reason: 'forged base' });
    expect(asked).toEqual([{ seq: 0, hash: '0'.repeat(64) }]);
    expect(audit.verify({ checkBase: () => undefined }).ok).toBe(true);
  });

  it('stops after the group holding throughSeq, without comparing the head', () => {
    const { storage, audit } = setup();
    for (let i = 0; i < 9; i += 1) {
      audit.append(event(i));
      if (i % 3 === 2) audit.flush();
    }
    editLine(storage, 8, (line) => line.replace('"result":"success"', '"result":"failure"'));
    expect(audit.verify({ throughSeq: 4 })).toEqual({ ok: true, checked: 6, first_bad_seq: null });
    expect(audit.verify()).toMatchObject({ ok: false, first_bad_seq: 8 });
  });

  it('reads one snapshot: events another process commits while it runs are neither counted nor taken for a cut-off tail', () => {
    const { storage, audit, file } = setup();
    for (let i = 0; i < 5; i += 1) audit.append(event(i));
    audit.flush();
    storage.db.prepare("INSERT INTO meta (tenant_id, key, value, updated_at) VALUES ('default', 'audit_base', ?, '')").run(`0:${'0'.repeat(64)}`);
    const other = openStorage({ file });
    const otherAudit = createAuditService({ db: other.db });
    const result = audit.verify({
      checkBase: () => {
        for (let i = 0; i < 3; i += 1) otherAudit.append(event(100 + i));
        otherAudit.flush();
        return undefined;
      },
    });
    expect(result).toEqual({ ok: true, checked: 5, first_bad_seq: null });
    expect(audit.verify()).toEqual({ ok: true, checked: 8, first_bad_seq: null });
    other.close();
  });
});
