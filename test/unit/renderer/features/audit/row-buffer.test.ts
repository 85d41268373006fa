// The audit table's row buffer: newest first across history pages and live batches, no repeats where the two overlap, and a cap that drops the oldest.
import { describe, expect, it } from 'vitest';
import { createRowBuffer } from '../../../../../src/renderer/src/features/audit/row-buffer';
import type { AuditRow } from '../../../../../src/shared/ipc/contracts/audit';

const row = (seq: number): AuditRow => ({ seq, timestamp: new Date(seq * 1000).toISOString(), event_type: 't', subject: 's', action: 'a', resource: 'r', result: 'success', error: null });
const seqs = (buffer: ReturnType<typeof createRowBuffer>): number[] => Array.from({ length: buffer.length }, (_, i) => buffer.at(i)?.seq ?? -1);

describe('audit row buffer', () => {
  it('reads newest first across live batches on top of history pages', () => {
    const buffer = createRowBuffer();
    expect(buffer.addOlder([row(10), row(9), row(8)])).toBe(3);
    expect(buffer.addLive([row(11), row(12)])).toBe(2);
    expect(buffer.addOlder([row(7), row(6)])).toBe(2);
    expect(seqs(buffer)).toEqual([12, 11, 10, 9, 8, 7, 6]);
    expect(buffer.oldestSeq()).toBe(6);
    expect(buffer.at(-1)).toBeUndefined();
    expect(buffer.at(7)).toBeUndefined();
  });

  it('drops live events the search already returned, and older pages that overlap what is held', () => {
    const buffer = createRowBuffer();
    buffer.addOlder([row(20), row(19)]);
    // The stream starts at the head read before the search: 19 and 20 come again.
    expect(buffer.addLive([row(19), row(20), row(21)])).toBe(1);
    expect(buffer.addOlder([row(19), row(18)])).toBe(1);
    expect(seqs(buffer)).toEqual([21, 20, 19, 18]);
  });

  it('starts from the live stream alone when the trail was empty', () => {
    const buffer = createRowBuffer();
    buffer.addOlder([]);
    expect(buffer.oldestSeq()).toBeUndefined();
    buffer.addLive([row(1), row(2)]);
    expect(seqs(buffer)).toEqual([2, 1]);
    expect(buffer.oldestSeq()).toBe(1);
  });

  it('keeps at most the cap, dropping the oldest (history first, then the start of the stream)', () => {
    const buffer = createRowBuffer();
    buffer.addOlder([row(5), row(4), row(3)]);
    buffer.addLive([row(6), row(7), row(8)]);
    expect(buffer.trim(10)).toBe(0);
    expect(buffer.trim(4)).toBe(2);
    expect(seqs(buffer)).toEqual([8, 7, 6, 5]);
    expect(buffer.trim(2)).toBe(2);
    expect(seqs(buffer)).toEqual([8, 7]);
    expect(buffer.oldestSeq()).toBe(7);
  });
});
