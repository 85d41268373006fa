// Audit export and offline verification: verbatim lines, the signed trailer, CSV cells that cannot run as formulas, ranges, tenants, and which forgeries only the signature catches.
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../../../../../src/main/core/audit/audit-service';
import { chainLine, parseLine } from '../../../../../src/main/core/audit/chain';
import { csvCell, exportAudit, type ExportOptions, type ExportSummary } from '../../../../../src/main/core/audit/export';
import type { AuditInput } from '../../../../../src/main/core/audit/types';
import { verifyExportText } from '../../../../../src/main/core/audit/verify-export';
import { openStorage, type Storage } from '../../../../../src/main/core/storage/database';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { tempDir } from '../../../../helpers/temp-dir';

const KEY = Buffer.alloc(32, 9);
const keyFor = () => KEY;
const opened: Storage[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

function setup(now?: () => Date): { storage: Storage; audit: AuditService } {
  const storage = openStorage({ file: join(tempDir(), 'devmesh.db') });
  opened.push(storage);
  return { storage, audit: createAuditService({ db: storage.db, ...(now === undefined ? {} : { now }) }) };
}

function event(n: number, extra: Partial<AuditInput> = {}): AuditInput {
  return { event_type: 'probe_event', subject: `user:u${n}`, action: 'poke', resource: `thing:${n}`, result: 'success', metadata: { n }, ...extra };
}

function exportText(options: Omit<ExportOptions, 'format'> & { format?: ExportOptions['format'] }): string {
  return [...exportAudit({ format: 'jsonl', ...options })].join('');
}

function storedLines(storage: Storage): string[] {
  return (storage.db.prepare('SELECT lines FROM audit_batches ORDER BY first_seq').pluck().all() as string[]).flatMap((r) => r.split('\n').filter(Boolean));
}

describe('csvCell', () => {
  it('prefixes what a spreadsheet would run as a formula, and quotes what CSV needs quoted', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+cmd')).toBe("'+cmd");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=x')).toBe("'\t=x");
    expect(csvCell('=A1,"b"')).toBe(`"'=A1,""b"""`);
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(null)).toBe('');
  });
});

describe('exportAudit', () => {
  it('writes the stored lines verbatim and a signed trailer naming base, head, count and digest', () => {
    const { storage, audit } = setup();
    for (let i = 0; i < 5; i += 1) audit.append(event(i));
    audit.flush();
    const text = exportText({ db: storage.db, audit, signingKey: KEY, installationId: 'inst-1' });
    const lines = text.trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual(storedLines(storage));
    const trailer = JSON.parse(lines[5] as string) as Record<string, unknown>;
    expect(trailer).toMatchObject({ audit_export: true, version: 1, format: 'jsonl', installation_id: 'inst-1', tenant_id: null, count: 5, first_seq: 1, last_seq: 5, complete: true, base: { seq: 0, hash: '0'.repeat(64) } });
    expect(trailer.head).toEqual({ seq: 5, hash: parseLine(lines[4] as string)?.hash });
    expect(trailer.lines_sha256).toBe(createHash('sha256').update(lines.slice(0, -1).map((l) => `${l}\n`).join('')).digest('hex'));
    expect(verifyExportText(text, keyFor)).toMatchObject({ ok: true, checked: 5, signature: 'valid', from_base: true, to_head: true });
    expect(verifyExportText(exportText({ db: storage.db, audit }))).toMatchObject({ ok: true, signature: 'absent' });
  });

  it('reports how it ended, including a reader that stopped early', () => {
    const { storage, audit } = setup();
    for (let i = 0; i < 3; i += 1) audit.append(event(i));
    const ends: [ExportSummary, unknown][] = [];
    exportText({ db: storage.db, audit, onEnd: (s, e) => ends.push([s, e]) });
    const chunks = exportAudit({ db: storage.db, audit, format: 'csv', onEnd: (s, e) => ends.push([s, e]) });
    chunks.next();
    chunks.return(undefined);
    expect(ends[0]).toEqual([{ format: 'jsonl', count: 3, first_seq: 1, last_seq: 3, complete: true, signed: false }, undefined]);
    expect(ends[1]?.[1]).toBeInstanceOf(Error);
  });

  it('takes a contiguous range with since and until', () => {
    let clock = Date.parse('2025-01-01T00:00:00.000Z');
    const { storage, audit } = setup(() => new Date(clock));
    for (let day = 0; day < 5; day += 1) {
      for (let i = 0; i < 2; i += 1) audit.append(event(day * 10 + i));
      audit.flush();
      clock += 86_400_000;
    }
    const text = exportText({ db: storage.db, audit, since: '2025-01-02T00:00:00.000Z', until: '2025-01-03T23:59:59.999Z' });
    const events = text.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as { seq: number; timestamp: string });
    expect(events.map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    expect(verifyExportText(text)).toMatchObject({ ok: true, from_base: false, to_head: false });
  });

  it("exports one tenant's events: gaps where others' were, which offline verification tolerates and reports", () => {
    const { storage, audit } = setup();
    for (let i = 0; i < 6; i += 1) audit.append(event(i, { tenant_id: i % 2 === 0 ? 'default' : 'acme' }));
    audit.flush();
    const text = exportText({ db: storage.db, audit, tenantId: 'default', signingKey: KEY });
    const lines = text.trimEnd().split('\n');
    expect(lines.slice(0, -1).map((l) => parseLine(l)?.seq)).toEqual([1, 3, 5]);
    expect(text).not.toContain('"tenant_id":"acme"');
    expect(JSON.parse(lines[3] as string)).toMatchObject({ complete: false, tenant_id: 'default' });
    expect(verifyExportText(text, keyFor)).toMatchObject({ ok: true, gaps: 2, signature: 'valid' });
    // Claiming completeness does not survive: the holes show.
    expect(verifyExportText(text.replace('"complete":false', '"complete":true'), keyFor)).toMatchObject({ ok: false, first_bad_seq: 2 });
  });
});

describe('offline verification of an export', () => {
  function exported(): { text: string; lines: string[] } {
    const { storage, audit } = setup();
    for (let i = 0; i < 8; i += 1) audit.append(event(i));
    audit.flush();
    const text = exportText({ db: storage.db, audit, signingKey: KEY });
    return { text, lines: text.trimEnd().split('\n') };
  }

  it('names the first bad event for an edited, removed, reordered or inserted line, and a lost trailer', () => {
    const { lines } = exported();
    const join = (ls: string[]) => `${ls.join('\n')}\n`;
    const edited = [...lines];
    edited[3] = (edited[3] as string).replace('"thing:3"', '"thing:X"');
    expect(verifyExportText(join(edited), keyFor)).toMatchObject({ ok: false, first_bad_seq: 4 });
    expect(verifyExportText(join(lines.filter((_, i) => i !== 5)), keyFor)).toMatchObject({ ok: false, first_bad_seq: 6 });
    const swapped = [...lines];
    [swapped[2], swapped[3]] = [swapped[3] as string, swapped[2] as string];
    expect(verifyExportText(join(swapped), keyFor)).toMatchObject({ ok: false, first_bad_seq: 3 });
    const inserted = [...lines];
    inserted.splice(2, 0, 'not an event');
    expect(verifyExportText(join(inserted), keyFor)).toMatchObject({ ok: false, first_bad_seq: 3 });
    expect(verifyExportText(join(lines.slice(0, -1)), keyFor)).toMatchObject({ ok: false, reason: expect.stringMatching(/no valid trailer/) });
    expect(verifyExportText(join(lines.slice(0, -3).concat(lines.slice(-1))), keyFor)).toMatchObject({ ok: false, reason: expect.stringMatching(/events were removed, added or cut off/) });
  });

  it('catches a line dropped from a complete export that is then relabelled incomplete, by the signature', () => {
    const { lines } = exported();
    const events = lines.slice(0, -1).filter((_, i) => i !== 3);
    const trailer = JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
    const relabelled = { ...trailer, complete: false, count: events.length, lines_sha256: createHash('sha256').update(events.map((l) => `${l}\n`).join('')).digest('hex') };
    const forged = `${[...events, JSON.stringify(relabelled)].join('\n')}\n`;
    expect(verifyExportText(forged, () => 'no key here')).toMatchObject({ ok: true, gaps: 1 });
    expect(verifyExportText(forged, keyFor)).toMatchObject({ ok: false, signature: 'invalid' });
  });

  it('catches a rewritten tail with recomputed hashes and trailer only by its signature', () => {
    const { lines } = exported();
    // Rewrite events 6..8 and everything that depends on them, as someone who knows the format (but not the key) would.
    const events = lines.slice(0, -1);
    let prev = parseLine(events[4] as string)?.hash as string;
    for (let i = 5; i < events.length; i += 1) {
      const line = events[i] as string;
      const body = line.slice(line.indexOf(',"tenant_id"'), line.indexOf(',"prev_hash"')).replace('"poke"', '"peek"');
      const chained = chainLine(i + 1, body, prev);
      events[i] = chained.line;
      prev = chained.hash;
    }
    const trailer = JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
    const forgedTrailer = { ...trailer, last_hash: prev, head: { seq: 8, hash: prev }, lines_sha256: createHash('sha256').update(events.map((l) => `${l}\n`).join('')).digest('hex') };
    const forged = `${[...events, JSON.stringify(forgedTrailer)].join('\n')}\n`;
    expect(verifyExportText(forged, () => 'no key here')).toMatchObject({ ok: true, signature: 'unchecked', signature_note: 'no key here' });
    expect(verifyExportText(forged, keyFor)).toMatchObject({ ok: false, signature: 'invalid' });
  });
});
