// The shape every benchmark returns, so run.ts can print one table and write one JSON file.

export interface BenchResult {
  name: string;
  /** Raw numbers, named with their unit (`ns_per_op`, `events_per_s`, `ms`). */
  metrics: Record<string, number>;
  /** Candidate over the baseline measured in the same run (above 1 means the candidate is slower). */
  ratio?: number;
  /** The target from the issue, in words (e.g. "ratio <= 2.0"). */
  target?: string;
  /** Whether the target was met; informational only, never an exit code. */
  pass?: boolean;
  notes?: string[];
}
