// `devmesh keys create|list|revoke`: API keys from the shell; `create` prints only the raw key, so `$(devmesh keys create ...)` works.
import type { Command } from 'commander';
import { AppError } from '../../shared/errors';
import { apiKeyDto, apiKeyStatus, keyLifetimeSeconds } from '../core/auth/api-key-service';
import { createAuditedKey } from '../core/auth/create-key';
import { action } from './run';
import { printTable, withServices } from './with-services';

/** A key name from a flag: 1 to 100 characters, not blank. */
export function keyNameOption(name: string, flag: string): string {
  if (name.trim() === '' || name.length > 100) throw new AppError('VALIDATION_FAILED', `${flag} must be 1 to 100 characters`);
  return name;
}

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('manage API keys for agents, scripts and tools');

  keys
    .command('create')
    .description('create an API key and print it (shown once: store it now)')
    .requiredOption('--name <name>', 'what the key is for, e.g. "claude-code on laptop"')
    .requiredOption('--role <role>', 'admin, user, viewer (or a custom role)')
    .option('--expires-in <duration>', 'lifetime such as 30d, 12h (default: no expiry)')
    .option('--tenant <name>', 'tenant of the key (default: the default tenant)')
    .action(action(async (options: { name: string; role: string; expiresIn?: string; tenant?: string }) => {
      const expiresIn = options.expiresIn === undefined ? undefined : keyLifetimeSeconds(options.expiresIn, '--expires-in');
      const name = keyNameOption(options.name, '--name');
      await withServices((services, operator) => {
        const tenantId = options.tenant === undefined ? operator.tenantId : services.tenants.require(options.tenant).id;
        const { record, key } = createAuditedKey(services, operator, { name, role: options.role, tenantId, expiresInSeconds: expiresIn });
        process.stdout.write(`${key}\n`);
        if (process.stdout.isTTY) process.stderr.write(`API key ${record.id} (${record.role}) created. This is the only time it is shown: store it now.\n`);
      });
    }));

  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .option('--json', 'print JSON')
    .action(action(async (options: { json?: boolean }) => {
      await withServices((services) => {
        const rows = services.apiKeys.list({}).map((k) => ({ ...apiKeyDto(k), status: apiKeyStatus(k) }));
        printTable(rows, ['id', 'name', 'role', 'tenant', 'status', 'owner', 'expires_at', 'last_used_at'], options.json === true);
      });
    }));

  keys
    .command('revoke <id>')
    .description('revoke an API key: refused from its very next request')
    .action(action(async (id: string) => {
      await withServices((services, operator) => {
        const key = services.apiKeys.get(id);
        if (key === undefined) throw new AppError('NOT_FOUND', `no API key ${id}; see \`devmesh keys list\``);
        services.apiKeys.revoke(id);
        services.core.audit.append({ event_type: 'api_key_revoked', subject: operator.subject, action: 'revoke', resource: `api_key:${id}`, result: 'success', tenant_id: key.tenant_id, metadata: { name: key.name, role: key.role } });
        process.stdout.write(`revoked ${id} (${key.name})\n`);
      });
    }));
}
