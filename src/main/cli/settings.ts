// `devmesh settings` and `devmesh settings reset <key...>`: see which settings the console changed, and put them back to the environment headless (the way out when a saved port or host stops the mesh from starting).
import type { Command } from 'commander';
import { changeSettingsAudited } from '../core/settings/change-settings';
import { isStartupKey, SETTING_ENV_VARS, SETTING_KEYS } from '../core/settings/settings-service';
import { action } from './run';
import { printTable, withServices } from './with-services';

function shown(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

export function registerSettingsCommands(program: Command): void {
  const settings = program
    .command('settings')
    .description('list settings with their source (environment or console); network.* and tls.* apply at the next start')
    .option('--json', 'print JSON')
    .action(action(async (options: { json?: boolean }) => {
      await withServices((services) => {
        const values = services.settings.get();
        const env = services.settings.environment();
        const overridden = new Set<string>(services.settings.overridden());
        const rows = SETTING_KEYS.map((key) => ({
          key,
          value: options.json === true ? values[key] : shown(values[key]),
          source: overridden.has(key) ? 'console' : 'environment',
          variable: SETTING_ENV_VARS[key] ?? null,
          environment: options.json === true ? env[key] : shown(env[key]),
          applies: isStartupKey(key) ? 'next start' : 'live',
        }));
        printTable(rows, ['key', 'value', 'source', 'variable', 'environment', 'applies'], options.json === true);
      });
    }));

  settings
    .command('reset <keys...>')
    .description('put settings back to the environment value (audited)')
    .action(action(async (keys: string[]) => {
      await withServices((services, operator) => {
        const { after } = changeSettingsAudited(services, operator, { reset: keys });
        for (const [key, value] of Object.entries(after)) process.stdout.write(`${key} = ${shown(value)} (from the environment)\n`);
      });
    }));
}
