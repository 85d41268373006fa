// `devmesh lockdown`, `devmesh block-ip <cidr>`, `devmesh unblock-ip <cidr>`: the seed's containment steps as one command each.
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { AppError } from '../../shared/errors';
import { lockdown } from '../core/incident/lockdown';
import { normalizeCidr } from '../core/ratelimit/blocklist';
import { action } from './run';
import { printTable, withServices } from './with-services';

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new AppError('VALIDATION_FAILED', 'lockdown needs confirmation: run it at a terminal, or add --yes');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function registerIncidentCommands(program: Command): void {
  program
    .command('lockdown')
    .description('revoke every API key and refresh token and rotate the JWT key without grace (asks first)')
    .option('--yes', 'do not ask for confirmation')
    .option('--admins-only', 'also refuse logins of everyone but admins (undo: PATCH /api/v1/settings {"login.admins_only": false})')
    .action(action(async (options: { yes?: boolean; adminsOnly?: boolean }) => {
      if (options.yes !== true && !(await confirm('Revoke every API key and session and sign everyone out now? [y/N] '))) {
        process.stderr.write('nothing was changed\n');
        return;
      }
      await withServices((services, operator) => {
        const result = lockdown(services, operator, { adminsOnly: options.adminsOnly === true });
        process.stdout.write(
          `lockdown: ${plural(result.api_keys_revoked, 'API key')} and ${plural(result.refresh_tokens_revoked, 'session')} revoked; ${result.jwt_kid === null ? 'JWT_SECRET is set, so rotate it yourself and restart' : 'every access token is now invalid'}${result.admins_only ? '; only admins can log in' : ''}\n`,
        );
      });
    }));

  program
    .command('block-ip <cidr>')
    .description('refuse every request from an address or CIDR range, before anything else (persisted)')
    .option('--reason <text>', 'why, for the record')
    .action(action(async (cidr: string, options: { reason?: string }) => {
      await withServices((services, operator) => {
        const blocked = services.blocklist.add(cidr, options.reason ?? '', operator.subject);
        services.core.audit.append({ event_type: 'ip_block_added', subject: operator.subject, action: 'ip_block_added', resource: `ip:${blocked.cidr}`, result: 'success', metadata: { cidr: blocked.cidr, reason: blocked.reason } });
        process.stdout.write(`blocked ${blocked.cidr}\n`);
      });
    }));

  program
    .command('unblock-ip [cidr]')
    .description('lift a block (without an argument: list the blocked ranges)')
    .option('--json', 'print JSON when listing')
    .action(action(async (cidr: string | undefined, options: { json?: boolean }) => {
      await withServices((services, operator) => {
        if (cidr === undefined) {
          printTable(services.blocklist.list().map((b) => ({ ...b })), ['cidr', 'reason', 'created_by', 'created_at'], options.json === true);
          return;
        }
        const normalized = normalizeCidr(cidr);
        if (!services.blocklist.remove(normalized)) throw new AppError('NOT_FOUND', `${normalized} is not blocked; see \`devmesh unblock-ip\` for the list`);
        services.core.audit.append({ event_type: 'ip_block_removed', subject: operator.subject, action: 'ip_block_removed', resource: `ip:${normalized}`, result: 'success', metadata: { cidr: normalized } });
        process.stdout.write(`unblocked ${normalized}\n`);
      });
    }));
}
