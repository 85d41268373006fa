// `devmesh tenants create|list`: isolated spaces inside one mesh; users and keys belong to one (--tenant on their create commands).
import type { Command } from 'commander';
import { action } from './run';
import { printTable, withServices } from './with-services';

export function registerTenantCommands(program: Command): void {
  const tenants = program.command('tenants').description('manage tenants (isolated spaces for users, keys and contexts)');

  tenants
    .command('create <name>')
    .description('create a tenant (lower-case letters, digits and -)')
    .action(action(async (name: string) => {
      await withServices((services, operator) => {
        const tenant = services.tenants.create(name);
        services.core.audit.append({ event_type: 'tenant_created', subject: operator.subject, action: 'create', resource: `tenant:${tenant.id}`, result: 'success' });
        process.stdout.write(`created tenant ${tenant.name}\n`);
      });
    }));

  tenants
    .command('list')
    .description('list tenants')
    .option('--json', 'print JSON')
    .action(action(async (options: { json?: boolean }) => {
      await withServices((services) => printTable(services.tenants.list().map((t) => ({ ...t })), ['name', 'created_at'], options.json === true));
    }));
}
