// The devmesh command tree: names, flags and help text; each action lives in its own module.
import { Command } from 'commander';
import { appVersion } from '../mesh';
import { registerAuditCommands } from './audit';
import { registerCertCommands } from './certs';
import { registerConnectCommand } from './connect';
import { doctorCommand } from './doctor';
import { registerKeyCommands } from './keys';
import { registerMcpBridgeCommand } from './mcp-bridge';
import { registerRoleCommands } from './roles';
import { registerIncidentCommands } from './incident';
import { registerSettingsCommands } from './settings';
import { rotateJwtKeyCommand } from './rotate-jwt-key';
import { registerTenantCommands } from './tenants';
import { registerUserCommands } from './users';
import { rotateMasterKeyCommand } from './rotate-master-key';
import { action } from './run';
import { serveCommand } from './serve';

export function buildProgram(): Command {
  const program = new Command('devmesh')
    .description('Developer Mesh Console: MCP server and REST API for a local developer mesh, with encrypted storage and an audit trail.')
    .version(appVersion(), '-v, --version')
    .showHelpAfterError('(run `devmesh --help` for usage)')
    .addHelpText(
      'after',
      `
Configuration comes from the environment and ./.env: DEVMESH_DATA_DIR, DEVMESH_HOST (127.0.0.1),
MCP_PORT (8080), API_PORT (8081), ENCRYPTION_MASTER_KEY (only where no OS keychain exists), LOG_LEVEL (info);
see README.md for the rest (CORS_ALLOWED_ORIGINS, JWT_*, LOGIN_*, DEVMESH_ADMIN_PASSWORD...).`,
    );

  program
    .command('serve')
    .description('start the mesh headless: MCP server and REST API, until Ctrl-C')
    .action(action(serveCommand));

  program
    .command('doctor')
    .description('check keychain, data dir, master key, database, audit chain and ports')
    .option('--json', 'print the report as JSON')
    .action(action(doctorCommand));

  program
    .command('rotate-master-key')
    .description('re-encrypt every secret under a new master key (stop `serve` first)')
    .option('--new-key-stdin', 'read the new key (base64 or hex, 32+ bytes) from standard input instead of generating one')
    .action(action(rotateMasterKeyCommand));

  program.command('rotate-jwt-key').description("rotate the JWT signing key (the previous key's tokens stay valid until they expire, never longer)").action(rotateJwtKeyCommand);

  registerUserCommands(program);
  registerKeyCommands(program);
  registerTenantCommands(program);
  registerAuditCommands(program);
  registerRoleCommands(program);
  registerIncidentCommands(program);
  registerSettingsCommands(program);
  registerCertCommands(program);
  registerConnectCommand(program);
  registerMcpBridgeCommand(program);

  return program;
}
