// Token buckets with burst behind a store interface: in memory now; a shared store (Redis, e.g. rate-limiter-flexible) slots in for several machines.

export interface BucketRule {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: how many requests may come at once. */
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Tokens left after this request. */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** Milliseconds until one token is available (0 when allowed). */
  retryAfterMs: number;
}

/** Where bucket state lives. Synchronous here; a networked store would make `take` async at the call sites in one place. */
export interface BucketStore {
  take(key: string, rule: BucketRule, nowMs: number): TakeResult;
  reset(key: string): void;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** The burst the tokens were last counted under: raising it at runtime gives the difference at once. */
  burst: number;
}

/** Memory store with a bounded number of buckets (least recently used go first), so spoofed keys cannot grow it. */
export function createMemoryBucketStore(maxBuckets = 100_000): BucketStore {
  const buckets = new Map<string, Bucket>();
  return {
    take(key, { ratePerSecond, burst }, nowMs) {
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { tokens: burst, updatedMs: nowMs, burst };
        if (buckets.size >= maxBuckets) buckets.delete(buckets.keys().next().value as string);
      } else {
        buckets.delete(key); // re-inserted below: Map order becomes recency order
        if (burst > bucket.burst) bucket.tokens += burst - bucket.burst;
        bucket.burst = burst;
        // A clock that steps back (NTP) must not take tokens away.
        const elapsed = Math.max(0, nowMs - bucket.updatedMs);
        bucket.tokens = Math.min(burst, bucket.tokens + (elapsed / 1000) * ratePerSecond);
        bucket.updatedMs = Math.max(nowMs, bucket.updatedMs);
      }
      buckets.set(key, bucket);
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      const missing = burst - bucket.tokens;
      return {
        allowed,
        remaining: Math.floor(bucket.tokens),
        resetMs: Math.ceil((missing / ratePerSecond) * 1000),
        retryAfterMs: allowed ? 0 : Math.ceil(((1 - bucket.tokens) / ratePerSecond) * 1000),
      };
    },
    reset: (key) => {
      buckets.delete(key);
    },
  };
}
