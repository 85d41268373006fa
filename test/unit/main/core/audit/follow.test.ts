// Following the trail: new lines from this process and from other connections arrive in chain order, per tenant, without loss; the last lines can be read back.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuditService, type AuditService } from '../../../../../src/main/core/audit/audit-service';
import { followAudit, type Follower } from '../../../../../src/main/core/audit/follow';
import { lineFields } from '../../../../../src/main/core/audit/line-fields';
import { createLineReader, type StoredLine } from '../../../../../src/main/core/audit/lines';
import type { AuditInput } from '../../../../../src/main/core/audit/types';
import { openStorage, type Storage } from '../../../../../src/main/core/storage/database';
import { tempDir } from '../../../../helpers/temp-dir';

const opened: Storage[] = [];
const followers: Follower[] = [];
afterEach(async () => {
  for (const f of followers.splice(0)) {
    f.stop();
    await f.done;
  }
  for (const s of opened.splice(0)) s.close();
});

function event(n: number, extra: Partial<AuditInput> = {}): AuditInput {
  return { event_type: n % 2 === 0 ? 'even_event' : 'odd_event', subject: 'tester', action: 'poke', resource: `thing:${n}`, result: 'success', metadata: { n }, ...extra };
}

function open(file?: string): { storage: Storage; audit: AuditService } {
  const storage = openStorage({ file: file ?? join(tempDir(), 'devmesh.db') });
  opened.push(storage);
  return { storage, audit: createAuditService({ db: storage.db, flushIntervalMs: 5 }) };
}

describe('followAudit', () => {
  it('delivers what this process and another connection commit, in seq order, with nothing lost or repeated', async () => {
    const here = open();
    const there = open(here.storage.file);
    here.audit.append(event(0));
    here.audit.flush();
    const seen: StoredLine[] = [];
    const reader = createLineReader(here.storage.db);
    followers.push(followAudit({ reader, audit: here.audit, after: reader.head(), pollMs: 50, deliver: (lines) => void seen.push(...lines) }));
    for (let i = 1; i <= 40; i += 1) {
      (i % 3 === 0 ? there : here).audit.append(event(i));
      if (i % 7 === 0) there.audit.flush();
      if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
    }
    here.audit.flush();
    there.audit.flush();
    await vi.waitFor(() => expect(seen).toHaveLength(40), { timeout: 2000, interval: 20 });
    expect(seen.map((l) => l.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    expect(seen.every((l) => JSON.parse(l.line).seq === l.seq)).toBe(true);
  });

  it("starts after a given seq (replay) and delivers only one tenant's lines", async () => {
    const { storage, audit } = open();
    for (let i = 0; i < 10; i += 1) audit.append(event(i, { tenant_id: i % 2 === 0 ? 'default' : 'acme' }));
    audit.flush();
    const seen: StoredLine[] = [];
    followers.push(followAudit({ reader: createLineReader(storage.db), audit, tenantId: 'acme', after: 4, pollMs: 20, deliver: (lines) => void seen.push(...lines) }));
    await vi.waitFor(() => expect(seen.map((l) => l.seq)).toEqual([6, 8, 10]), { timeout: 1000, interval: 10 });
    audit.append(event(11, { tenant_id: 'acme' }));
    audit.append(event(12));
    await vi.waitFor(() => expect(seen.map((l) => l.seq)).toEqual([6, 8, 10, 11]), { timeout: 1000, interval: 10 });
  });

  it('stops delivering after stop()', async () => {
    const { storage, audit } = open();
    const seen: StoredLine[] = [];
    const follower = followAudit({ reader: createLineReader(storage.db), audit, after: 0, pollMs: 10, deliver: (lines) => void seen.push(...lines) });
    follower.stop();
    await follower.done;
    audit.append(event(1));
    audit.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([]);
  });
});

describe('createLineReader', () => {
  it('reads the last lines of a type, oldest first, and pages through the rest from any seq', () => {
    const { storage, audit } = open();
    for (let i = 0; i < 30; i += 1) {
      audit.append(event(i));
      if (i % 4 === 3) audit.flush();
    }
    audit.flush();
    const reader = createLineReader(storage.db);
    expect(reader.head()).toBe(30);
    const odd = reader.last(3, { match: (line) => lineFields(line)?.event_type === 'odd_event' });
    expect(odd.map((l) => l.seq)).toEqual([26, 28, 30]);
    expect(reader.last(2, { through: 10 }).map((l) => l.seq)).toEqual([9, 10]);
    const collected: number[] = [];
    let after = 6; // inside a stored group: the rest of that group comes first
    for (;;) {
      const page = reader.page(after, { maxRows: 2, through: 25 });
      collected.push(...page.lines.map((l) => l.seq));
      after = page.scannedThrough;
      if (page.done) break;
    }
    expect(collected).toEqual(Array.from({ length: 19 }, (_, i) => i + 7));
  });
});
