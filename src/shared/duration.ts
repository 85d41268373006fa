// Durations as people write them ("30d", "12h", "15m", "90s") or as whole seconds; parsed in one place for config, CLI and API.

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** Seconds in "30d" / "12h" / "15m" / "90s" / "3600" / 3600; undefined when it is not one of those. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = /^(\d{1,9})([smhd])?$/.exec(value.trim());
  if (match === null) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's') as keyof typeof UNIT_SECONDS];
  return seconds > 0 ? seconds : undefined;
}

/** 900 -> "15m", 604800 -> "7d": the largest unit that divides evenly. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}
