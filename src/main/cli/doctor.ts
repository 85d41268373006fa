// `devmesh doctor`: reports keychain availability, data dir, master key, schema version, audit chain, console settings that override the environment, certificates, TLS, instance lock and port status, changing nothing.
import { constants, accessSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { AppError } from '../../shared/errors';
import { loadConfig, type MeshConfig } from '../config';
import { createAuditService } from '../core/audit/audit-service';
import { parseMasterKeyEnv, resolveMasterKey } from '../core/crypto/master-key';
import { createOsKeychain, type Keychain } from '../core/keychain/keychain';
import { dataDirPaths } from '../core/storage/data-dir';
import { openStorage, type Storage } from '../core/storage/database';
import { createMetaStore } from '../core/storage/meta';
import { META_INSTALLATION_ID } from '../core/open-core';
import { META_KEY_CHECK } from '../core/crypto/rotate-master-key';
import { formatUrl } from '../servers/http/listen';
import { createSettingsService } from '../core/settings/settings-service';
import { describeOverride, overlayStartupSettings, startupOverrides, startupValues } from '../core/settings/startup-overlay';
import { createChangeEpoch } from '../core/storage/change-epoch';
import { certificateChecks, tlsChecks } from './doctor-tls';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkDataDir(dir: string): Check {
  if (!existsSync(dir)) return { name: 'data dir', status: 'warn', detail: `${dir} does not exist yet; \`devmesh serve\` creates it` };
  const stat = statSync(dir);
  if (!stat.isDirectory()) return { name: 'data dir', status: 'fail', detail: `${dir} is not a folder; set DEVMESH_DATA_DIR to a folder` };
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    return { name: 'data dir', status: 'fail', detail: `${dir} is not readable and writable by this user` };
  }
  const mode = stat.mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    return { name: 'data dir', status: 'warn', detail: `${dir} is readable by other users (mode ${mode.toString(8)}); run chmod 700 ${dir}` };
  }
  return { name: 'data dir', status: 'ok', detail: `${dir} (writable${process.platform === 'win32' ? '' : `, mode ${mode.toString(8)}`})` };
}

function checkKeychain(keychain: Keychain, config: MeshConfig): Check {
  const probe = keychain.probe();
  if (probe.ok) return { name: 'keychain', status: 'ok', detail: `${keychain.backend} is reachable` };
  const needed = config.masterKeyEnv === undefined;
  return { name: 'keychain', status: needed ? 'fail' : 'warn', detail: `${probe.reason}${needed ? '' : ' (not needed: ENCRYPTION_MASTER_KEY is set)'}` };
}

interface DatabaseChecks {
  checks: Check[];
  /** The configuration the servers would start with: the environment with console start-up settings over it. */
  effective?: MeshConfig;
}

/** Start-up settings saved from the console (host, ports, TLS) win over the environment at the next start: say which, and use them for the port and TLS checks. */
function consoleSettings(config: MeshConfig, db: Storage['db']): { check: Check; effective: MeshConfig } | undefined {
  let settings;
  try {
    settings = createSettingsService({ db, config, epoch: createChangeEpoch(db) });
    settings.get();
  } catch {
    return undefined; // a database from before settings existed: nothing overrides the environment
  }
  const overrides = startupOverrides(settings);
  const effective = overlayStartupSettings(config, startupValues(settings.get()));
  if (overrides.length === 0) return { check: { name: 'console settings', status: 'ok', detail: 'none override the environment' }, effective };
  return { check: { name: 'console settings', status: 'warn', detail: overrides.map(describeOverride).join('; ') }, effective };
}

function checkDatabase(config: MeshConfig, keychain: Keychain): DatabaseChecks {
  const paths = dataDirPaths(config.dataDir);
  if (!existsSync(paths.database)) {
    const key = config.masterKeyEnv === undefined ? { name: 'master key', status: 'warn' as const, detail: 'none yet; `devmesh serve` creates one in the keychain on first run' } : envKeyCheck(config.masterKeyEnv);
    return { checks: [key, { name: 'database', status: 'warn', detail: `${paths.database} does not exist yet; \`devmesh serve\` creates it` }] };
  }
  let keyCheck: Check | undefined;
  let storage: Storage;
  try {
    storage = openStorage({
      file: paths.database,
      readOnly: true,
      beforeWrite: (peek, found) => {
        if (peek === undefined || found.schemaVersion < 1) return;
        const meta = createMetaStore(peek);
        const installationId = meta.get(META_INSTALLATION_ID);
        try {
          if (installationId === undefined) throw new AppError('MASTER_KEY_MISSING', 'the database has no installation id yet');
          const key = resolveMasterKey({ envValue: config.masterKeyEnv, keychain, installationId, keyCheck: meta.get(META_KEY_CHECK), allowCreate: false });
          key.key.fill(0);
          keyCheck = {
            name: 'master key',
            status: 'ok',
            detail: `from ${key.source === 'env' ? 'ENCRYPTION_MASTER_KEY' : keychain.backend}; matches the stored key check${key.recoveredPending ? ' (an interrupted rotation will be completed at next start)' : ''}`,
          };
        } catch (error) {
          keyCheck = { name: 'master key', status: 'fail', detail: messageOf(error) };
        }
      },
    });
  } catch (error) {
    return { checks: [...(keyCheck === undefined ? [] : [keyCheck]), { name: 'database', status: 'fail', detail: messageOf(error) }] };
  }
  try {
    const checks: Check[] = keyCheck === undefined ? [] : [keyCheck];
    const integrity = storage.db.pragma('quick_check', { simple: true }) as string;
    const schema = `schema ${storage.schemaVersion} of ${storage.latestSchemaVersion}`;
    if (integrity !== 'ok') checks.push({ name: 'database', status: 'fail', detail: `${paths.database}: integrity check failed (${integrity}); restore from a backup` });
    else if (storage.readOnlyReason !== undefined) checks.push({ name: 'database', status: 'fail', detail: storage.readOnlyReason });
    else if (storage.schemaVersion < storage.latestSchemaVersion) checks.push({ name: 'database', status: 'ok', detail: `${paths.database}, ${schema} (migrates at next start), integrity ok` });
    else checks.push({ name: 'database', status: 'ok', detail: `${paths.database}, ${schema}, integrity ok` });

    if (storage.schemaVersion >= 3) {
      const audit = createAuditService({ db: storage.db });
      const result = audit.verify();
      checks.push(
        result.ok
          ? { name: 'audit chain', status: 'ok', detail: `${result.checked.toLocaleString('en-US')} events verified` }
          : { name: 'audit chain', status: 'fail', detail: `broken at event ${result.first_bad_seq}: ${result.reason ?? 'mismatch'}` },
      );
    }
    const overlay = consoleSettings(config, storage.db);
    const effective = overlay?.effective ?? config;
    if (overlay !== undefined) checks.push(overlay.check);
    checks.push(...certificateChecks(storage.db), ...tlsChecks(effective, storage.db));
    return { checks, effective };
  } finally {
    storage.close();
  }
}

function envKeyCheck(raw: string): Check {
  try {
    parseMasterKeyEnv(raw).fill(0);
    return { name: 'master key', status: 'ok', detail: 'ENCRYPTION_MASTER_KEY is set and strong enough' };
  } catch (error) {
    return { name: 'master key', status: 'fail', detail: messageOf(error) };
  }
}

function lockOwner(config: MeshConfig): number | undefined {
  try {
    const owner = JSON.parse(readFileSync(dataDirPaths(config.dataDir).lock, 'utf8')) as { pid?: unknown };
    if (typeof owner.pid !== 'number') return undefined;
    process.kill(owner.pid, 0);
    return owner.pid;
  } catch {
    return undefined;
  }
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function answersHealth(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { status?: unknown };
    return response.ok && body.status === 'ok';
  } catch {
    return false;
  }
}

async function checkPort(config: MeshConfig, variable: string, port: number, meshPid: number | undefined): Promise<Check> {
  if (port === 0) return { name: variable, status: 'ok', detail: '0: a free port is chosen at start' };
  if (await portFree(config.host, port)) return { name: variable, status: 'ok', detail: `${port} is free on ${config.host}` };
  if (meshPid !== undefined && (await answersHealth(formatUrl('http', config.host, port)))) {
    return { name: variable, status: 'ok', detail: `${port} is served by the running mesh (pid ${meshPid})` };
  }
  return { name: variable, status: 'fail', detail: `${port} is in use by another program on ${config.host}; set ${variable} to a free port` };
}

/** TLS checks come with the database's (they read the serving certificates); without a database, from the settings alone. */
function withTls(config: MeshConfig, checks: Check[]): Check[] {
  return checks.some((c) => c.name.endsWith(' TLS')) ? checks : [...checks, ...tlsChecks(config, undefined)];
}

export async function runDoctor(config: MeshConfig, keychain: Keychain): Promise<DoctorReport> {
  const meshPid = lockOwner(config);
  const database = checkDatabase(config, keychain);
  const effective = database.effective ?? config;
  const portName = (variable: string, port: number, envPort: number, key: string) => (port === envPort ? variable : key);
  const checks: Check[] = [
    checkDataDir(config.dataDir),
    checkKeychain(keychain, config),
    ...withTls(config, database.checks),
    { name: 'instance', status: 'ok', detail: meshPid === undefined ? 'no mesh is running on this data dir' : `a mesh is running on this data dir (pid ${meshPid})` },
    await checkPort(effective, portName('MCP_PORT', effective.mcpPort, config.mcpPort, 'network.mcp_port'), effective.mcpPort, meshPid),
    await checkPort(effective, portName('API_PORT', effective.apiPort, config.apiPort, 'network.api_port'), effective.apiPort, meshPid),
  ];
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗' };

export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.map((c) => `  ${MARK[c.status]} ${c.name.padEnd(width)}  ${c.detail}`);
  return `Developer Mesh Console doctor\n${lines.join('\n')}\n${report.ok ? 'All checks passed.' : 'Some checks failed; see ✗ above.'}\n`;
}

export async function doctorCommand(options: { json?: boolean }): Promise<void> {
  const config = loadConfig();
  const report = await runDoctor(config, createOsKeychain());
  process.stdout.write(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  if (!report.ok) process.exitCode = 1;
}
