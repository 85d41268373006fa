// /api/v1/audit over real HTTP: search with filters and a cursor, permissions, verify and tampering, JSON-lines and CSV export with offline verification, the live SSE stream, retention checkpoints, and that reading and exporting are on record.
import { createAuditService } from '../../../src/main/core/audit/audit-service';
import { loadCheckpointKey } from '../../../src/main/core/audit/checkpoint';
import { pruneAuditTrail } from '../../../src/main/core/audit/retention';
import type { AuditEvent, AuditInput } from '../../../src/main/core/audit/types';
import { verifyExportText } from '../../../src/main/core/audit/verify-export';
import { openStorage } from '../../../src/main/core/storage/database';
import { describe, expect, it } from 'vitest';
import { startTestMesh, type TestMesh } from '../../helpers/mesh';

const DAY_MS = 86_400_000;

function probe(n: number, extra: Partial<AuditInput> = {}): AuditInput {
  return { event_type: 'probe_event', subject: `user:p${n % 3}`, action: 'poke', resource: `thing:${n}`, result: n % 4 === 0 ? 'failure' : 'success', metadata: { n, note: n === 7 ? 'needle in a haystack' : 'hay' }, ...extra };
}

/** Appends events through the running mesh's audit service and commits them. */
function appendProbes(t: TestMesh, count: number, extra: Partial<AuditInput> = {}): void {
  for (let i = 0; i < count; i += 1) t.mesh.core.audit.append(probe(i, extra));
  t.mesh.core.audit.flush();
}

/** The stored lines of the whole trail, in chain order, as serve printed them. */
function storedLines(t: TestMesh): string[] {
  t.mesh.core.audit.flush();
  const rows = t.mesh.core.db.prepare('SELECT lines FROM audit_batches ORDER BY first_seq').pluck().all() as string[];
  return rows.flatMap((r) => r.split('\n').filter(Boolean));
}

/** Rewrites the stored line of event `seq` in place, as someone with write access to the file could. */
function tamper(t: TestMesh, seq: number, edit: (line: string) => string): void {
  const db = t.mesh.core.db;
  const row = db.prepare('SELECT first_seq, lines FROM audit_batches WHERE first_seq <= ? AND last_seq >= ?').get(seq, seq) as { first_seq: number; lines: string };
  const lines = row.lines.split('\n');
  lines[seq - row.first_seq] = edit(lines[seq - row.first_seq] as string);
  db.prepare('UPDATE audit_batches SET lines = ? WHERE first_seq = ?').run(lines.join('\n'), row.first_seq);
}

function seqOf(t: TestMesh, eventType: string, n: number): number {
  const found = t.mesh.core.audit.query({ event_type: eventType, limit: 1000 }).events.find((e) => e.metadata?.n === n);
  if (found === undefined) throw new Error(`no ${eventType} #${n}`);
  return found.seq;
}

/** A minimal RFC 4180 reader (quoted cells, doubled quotes, CRLF rows), enough to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  return rows;
}

describe('GET /api/v1/audit', () => {
  it("lists the caller's tenant's events newest first, filtered, page by page", async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    appendProbes(t, 30);
    t.mesh.core.audit.append(probe(99, { tenant_id: 'acme' }));
    t.mesh.core.audit.flush();

    const seen: number[] = [];
    let cursor: number | null = null;
    let pages = 0;
    do {
      const res = await t.request('GET', `/api/v1/audit?event_type=probe_event&limit=7${cursor === null ? '' : `&cursor=${cursor}`}`, { token });
      expect(res.status, res.text).toBe(200);
      const events = res.body.events as AuditEvent[];
      expect(events.length).toBeLessThanOrEqual(7);
      seen.push(...events.map((e) => e.seq));
      cursor = res.body.next_cursor as number | null;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(30);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(30);

    const first = (await t.request('GET', '/api/v1/audit?event_type=probe_event&limit=1', { token })).body.events[0] as AuditEvent;
    expect(first).toMatchObject({ event_type: 'probe_event', tenant_id: 'default', subject: 'user:p2', resource: 'thing:29', metadata: { n: 29 } });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);

    const bySubject = (await t.request('GET', '/api/v1/audit?event_type=probe_event&subject=user:p1&limit=100', { token })).body.events as AuditEvent[];
    expect(bySubject).toHaveLength(10);
    expect(bySubject.every((e) => e.subject === 'user:p1')).toBe(true);
    const failures = (await t.request('GET', '/api/v1/audit?event_type=probe_event&result=failure', { token })).body.events as AuditEvent[];
    expect(failures.map((e) => e.metadata?.n)).toEqual([28, 24, 20, 16, 12, 8, 4, 0]);
    expect(((await t.request('GET', '/api/v1/audit?resource=thing:7', { token })).body.events as AuditEvent[]).map((e) => e.metadata?.n)).toEqual([7]);
    expect(((await t.request('GET', '/api/v1/audit?q=needle', { token })).body.events as AuditEvent[]).map((e) => e.resource)).toEqual(['thing:7']);
    expect((await t.request('GET', '/api/v1/audit?event_type=probe_event&since=2999-01-01T00:00:00Z', { token })).body.events).toEqual([]);
    expect((await t.request('GET', '/api/v1/audit?event_type=probe_event&until=2000-01-01T00:00:00%2B02:00', { token })).body.events).toEqual([]);
    const recent = (await t.request('GET', `/api/v1/audit?event_type=probe_event&since=${encodeURIComponent(first.timestamp)}`, { token })).body.events as AuditEvent[];
    expect(recent.length).toBeGreaterThanOrEqual(1);
    expect(recent.every((e) => e.timestamp >= first.timestamp)).toBe(true);
    // Another tenant's event is not there for this caller, even by its exact resource.
    expect((await t.request('GET', '/api/v1/audit?resource=thing:99', { token })).body.events).toEqual([]);
  });

  it('refuses malformed filters with a 400 that names the field', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    for (const [query, field] of [['result=maybe', 'result'], ['since=yesterday', 'since'], ['cursor=abc', 'cursor'], ['limit=100000', 'limit'], ['colour=red', 'colour']] as const) {
      const res = await t.request('GET', `/api/v1/audit?${query}`, { token });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toContain(field);
    }
  });

  it('needs audit:read: a viewer gets 403 on every audit route, no credential 401, an admin 200; reads are on record', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const viewer = await t.userWithToken('vera', 'viewer');
    for (const path of ['/api/v1/audit', '/api/v1/audit/verify', '/api/v1/audit/export', '/api/v1/audit/stream']) {
      const denied = await t.request('GET', path, { token: viewer });
      expect(denied.status, path).toBe(403);
      expect(denied.body.error.code).toBe('FORBIDDEN');
      expect(denied.body.error.message).toContain('audit:read');
      expect((await t.request('GET', path)).status, path).toBe(401);
    }
    expect((await t.request('GET', '/api/v1/audit', { token: admin })).status).toBe(200);
    const decisions = t.mesh.core.audit.query({ event_type: 'authz_decision', resource: 'audit:read' }).events;
    expect(decisions.some((e) => e.subject === 'user:vera' && e.result === 'denied')).toBe(true);
    expect(decisions.some((e) => e.subject === 'user:admin' && e.result === 'success')).toBe(true);
  });
});

describe('GET /api/v1/audit/verify', () => {
  it("says ok with the count, then names a tampered event's seq, and records each check", async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    appendProbes(t, 20);
    const ok = await t.request('GET', '/api/v1/audit/verify', { token });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, first_bad_seq: null, base_seq: 0, checkpoint: 'none' });
    expect(ok.body.checked).toBeGreaterThanOrEqual(20);
    expect(ok.body).not.toHaveProperty('reason');

    const victim = seqOf(t, 'probe_event', 11);
    tamper(t, victim, (line) => line.replace('"result":"success"', '"result":"failure"'));
    appendProbes(t, 3); // the chain keeps growing after the damage
    const bad = await t.request('GET', '/api/v1/audit/verify', { token });
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ ok: false, first_bad_seq: victim, checked: victim - 1 });
    expect(bad.body.reason).toContain(`event ${victim} was modified`);

    const records = t.mesh.core.audit.query({ event_type: 'audit_verified' }).events;
    expect(records.map((e) => e.result)).toEqual(['failure', 'success']);
    expect(records[0]).toMatchObject({ subject: 'user:admin', metadata: { first_bad_seq: victim } });
  });

  it('after retention pruning, verifies from the signed checkpoint, and fails when the base is forged', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    appendProbes(t, 10);
    const { core } = t.mesh;
    // 100 days from now, everything stored so far is past the 90-day retention.
    const later = () => new Date(Date.now() + 100 * DAY_MS);
    const pruned = await pruneAuditTrail({ db: core.db, audit: core.audit, secrets: core.secrets, file: core.storage.file, retentionDays: 90, subject: 'system', now: later });
    expect(pruned.removed_events).toBeGreaterThanOrEqual(10);
    expect(core.db.prepare('SELECT count(*) FROM audit_batches WHERE first_seq <= ?').pluck().get(pruned.base_seq)).toBe(0);
    const ok = await t.request('GET', '/api/v1/audit/verify', { token });
    expect(ok.body).toMatchObject({ ok: true, base_seq: pruned.base_seq, checkpoint: 'valid' });

    // Moving the base elsewhere (say, to hide what came before an event) is caught by the checkpoint's signature.
    const later2 = storedLines(t)[2] as string;
    const forgedSeq = JSON.parse(later2).seq as number;
    core.db.prepare("UPDATE meta SET value = ? WHERE key = 'audit_base'").run(`${forgedSeq}:${JSON.parse(later2).hash as string}`);
    const bad = await t.request('GET', '/api/v1/audit/verify', { token });
    expect(bad.body).toMatchObject({ ok: false, first_bad_seq: forgedSeq + 1 });
    expect(bad.body.reason).toMatch(/no valid signed checkpoint/);
  });
});

describe('GET /api/v1/audit/export', () => {
  it('streams the stored lines verbatim plus a signed trailer that verifies offline; any edit is caught; the export is on record', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    appendProbes(t, 25);
    const res = await t.request('GET', '/api/v1/audit/export?format=jsonl', { token });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="devmesh-audit-.*\.jsonl"$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);

    const lines = res.text.trimEnd().split('\n');
    const trailer = JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
    const events = lines.slice(0, -1);
    // Byte for byte what is stored (and what serve printed): the lines up to the export's last one.
    expect(events).toEqual(storedLines(t).slice(0, events.length));
    expect(trailer).toMatchObject({ audit_export: true, count: events.length, complete: true, tenant_id: 'default', installation_id: t.mesh.core.installationId, base: { seq: 0 } });
    expect(trailer.head).toEqual({ seq: trailer.last_seq, hash: trailer.last_hash });
    expect(trailer.signature).toMatch(/^[0-9a-f]{64}$/);

    const key = loadCheckpointKey(t.mesh.core.secrets) as Buffer;
    const keyFor = () => key;
    expect(verifyExportText(res.text, keyFor)).toMatchObject({ ok: true, checked: events.length, signature: 'valid', from_base: true, to_head: true, gaps: 0 });

    const victim = seqOf(t, 'probe_event', 5);
    const edited = res.text.split('\n').map((l) => (l.includes(`"seq":${victim},`) ? l.replace('"action":"poke"', '"action":"peek"') : l)).join('\n');
    expect(verifyExportText(edited, keyFor)).toMatchObject({ ok: false, first_bad_seq: victim });
    const dropped = res.text.split('\n').filter((l) => !l.includes(`"seq":${victim},`)).join('\n');
    expect(verifyExportText(dropped, keyFor)).toMatchObject({ ok: false, first_bad_seq: victim, reason: `event ${victim} is missing from the export` });
    const truncated = `${events.slice(0, -3).join('\n')}\n`;
    expect(verifyExportText(truncated, keyFor).ok).toBe(false);
    expect(verifyExportText(res.text, () => Buffer.alloc(32, 7))).toMatchObject({ ok: false, signature: 'invalid' });

    const exported = t.mesh.core.audit.query({ event_type: 'audit_exported' }).events;
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ subject: 'user:admin', result: 'success', metadata: { format: 'jsonl', count: events.length, via: 'rest' } });
  });

  it('exports CSV with a header, RFC 4180 quoting and formula-safe cells, ending with the trailer row', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    t.mesh.core.audit.append(probe(1, { subject: '=HYPERLINK("http://evil.example","click")', resource: 'a,b "quoted"', user_agent: '@SUM(1+1)', error: '-2+3' }));
    t.mesh.core.audit.flush();
    const res = await t.request('GET', '/api/v1/audit/export?format=csv', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual(['seq', 'timestamp', 'tenant_id', 'event_type', 'subject', 'action', 'resource', 'result', 'error', 'metadata', 'trace_id', 'ip', 'user_agent', 'prev_hash', 'hash']);
    const row = rows.find((r) => r[3] === 'probe_event') as string[];
    expect(row[4]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(row[6]).toBe('a,b "quoted"');
    expect(row[8]).toBe("'-2+3");
    expect(row[12]).toBe("'@SUM(1+1)");
    expect(JSON.parse(row[9] as string)).toEqual({ n: 1, note: 'hay' });
    const last = rows[rows.length - 1] as string[];
    expect(last[0]).toBe('#audit_export');
    expect(JSON.parse(last[1] as string)).toMatchObject({ audit_export: true, format: 'csv', count: rows.length - 2 });
    expect(res.text.endsWith('\r\n')).toBe(true);
  });

  it('exports a contiguous range with since and until', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    appendProbes(t, 5);
    const all = storedLines(t).map((l) => JSON.parse(l) as AuditEvent);
    const since = (all[all.length - 1] as AuditEvent).timestamp;
    const res = await t.request('GET', `/api/v1/audit/export?since=${encodeURIComponent(since)}`, { token });
    const lines = res.text.trimEnd().split('\n');
    const events = lines.slice(0, -1).map((l) => JSON.parse(l) as AuditEvent);
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.every((e) => e.timestamp >= since)).toBe(true);
    expect(verifyExportText(res.text)).toMatchObject({ ok: true, from_base: false, signature: 'unchecked' });
    const none = await t.request('GET', '/api/v1/audit/export?until=2000-01-01T00:00:00Z', { token });
    expect(JSON.parse(none.text.trimEnd())).toMatchObject({ audit_export: true, count: 0, first_seq: null });
  });
});

/** An open SSE stream read with fetch. */
interface EventStream {
  /** Waits for the next audit frame matching `pick` (frames before it are consumed). */
  next(pick: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  text(): string;
  close(): void;
  ended(): Promise<void>;
}

interface Frame {
  event: string;
  id: number;
  data: Record<string, unknown>;
  raw: string;
}

async function openStream(t: TestMesh, token: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; traceId: string | null; stream: EventStream }> {
  const abort = new AbortController();
  const res = await fetch(`${t.api}/api/v1/audit/stream`, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: abort.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let all = '';
  let done = false;
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  const ended = (async () => {
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        const text = decoder.decode(chunk.value, { stream: true });
        all += text;
        buffer += text;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(': ');
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
          }
          if (fields.has('data')) frames.push({ event: fields.get('event') ?? '', id: Number(fields.get('id')), data: JSON.parse(fields.get('data') as string) as Record<string, unknown>, raw: block });
        }
        for (const wake of waiters.splice(0)) wake();
      }
    } catch {
      // aborted
    } finally {
      done = true;
      for (const wake of waiters.splice(0)) wake();
    }
  })();
  const stream: EventStream = {
    async next(pick, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = frames.findIndex(pick);
        if (index >= 0) return frames.splice(0, index + 1)[index] as Frame;
        if (done || Date.now() > deadline) throw new Error(`no matching frame; got:\n${all}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    text: () => all,
    close: () => abort.abort(),
    ended: () => ended,
  };
  return { status: res.status, contentType: res.headers.get('content-type'), traceId: res.headers.get('x-trace-id'), stream };
}

describe('GET /api/v1/audit/stream', () => {
  it("delivers each committed event of the caller's tenant within a second, from this process and from others", async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const { status, contentType, traceId, stream } = await openStream(t, token);
    try {
      expect(status).toBe(200);
      expect(contentType).toBe('text/event-stream; charset=utf-8');
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);

      // An action through the API: its authorization decision is an audit event.
      let started = Date.now();
      expect((await t.request('GET', '/api/v1/contexts', { token })).status).toBe(200);
      const decision = await stream.next((f) => f.data.event_type === 'authz_decision' && f.data.resource === 'contexts:read');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(decision.event).toBe('audit');
      expect(decision.id).toBe(decision.data.seq);
      expect(decision.raw).toMatch(/^event: audit\nid: \d+\ndata: \{"audit_event":true,"seq":\d+,/);
      expect(storedLines(t)).toContain(decision.raw.slice(decision.raw.indexOf('data: ') + 6));

      // Another tenant's event is not delivered; the next one of ours is.
      t.mesh.core.audit.append(probe(1, { tenant_id: 'acme' }));
      t.mesh.core.audit.append(probe(2));
      const mine = await stream.next((f) => f.data.event_type === 'probe_event');
      expect(mine.data).toMatchObject({ tenant_id: 'default', resource: 'thing:2' });

      // Another process (the CLI) commits on its own connection: polled from the database.
      const other = openStorage({ file: t.mesh.core.storage.file });
      const otherAudit = createAuditService({ db: other.db });
      started = Date.now();
      otherAudit.append(probe(3, { subject: 'cli:someone' }));
      otherAudit.flush();
      const fromCli = await stream.next((f) => f.data.subject === 'cli:someone');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(fromCli.data.resource).toBe('thing:3');
      await otherAudit.close();
      other.close();
    } finally {
      stream.close();
    }
  });

  it('replays from the database after Last-Event-ID, in order', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    appendProbes(t, 6);
    const seqs = [0, 1, 2, 3, 4, 5].map((n) => seqOf(t, 'probe_event', n));
    const { stream } = await openStream(t, token, { 'last-event-id': String(seqs[2]) });
    try {
      const replayed: number[] = [];
      for (const n of [3, 4, 5]) replayed.push((await stream.next((f) => f.data.event_type === 'probe_event' && (f.data.metadata as { n: number }).n === n)).id);
      expect(replayed).toEqual(seqs.slice(3));
      expect(stream.text()).not.toContain(`id: ${seqs[2]}\n`);
    } finally {
      stream.close();
    }
  });

  it('ends open streams when the server stops, instead of holding shutdown', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const { stream } = await openStream(t, token);
    await stream.next(() => false, 100).catch(() => undefined);
    const started = Date.now();
    await t.mesh.stop();
    await stream.ended();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(stream.text()).toMatch(/^: devmesh audit stream from seq \d+\nretry: 2000\n\n/);
  });
});
