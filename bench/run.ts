// Runs the benchmarks (all, or those named: `npx tsx bench/run.ts crypto audit cold-start rest mcp tls console`), prints a summary and writes bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchAudit } from './audit.bench';
import { benchAuditVerify } from './audit-verify.bench';
import { benchColdStart } from './cold-start.bench';
import { benchConsole } from './console.bench';
import { benchCrypto } from './crypto.bench';
import { benchMcp } from './mcp.bench';
import type { BenchResult } from './result';
import { benchRest } from './rest.bench';
import { round } from './stats';
import { benchTls } from './tls.bench';

const BENCHES = {
  crypto: benchCrypto,
  audit: benchAudit,
  'audit-verify': benchAuditVerify,
  'cold-start': benchColdStart,
  rest: benchRest,
  mcp: benchMcp,
  tls: benchTls,
  console: benchConsole,
} as const satisfies Record<string, () => Promise<BenchResult>>;

type BenchName = keyof typeof BENCHES;

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

function isBenchName(name: string): name is BenchName {
  return Object.hasOwn(BENCHES, name);
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function verdict(result: BenchResult): string {
  if (result.pass === undefined) return '-';
  return result.pass ? 'met' : 'NOT MET';
}

export function formatSummary(results: readonly BenchResult[]): string {
  const out: string[] = [];
  const header = ['benchmark', 'ratio', 'target', 'target met'];
  const rows = results.map((r) => [r.name, r.ratio === undefined ? '-' : formatNumber(r.ratio), r.target ?? '-', verdict(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  out.push(line(header), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) out.push(line(row));
  for (const r of results) {
    out.push('', `${r.name}`);
    const nameWidth = Math.max(...Object.keys(r.metrics).map((k) => k.length));
    for (const [key, value] of Object.entries(r.metrics)) out.push(`  ${key.padEnd(nameWidth)}  ${formatNumber(value).padStart(12)}`);
    for (const note of r.notes ?? []) out.push(`  - ${note}`);
  }
  return out.join('\n');
}

export async function runBenches(names: readonly BenchName[]): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const name of names) {
    process.stderr.write(`running ${name}...\n`);
    const start = performance.now();
    const result = await BENCHES[name]();
    process.stderr.write(`  ${name} took ${round((performance.now() - start) / 1000, 1)} s\n`);
    results.push(result);
  }
  return results;
}

async function main(argv: readonly string[]): Promise<void> {
  const unknown = argv.filter((a) => !isBenchName(a));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const names = argv.length === 0 ? (Object.keys(BENCHES) as BenchName[]) : argv.filter(isBenchName);
  const startedAt = new Date().toISOString();
  const results = await runBenches(names);
  process.stdout.write(`${formatSummary(results)}\n`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const report = {
    started_at: startedAt,
    finished_at: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    results,
  };
  const file = `${RESULTS_DIR}latest.json`;
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
}

// Targets are reported, never enforced: only a broken benchmark (an exception) makes the exit code non-zero.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
