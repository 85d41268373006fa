// Small helpers shared by the benchmarks: a monotonic clock, medians and a way to give the event loop a turn.

/** Nanoseconds from a monotonic clock, as a number (exact well beyond any benchmark's length). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** Lets timers, I/O and setImmediate callbacks run, as they would between requests in production. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The given percentiles (each 0 < p <= 100) by the nearest-rank method, so each is a value actually observed. */
export function percentiles(values: readonly number[], ps: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('percentile of nothing');
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] as number);
}
