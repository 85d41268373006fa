// The bridge's bookkeeping of unanswered requests: what it fails when a stream breaks, and when it may end the session.
import { describe, expect, it } from 'vitest';
import { createPendingRequests } from '../../../../src/main/mcp-bridge/pending-requests';

describe('createPendingRequests', () => {
  it('hands each request out once, with its method', () => {
    const pending = createPendingRequests();
    pending.add(1, 'initialize');
    pending.add('1', 'ping');
    expect(pending.take(1)).toBe('initialize');
    expect(pending.take(1)).toBeUndefined();
    expect(pending.take('1')).toBe('ping');
  });

  it('gives up only the requests waiting on an event stream', () => {
    const pending = createPendingRequests();
    pending.add(1, 'tools/call');
    pending.add(2, 'tools/call');
    pending.markStreaming(2);
    pending.markStreaming(3);
    expect(pending.takeStreaming()).toEqual([2]);
    expect(pending.take(1)).toBe('tools/call');
  });

  it('resolves whenEmpty once the last request is answered', async () => {
    const pending = createPendingRequests();
    pending.add(1, 'ping');
    let empty = false;
    const waiting = pending.whenEmpty().then(() => (empty = true));
    await Promise.resolve();
    expect(empty).toBe(false);
    pending.take(1);
    await waiting;
    expect(empty).toBe(true);
  });
});
