// `devmesh serve`: runs the mesh headless until SIGINT/SIGTERM, printing one ready line (logs on stderr, audit JSON lines on stdout).
import { isLoopbackHost, loadConfig } from '../config';
import { createOsKeychain } from '../core/keychain/keychain';
import { createLogger } from '../core/logging/logger';
import { startMesh } from '../mesh';
import { reportFailure } from './run';

const SHUTDOWN_TIMEOUT_MS = 10_000;

export async function serveCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, pretty: process.stderr.isTTY === true });
  if (!isLoopbackHost(config.host)) {
    logger.warn({ host: config.host }, `DEVMESH_HOST=${config.host} exposes the mesh beyond this machine; keep 127.0.0.1 unless you need remote agents and have enabled TLS`);
  }
  const mesh = await startMesh(config, {
    logger,
    keychain: createOsKeychain(),
    auditSink: (lines) => process.stdout.write(lines),
  });
  const startupMs = Math.round(process.uptime() * 1000);
  logger.info(
    { mcp_url: mesh.urls.mcp, api_url: mesh.urls.api, data_dir: config.dataDir, master_key: mesh.core.masterKeySource, startup_ms: startupMs },
    `Developer Mesh Console ready: MCP ${mesh.urls.mcp} · REST ${mesh.urls.api} (started in ${startupMs} ms)`,
  );

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
    mesh.stop().then(
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
}
