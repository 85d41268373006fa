// Composition root shared by the desktop app and headless serve: config -> core services -> MCP and REST servers, with start and graceful stop.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../shared/errors';
import type { MeshConfig } from './config';
import type { Logger } from './core/logging/logger';
import { startAuditRetention, type AuditRetention } from './core/audit/retention';
import type { AuditSink } from './core/audit/writer';
import type { Keychain } from './core/keychain/keychain';
import { openCore, type Core } from './core/open-core';
import { createServices, type Services } from './core/services';
import type { StartupSettings } from './core/settings/settings-service';
import { describeOverride, overlayStartupSettings, startupOverrides, startupValues, type StartupOverride } from './core/settings/startup-overlay';
import { createMetrics } from './core/metrics/metrics';
import { ensureDataDir } from './core/storage/data-dir';
import { acquireInstanceLock, type InstanceLock } from './core/storage/instance-lock';
import { defaultAllowedHosts } from './servers/http/origin-guard';
import { listen } from './servers/http/listen';
import type { ServedTls } from './servers/http/tls';
import { createMeshTls } from './servers/http/tls-audit';
import type { ServerName } from './core/certs/types';
import { buildMcpApp } from './servers/mcp/app';
import { buildRestApp } from './servers/rest/app';

export const SYSTEM_SUBJECT = 'system';
const EXPIRY_CHECK_MS = 24 * 3600 * 1000;

export interface MeshDeps {
  logger: Logger;
  keychain: Keychain;
  /** bcrypt cost for passwords; tests lower it, production keeps the default (12). */
  passwordCost?: number;
  /** Where committed audit events are printed as JSON lines: { fd: 1 } for serve, none in the desktop app. */
  auditSink?: AuditSink;
  /** better_sqlite3.node built for Electron's ABI, when running inside Electron. */
  nativeBinding?: string;
}

export interface MeshUrls {
  readonly mcp: string;
  readonly api: string;
}

export interface Mesh {
  readonly core: Core;
  readonly services: Services;
  readonly urls: MeshUrls;
  /** The start-up settings the servers are running with (environment overlaid with console settings); changes wait for the next start. */
  readonly startup: StartupSettings;
  /** Start-up settings where a console-set value overrode the environment at this start. */
  readonly overrides: readonly StartupOverride[];
  /** What each server presents over TLS now (reloads included); undefined for a server on plain HTTP. */
  servedTls(server: ServerName): ServedTls | undefined;
  /** better_sqlite3.node for Electron's ABI, if given: worker threads that open the database need it too. */
  readonly nativeBinding: string | undefined;
  /** Set on the first run when the `admin` user was created; `password` only when it was generated (show it once). */
  readonly initialAdmin: { username: string; password: string | undefined } | undefined;
  /** Closes both servers (in-flight requests finish), flushes the audit trail, closes the database, releases the lock. */
  stop(): Promise<void>;
}

export function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function startMesh(config: MeshConfig, deps: MeshDeps): Promise<Mesh> {
  const { logger } = deps;
  const paths = ensureDataDir(config.dataDir);
  const lock: InstanceLock = acquireInstanceLock(paths.lock, paths.dir);
  let core: Core | undefined;
  let stopServices: (() => void) | undefined;
  const apps: FastifyInstance[] = [];
  let retention: AuditRetention | undefined;
  try {
    core = openCore(config, {
      keychain: deps.keychain,
      auditSink: deps.auditSink,
      auditWriterThread: true,
      nativeBinding: deps.nativeBinding,
      onAuditError: (error) => logger.error({ err: error }, 'audit flush failed; events kept in memory and retried'),
    });
    if (core.storage.readOnly) {
      throw new AppError('STORAGE_NEWER_SCHEMA', `${core.storage.readOnlyReason ?? 'the database is read-only'}; the mesh cannot serve from it`);
    }
    const opened = core;
    if (opened.masterKeyGenerated) {
      opened.audit.append({ event_type: 'master_key_created', subject: SYSTEM_SUBJECT, action: 'create', resource: 'master_key', result: 'success', metadata: { store: opened.keychain.backend } });
    }

    const services = createServices(opened, { passwordCost: deps.passwordCost, metrics: createMetrics() });
    stopServices = () => services.close();
    const initialAdmin = await services.ensureInitialAdmin();

    // Start-up settings stored from the console win over the environment (as runtime settings do); they are read once, here.
    const startup = startupValues(services.settings.get());
    const overrides = startupOverrides(services.settings);
    const effective = overlayStartupSettings(config, startup);
    for (const override of overrides) logger.info({ setting: override.key, variable: override.variable }, describeOverride(override));
    const portName = (key: 'network.api_port' | 'network.mcp_port', variable: string) => (overrides.some((o) => o.key === key) ? `the console setting ${key}` : variable);

    const version = appVersion();
    const allowedHosts = [...defaultAllowedHosts(effective.host), ...effective.http.extraHosts];
    // Certificates are checked here, before anything listens: a broken one stops the start with the reason.
    const tls = createMeshTls({ config: effective.tls, trust: services.certs, allowedHosts, audit: opened.audit, logger });
    const http = {
      allowedHosts,
      // Read per request: an origin added from the console applies to the next request (the settings cache makes it cheap).
      allowedOrigins: () => services.settings.get()['cors.allowed_origins'],
      bodyLimit: effective.http.bodyLimit,
      trustProxy: effective.trustProxy,
      gate: { blocklist: services.blocklist, limiter: services.limiter },
    };
    const mcpApp = await buildMcpApp({ logger: logger.child({ server: 'mcp' }), ...http, tls: tls.mcp, services, version, mcp: effective.mcp, metricsPublic: effective.metricsPublic });
    apps.push(mcpApp);
    const apiApp = await buildRestApp({ logger: logger.child({ server: 'api' }), ...http, tls: tls.api, services, version, metricsPublic: effective.metricsPublic });
    apps.push(apiApp);
    const mcp = await listen(mcpApp, { host: effective.host, port: effective.mcpPort, portVariable: portName('network.mcp_port', 'MCP_PORT'), tls: tls.mcp !== undefined });
    const api = await listen(apiApp, { host: effective.host, port: effective.apiPort, portVariable: portName('network.api_port', 'API_PORT'), tls: tls.api !== undefined });
    for (const [server, url] of [['mcp', mcp], ['api', api]] as const) {
      const served = tls[server]?.describe();
      opened.audit.append({
        event_type: 'server_started',
        subject: SYSTEM_SUBJECT,
        action: 'start',
        resource: `server:${server}`,
        result: 'success',
        metadata: { url, tls: served === undefined ? false : { certificate: served.serial, source: served.source, not_after: served.notAfter, min_version: served.minVersion, client_auth: served.clientAuth }, version, pid: process.pid, key_store: opened.masterKeySource },
      });
    }
    // Prunes past the audit.retention_days setting (AUDIT_RETENTION_DAYS unless changed from the console) now and daily, in the background (verifying what it removes first).
    retention = startAuditRetention(services, effective, { logger, nativeBinding: deps.nativeBinding, retentionDays: () => services.settings.get()['audit.retention_days'] });
    const pruning = retention;
    // Certificates ending within 30 days (or ended) are audit events at start and once a day.
    const warnExpiring = () => {
      try {
        services.certs.warnExpiring();
      } catch (error) {
        logger.error({ err: error }, 'certificate expiry check failed');
      }
    };
    warnExpiring();
    const expiryTimer = setInterval(warnExpiring, EXPIRY_CHECK_MS);
    expiryTimer.unref();

    let stopping: Promise<void> | undefined;
    return {
      core: opened,
      services,
      initialAdmin,
      urls: { mcp, api },
      startup,
      overrides,
      servedTls: (server) => tls[server]?.describe(),
      nativeBinding: deps.nativeBinding,
      stop() {
        stopping ??= (async () => {
          try {
            clearInterval(expiryTimer);
            await Promise.all(apps.map((app) => app.close()));
            await pruning.stop();
            for (const server of ['mcp', 'api']) {
              opened.audit.append({ event_type: 'server_stopped', subject: SYSTEM_SUBJECT, action: 'stop', resource: `server:${server}`, result: 'success', metadata: { pid: process.pid } });
            }
          } finally {
            services.close();
            try {
              await opened.close();
            } finally {
              lock.release();
            }
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    await Promise.allSettled(apps.map((app) => app.close()));
    await retention?.stop();
    stopServices?.();
    await core?.close();
    lock.release();
    throw error;
  }
}
