// `devmesh users create|list|set-role|reset-password|disable|enable`: works while serve runs, and takes effect on the next request.
import type { Command } from 'commander';
import { AppError } from '../../shared/errors';
import type { Principal } from '../core/auth/principal';
import type { Services } from '../core/services';
import { action } from './run';
import { readNewPassword } from './stdin';
import { printTable, withServices } from './with-services';

function requirePasswordFlag(passwordStdin: boolean | undefined): void {
  if (passwordStdin !== true) throw new AppError('VALIDATION_FAILED', 'the password is never taken from the command line: add --password-stdin and pipe it in (or type it at the prompt)');
}

function audit(services: Services, operator: Principal, event_type: string, user: { username: string; tenant_id: string }, metadata: Record<string, unknown>): void {
  services.core.audit.append({ event_type, subject: operator.subject, action: event_type.replace(/^user_/, ''), resource: `user:${user.username}`, result: 'success', tenant_id: user.tenant_id, metadata });
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('manage users who log in to the REST API and console');

  users
    .command('create <username>')
    .description('create a user (password from stdin or a prompt)')
    .requiredOption('--role <role>', 'admin, user, viewer (or a custom role)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--tenant <name>', 'tenant of the user (default: the default tenant)')
    .action(action(async (username: string, options: { role: string; passwordStdin?: boolean; tenant?: string }) => {
      requirePasswordFlag(options.passwordStdin);
      const password = await readNewPassword();
      await withServices(async (services, operator) => {
        const tenantId = options.tenant === undefined ? undefined : services.tenants.require(options.tenant).id;
        const user = await services.users.create({ username, password, role: options.role, tenantId });
        audit(services, operator, 'user_created', user, { role: user.role, tenant: user.tenant_id });
        process.stdout.write(`created user ${user.username} (role ${user.role}, tenant ${user.tenant_id})\n`);
      });
    }));

  users
    .command('list')
    .description('list users')
    .option('--json', 'print JSON')
    .action(action(async (options: { json?: boolean }) => {
      await withServices((services) => {
        const rows = services.users.list().map((u) => ({ username: u.username, role: u.role, tenant: u.tenant_id, disabled: u.disabled, locked_until: u.locked_until, created_at: u.created_at }));
        printTable(rows, ['username', 'role', 'tenant', 'disabled', 'locked_until', 'created_at'], options.json === true);
      });
    }));

  users
    .command('set-role <username> <role>')
    .description("change a user's role (the last active admin cannot be demoted)")
    .action(action(async (username: string, role: string) => {
      await withServices((services, operator) => {
        const before = services.users.require(username);
        const after = services.users.setRole(before.id, role);
        audit(services, operator, 'user_role_changed', after, { before: { role: before.role }, after: { role: after.role } });
        process.stdout.write(`${username}: role ${before.role} -> ${after.role}\n`);
      });
    }));

  users
    .command('reset-password <username>')
    .description("set a new password (also lifts a lockout); the user's sessions end")
    .option('--password-stdin', 'read the password from standard input')
    .action(action(async (username: string, options: { passwordStdin?: boolean }) => {
      requirePasswordFlag(options.passwordStdin);
      const password = await readNewPassword();
      await withServices(async (services, operator) => {
        const user = services.users.require(username);
        await services.users.resetPassword(user.id, password);
        const ended = services.refreshTokens.revokeAllForUser(user.id);
        audit(services, operator, 'user_password_reset', user, { sessions_ended: ended });
        process.stdout.write(`${username}: password reset; ${ended} session${ended === 1 ? '' : 's'} ended\n`);
      });
    }));

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    users
      .command(`${name} <username>`)
      .description(disabled ? 'disable a user: logins, tokens and owned API keys stop working at once' : 'enable a disabled user')
      .action(action(async (username: string) => {
        await withServices((services, operator) => {
          const user = services.users.require(username);
          services.users.setDisabled(user.id, disabled);
          const ended = disabled ? services.refreshTokens.revokeAllForUser(user.id) : 0;
          audit(services, operator, disabled ? 'user_disabled' : 'user_enabled', user, disabled ? { sessions_ended: ended } : {});
          process.stdout.write(`${username}: ${disabled ? 'disabled' : 'enabled'}\n`);
        });
      }));
  }
}
