// `devmesh serve`: runs the mesh headless until SIGINT/SIGTERM, printing one ready line (logs on stderr, audit JSON lines on stdout).
import { isLoopbackHost, loadConfig } from '../config';
import { createOsKeychain } from '../core/keychain/keychain';
import { createLogger } from '../core/logging/logger';
import { startMesh, type Mesh } from '../mesh';
import { reportFailure } from './run';

const SHUTDOWN_TIMEOUT_MS = 10_000;

export async function serveCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, pretty: process.stderr.isTTY === true });
  // Handlers go in before start-up, so a signal that arrives while starting still ends in a clean stop.
  let mesh: Mesh | undefined;
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    signalled = true;
    logger.info(`${signal}: shutting down`);
    const force = setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s; exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    if (mesh === undefined) return; // startMesh is still running; it is stopped as soon as it returns.
    stop(mesh);
  };
  const stop = (running: Mesh): void => {
    running.stop().then(
      () => {
        logger.info('stopped');
        process.exitCode = 0;
      },
      (error: unknown) => {
        process.exitCode = reportFailure(error);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  try {
    mesh = await startMesh(config, {
      logger,
      keychain: createOsKeychain(),
      // The audit writer thread prints committed events to stdout (fd 1) itself.
      auditSink: { fd: 1 },
    });
  } catch (error) {
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
    throw error;
  }
  if (signalled) {
    stop(mesh);
    return;
  }
  // The host the servers run with: DEVMESH_HOST, or the console's network.host setting when one overrides it (startMesh logs each override).
  const host = mesh.startup['network.host'];
  if (!isLoopbackHost(host)) {
    const source = mesh.overrides.some((o) => o.key === 'network.host') ? `the console setting network.host=${host}` : `DEVMESH_HOST=${host}`;
    logger.warn({ host }, `${source} exposes the mesh beyond this machine; keep 127.0.0.1 unless you need remote agents and have enabled TLS`);
  }
  if (mesh.initialAdmin !== undefined) {
    const { username, password } = mesh.initialAdmin;
    // Printed once, on the terminal's error stream (not the log, not stdout's audit stream).
    process.stderr.write(
      password === undefined
        ? `\nFirst run: created user "${username}" with the password from DEVMESH_ADMIN_PASSWORD.\n\n`
        : `\nFirst run: created user "${username}" with password\n\n    ${password}\n\nIt is shown only this once: store it now (change it with \`devmesh users reset-password ${username} --password-stdin\`).\n\n`,
    );
  }
  const startupMs = Math.round(process.uptime() * 1000);
  logger.info(
    { mcp_url: mesh.urls.mcp, api_url: mesh.urls.api, data_dir: config.dataDir, master_key: mesh.core.masterKeySource, startup_ms: startupMs },
    `Developer Mesh Console ready: MCP ${mesh.urls.mcp} · REST ${mesh.urls.api} (started in ${startupMs} ms)`,
  );
}
