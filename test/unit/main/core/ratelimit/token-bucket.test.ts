// The in-memory token bucket store: burst then refill at the rate, the remaining/reset/retry-after numbers behind the 429 headers, and its LRU bound.
import { describe, expect, it } from 'vitest';
import { createMemoryBucketStore, type BucketRule } from '../../../../../src/main/core/ratelimit/token-bucket';

const FIVE_PER_SECOND_BURST_5: BucketRule = { ratePerSecond: 5, burst: 5 };
const ONE_PER_SECOND_BURST_5: BucketRule = { ratePerSecond: 1, burst: 5 };
/** Refills so slowly that nothing comes back within a test: a drained bucket stays drained. */
const NO_REFILL_BURST_1: BucketRule = { ratePerSecond: 0.000_001, burst: 1 };

const T0 = 1_700_000_000_000;

describe('a token bucket', () => {
  it('lets a burst through at once, then refuses', () => {
    const store = createMemoryBucketStore();
    const results = Array.from({ length: 6 }, () => store.take('ip:a', ONE_PER_SECOND_BURST_5, T0));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
  });

  it('refills at the rate: one more request per 1/rate seconds, never more than the burst', () => {
    const store = createMemoryBucketStore();
    for (let i = 0; i < 5; i += 1) store.take('k', FIVE_PER_SECOND_BURST_5, T0);
    expect(store.take('k', FIVE_PER_SECOND_BURST_5, T0).allowed).toBe(false);
    // 5 per second: one token every 200 ms.
    expect(store.take('k', FIVE_PER_SECOND_BURST_5, T0 + 199).allowed).toBe(false);
    expect(store.take('k', FIVE_PER_SECOND_BURST_5, T0 + 200).allowed).toBe(true);
    expect(store.take('k', FIVE_PER_SECOND_BURST_5, T0 + 200).allowed).toBe(false);
    // 600 ms later: three tokens.
    const later = [0, 0, 0, 0].map(() => store.take('k', FIVE_PER_SECOND_BURST_5, T0 + 800).allowed);
    expect(later).toEqual([true, true, true, false]);
    // An hour of idleness fills the bucket to its burst, not to 18,000.
    const afterIdle = Array.from({ length: 6 }, () => store.take('k', FIVE_PER_SECOND_BURST_5, T0 + 3_600_000).allowed);
    expect(afterIdle).toEqual([true, true, true, true, true, false]);
  });

  it('sustains exactly the rate over time once the burst is spent', () => {
    const store = createMemoryBucketStore();
    const rule: BucketRule = { ratePerSecond: 10, burst: 10 };
    let allowed = 0;
    // 100 requests per second for 10 seconds, at 10 ms steps.
    for (let ms = 0; ms < 10_000; ms += 10) if (store.take('k', rule, T0 + ms).allowed) allowed += 1;
    // The burst (10) plus 10 per second for the 9.99 s after the first request.
    expect(allowed).toBeGreaterThanOrEqual(108);
    expect(allowed).toBeLessThanOrEqual(110);
  });

  it('says when to retry and when the bucket is full again', () => {
    const store = createMemoryBucketStore();
    const first = store.take('k', ONE_PER_SECOND_BURST_5, T0);
    expect(first).toEqual({ allowed: true, remaining: 4, resetMs: 1000, retryAfterMs: 0 });
    for (let i = 0; i < 4; i += 1) store.take('k', ONE_PER_SECOND_BURST_5, T0);
    const refused = store.take('k', ONE_PER_SECOND_BURST_5, T0);
    // Empty at 1 token/s with a burst of 5: one token in 1 s, full in 5 s.
    expect(refused).toEqual({ allowed: false, remaining: 0, resetMs: 5000, retryAfterMs: 1000 });
    const partly = store.take('k', ONE_PER_SECOND_BURST_5, T0 + 400);
    expect(partly).toEqual({ allowed: false, remaining: 0, resetMs: 4600, retryAfterMs: 600 });
  });

  it('keeps a bucket per key', () => {
    const store = createMemoryBucketStore();
    store.take('ip:a', NO_REFILL_BURST_1, T0);
    expect(store.take('ip:a', NO_REFILL_BURST_1, T0).allowed).toBe(false);
    expect(store.take('ip:b', NO_REFILL_BURST_1, T0).allowed).toBe(true);
    expect(store.take('subject:ip:a', NO_REFILL_BURST_1, T0).allowed).toBe(true);
  });

  it('forgets a key on reset', () => {
    const store = createMemoryBucketStore();
    store.take('k', NO_REFILL_BURST_1, T0);
    expect(store.take('k', NO_REFILL_BURST_1, T0).allowed).toBe(false);
    store.reset('k');
    expect(store.take('k', NO_REFILL_BURST_1, T0).allowed).toBe(true);
  });

  it('applies a lower burst at once to a bucket that was filled under a higher one', () => {
    const store = createMemoryBucketStore();
    store.take('k', { ratePerSecond: 1, burst: 100 }, T0);
    const results = Array.from({ length: 3 }, () => store.take('k', { ratePerSecond: 1, burst: 2 }, T0).allowed);
    expect(results).toEqual([true, true, false]);
  });

  it('gives a drained bucket the extra room at once when the burst is raised (an operator lifting a limit)', () => {
    const store = createMemoryBucketStore();
    const tight: BucketRule = { ratePerSecond: 1, burst: 5 };
    for (let i = 0; i < 5; i += 1) store.take('k', tight, T0);
    expect(store.take('k', tight, T0).allowed).toBe(false);
    // PATCH /api/v1/settings {"rate_limit.ip_burst": 1000}: the client that was being refused may now burst.
    const lifted: BucketRule = { ratePerSecond: 1, burst: 1000 };
    const after = Array.from({ length: 20 }, () => store.take('k', lifted, T0 + 10).allowed);
    expect(after.every(Boolean)).toBe(true);
  });

  it('does not take tokens away when the clock steps backwards', () => {
    // The limiter reads the wall clock (Date.now()); an NTP step back must not lock clients out for the step's length.
    const store = createMemoryBucketStore();
    expect(store.take('k', ONE_PER_SECOND_BURST_5, T0).remaining).toBe(4);
    const afterStepBack = store.take('k', ONE_PER_SECOND_BURST_5, T0 - 60_000);
    expect(afterStepBack.allowed).toBe(true);
    expect(afterStepBack.remaining).toBe(3);
  });
});

describe('the memory store bound', () => {
  it('never holds more than maxBuckets: the least recently used bucket is forgotten first', () => {
    const store = createMemoryBucketStore(3);
    for (let i = 0; i < 10; i += 1) expect(store.take(`k${i}`, NO_REFILL_BURST_1, T0).allowed).toBe(true);
    // Only the three most recent are remembered (still empty); checking them keeps them.
    for (const key of ['k7', 'k8', 'k9']) expect(store.take(key, NO_REFILL_BURST_1, T0).allowed, key).toBe(false);
    // Every older one was dropped: it starts over with a full bucket.
    expect(store.take('k0', NO_REFILL_BURST_1, T0).allowed).toBe(true);
  });

  it('evicts by recency of use, not by age of creation', () => {
    const store = createMemoryBucketStore(2);
    store.take('old-but-busy', NO_REFILL_BURST_1, T0);
    store.take('idle', NO_REFILL_BURST_1, T0);
    // Touched again: now the most recently used.
    expect(store.take('old-but-busy', NO_REFILL_BURST_1, T0 + 1).allowed).toBe(false);
    store.take('newcomer', NO_REFILL_BURST_1, T0 + 2);
    expect(store.take('old-but-busy', NO_REFILL_BURST_1, T0 + 3).allowed).toBe(false);
    expect(store.take('idle', NO_REFILL_BURST_1, T0 + 4).allowed).toBe(true);
  });

  it('stays bounded under a flood of distinct (spoofed) keys while a real client keeps its state', () => {
    const store = createMemoryBucketStore(1000);
    const rule: BucketRule = { ratePerSecond: 0.000_001, burst: 2 };
    store.take('ip:real', rule, T0);
    store.take('ip:real', rule, T0);
    for (let i = 0; i < 100_000; i += 1) {
      store.take(`ip:spoofed-${i}`, rule, T0);
      // The real client keeps knocking every few hundred spoofed keys, so it stays among the recently used.
      if (i % 500 === 0) expect(store.take('ip:real', rule, T0).allowed).toBe(false);
    }
    // The first spoofed keys are long gone (a full bucket again), the last ones are remembered.
    expect(store.take('ip:spoofed-99999', rule, T0).remaining).toBe(0);
    expect(store.take('ip:spoofed-0', rule, T0).remaining).toBe(1);
  });
});
