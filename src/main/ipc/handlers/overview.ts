// overview:get: both servers (URL, TLS), sessions, counts, recent denials and rate-limit hits, certificate expiry warnings and the audit chain's last check.
import type { CertificateWarning, overviewChannels, ServerStatus } from '../../../shared/ipc/contracts/overview';
import type { ExpiryEntry } from '../../core/certs/certificate-service';
import type { Mesh } from '../../mesh';
import type { ConsoleHandlers } from '../console-handler';
import { tenantCounts } from './counts';
import { lastVerification, recentDenials, recentRateLimitHits } from './recent-events';

function servers(mesh: Mesh): ServerStatus[] {
  return (['mcp', 'api'] as const).map((name) => {
    const tls = mesh.servedTls(name);
    return {
      name,
      url: mesh.urls[name],
      tls: tls === undefined ? null : { certificate_serial: tls.serial, not_after: tls.notAfter, source: tls.source, min_version: tls.minVersion, client_auth: tls.clientAuth },
    };
  });
}

function warning(entry: ExpiryEntry, expired: boolean): CertificateWarning {
  return { serial: entry.serial, kind: entry.kind, subject_cn: entry.subject_cn, not_after: entry.not_after, seconds_left: entry.seconds_left, expired, is_current_ca: entry.is_current_ca, serving: entry.serving };
}

export const overviewHandlers: ConsoleHandlers<keyof typeof overviewChannels> = {
  'overview:get': {
    // Counts and sessions are metrics; denials, rate-limit hits and the chain's status come from the audit trail.
    needs: [{ resource: 'metrics', action: 'read' }, { resource: 'audit', action: 'read' }],
    handle({ mesh, principal }) {
      const { services } = mesh;
      const { audit } = services.core;
      const now = new Date();
      const sessions = services.metrics.sessionCounts();
      const expiry = services.certs.certificateExpiryReport(now, principal.tenantId);
      return {
        servers: servers(mesh),
        sessions: { mcp_http: sessions.mcp_http ?? 0, mcp_ws: sessions.mcp_ws ?? 0, refresh_families: sessions.refresh ?? 0 },
        counts: tenantCounts(services, principal.tenantId, now),
        recent_denials: recentDenials(audit, principal.tenantId),
        rate_limit_hits: recentRateLimitHits(audit, principal.tenantId),
        certificate_warnings: [...expiry.expired.map((e) => warning(e, true)), ...expiry.expiring.map((e) => warning(e, false))],
        last_verification: lastVerification(audit, principal.tenantId),
        generated_at: now.toISOString(),
      };
    },
  },
};
