// Runs an admin command against the same data as a running mesh (SQLite allows it): config, core, services, then a clean close.
import { loadConfig } from '../config';
import { createOsKeychain } from '../core/keychain/keychain';
import { openCore } from '../core/open-core';
import { createServices, type Services } from '../core/services';
import type { Principal } from '../core/auth/principal';
import { localOperator } from '../core/auth/local-operator';

export async function withServices<T>(work: (services: Services, operator: Principal) => Promise<T> | T): Promise<T> {
  const config = loadConfig();
  // Inline audit (no writer thread) and no stdout lines: stdout is the command's own output.
  const core = openCore(config, { keychain: createOsKeychain() });
  const services = createServices(core);
  // The shell user who can open the data (and its key) is its operator, with every right, like the desktop console's.
  const operator: Principal = localOperator('cli');
  try {
    return await work(services, operator);
  } finally {
    services.close();
    await core.close();
  }
}

/** Prints rows as aligned columns, or as JSON with --json. */
export function printTable(rows: Record<string, unknown>[], columns: string[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n${rows.map((r) => line(columns.map((c) => cell(r[c])))).join('\n')}\n`);
}
