// The TLS managers of a mesh, with their events in the audit trail: certificates loaded and reloaded, refused reloads, and client certificates refused after a handshake (sampled).
import type { AuditService } from '../../core/audit/audit-service';
import type { ServerName, TlsTrustSource } from '../../core/certs/types';
import type { Logger } from '../../core/logging/logger';
import type { TlsConfig } from '../../tls-config';
import { createTlsManager, type TlsManager } from './tls';

/** At most one refusal event per certificate (or address) and reason in this window: a flood of handshakes cannot flood the trail. */
const SAMPLE_WINDOW_MS = 10_000;
const MAX_SAMPLED = 10_000;

export interface MeshTlsOptions {
  config: { api: TlsConfig; mcp: TlsConfig };
  trust: TlsTrustSource | undefined;
  allowedHosts: readonly string[];
  audit: AuditService;
  logger: Logger;
}

export function createMeshTls({ config, trust, allowedHosts, audit, logger }: MeshTlsOptions): Record<ServerName, TlsManager | undefined> {
  const lastRefusal = new Map<string, number>();

  function manager(server: ServerName): TlsManager | undefined {
    if (!config[server].enabled) return undefined;
    return createTlsManager({
      server,
      config: config[server],
      trust,
      allowedHosts,
      logger: logger.child({ server }),
      onRefused(reason, serial, ip) {
        const key = `${server}|${reason}|${serial ?? ip ?? ''}`;
        const now = Date.now();
        if (now - (lastRefusal.get(key) ?? -Infinity) < SAMPLE_WINDOW_MS) return;
        if (lastRefusal.size >= MAX_SAMPLED) lastRefusal.clear();
        lastRefusal.set(key, now);
        audit.append({
          event_type: 'tls_client_refused', subject: serial === undefined ? 'anonymous' : `cert:${serial}`, action: 'handshake', resource: `server:${server}`, result: 'denied',
          error: reason === 'revoked' ? 'the client certificate is revoked' : 'the client certificate does not verify against the client CAs',
          metadata: { reason, serial: serial ?? null, sample_window_seconds: SAMPLE_WINDOW_MS / 1000 }, ip,
        });
      },
      onReload(result) {
        audit.append({
          event_type: 'tls_certificate_reloaded', subject: 'system', action: 'reload', resource: `server:${server}`, result: result.ok ? 'success' : 'failure',
          ...(result.ok ? { metadata: { serial: result.serial } } : { error: result.error }),
        });
      },
    });
  }
  return { api: manager('api'), mcp: manager('mcp') };
}
