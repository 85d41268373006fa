// `devmesh roles list|create|grant|revoke|delete`: custom roles from the shell; built-in roles are shown but cannot change.
import type { Command } from 'commander';
import type { Principal } from '../core/auth/principal';
import type { RoleChange } from '../core/rbac/role-store';
import type { Services } from '../core/services';
import { action } from './run';
import { printTable, withServices } from './with-services';

function audit(services: Services, operator: Principal, event_type: string, name: string, change: RoleChange): void {
  services.core.audit.append({
    event_type, subject: operator.subject, action: event_type.replace(/^role_/, ''), resource: `role:${name}`, result: 'success',
    metadata: { before: change.before === null ? null : { permissions: change.before.permissions, description: change.before.description, version: change.before.version }, after: change.after === null ? null : { permissions: change.after.permissions, description: change.after.description, version: change.after.version } },
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerRoleCommands(program: Command): void {
  const roles = program.command('roles').description('manage roles: permissions like contexts:read, tools:execute:context_get, audit:*');

  roles
    .command('list')
    .description('list roles with their permissions and holders')
    .option('--json', 'print JSON')
    .action(action(async (options: { json?: boolean }) => {
      await withServices((services) => {
        const rows = services.roles.list().map((r) => {
          const held = services.roles.holders(r.name);
          return { name: r.name, builtin: r.builtin, version: r.version, permissions: options.json === true ? r.permissions : r.permissions.join(' '), users: held.users.length, api_keys: held.api_keys.length, description: r.description };
        });
        printTable(rows, ['name', 'builtin', 'version', 'users', 'api_keys', 'permissions'], options.json === true);
      });
    }));

  roles
    .command('create <name>')
    .description('create a custom role')
    .option('-p, --permission <permission>', 'a permission to grant (repeat it)', collect, [])
    .option('--description <text>', 'what the role is for')
    .action(action(async (name: string, options: { permission: string[]; description?: string }) => {
      await withServices((services, operator) => {
        const change = services.roles.create(operator, { name, description: options.description, permissions: options.permission });
        audit(services, operator, 'role_created', name, change);
        process.stdout.write(`created role ${name}: ${change.after?.permissions.join(' ') || '(no permissions)'}\n`);
      });
    }));

  for (const [verb, adding] of [['grant', true], ['revoke', false]] as const) {
    roles
      .command(`${verb} <name> <permissions...>`)
      .description(adding ? 'add permissions to a custom role' : 'remove permissions from a custom role')
      .action(action(async (name: string, permissions: string[]) => {
        await withServices((services, operator) => {
          const current = services.roles.get(name).permissions;
          const next = adding ? [...current, ...permissions] : current.filter((p) => !permissions.includes(p));
          const change = services.roles.update(operator, name, { permissions: next });
          audit(services, operator, 'role_updated', name, change);
          process.stdout.write(`${name} (version ${change.after?.version ?? '?'}): ${change.after?.permissions.join(' ') || '(no permissions)'}\n`);
        });
      }));
  }

  roles
    .command('delete <name>')
    .description('delete a custom role nobody holds')
    .action(action(async (name: string) => {
      await withServices((services, operator) => {
        const change = services.roles.remove(operator, name);
        audit(services, operator, 'role_deleted', name, change);
        process.stdout.write(`deleted role ${name}\n`);
      });
    }));
}
