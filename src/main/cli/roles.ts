// `devmesh roles list|create|grant|revoke|delete`: custom roles from the shell; built-in roles are shown but cannot change.
import type { Command } from 'commander';
import { changeRoleAudited } from '../core/rbac/role-admin';
import { action } from './run';
import { printTable, withServices } from './with-services';

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
        const change = changeRoleAudited(services, operator, 'create', name, () => services.roles.create(operator, { name, description: options.description, permissions: options.permission }));
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
          const change = changeRoleAudited(services, operator, 'update', name, () => services.roles.update(operator, name, { permissions: next }));
          process.stdout.write(`${name} (version ${change.after?.version ?? '?'}): ${change.after?.permissions.join(' ') || '(no permissions)'}\n`);
        });
      }));
  }

  roles
    .command('delete <name>')
    .description('delete a custom role nobody holds')
    .action(action(async (name: string) => {
      await withServices((services, operator) => {
        changeRoleAudited(services, operator, 'delete', name, () => services.roles.remove(operator, name));
        process.stdout.write(`deleted role ${name}\n`);
      });
    }));
}
