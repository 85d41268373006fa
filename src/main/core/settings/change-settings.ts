// One audited settings change for every adapter (REST PATCH, console IPC): refuses TLS without a certificate, applies all or nothing, records before/after.
import { AppError } from '../../../shared/errors';
import { auditContext, type Principal, type RequestContext } from '../auth/principal';
import type { ServerName } from '../certs/types';
import type { Services } from '../services';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import { isStartupKey, type Settings, type SettingsChange, type StartupKey } from './settings-service';

/** True when `server` has something to present over TLS: files from the environment or a certificate chosen with the certs service. */
export function hasServingCertificate(services: Pick<Services, 'core' | 'certs'>, server: ServerName): boolean {
  return services.core.config.tls[server].certFile !== undefined || services.certs.serving()[server] !== null;
}

function requireCertificates(services: Pick<Services, 'core' | 'certs'>, set: Partial<Record<string, unknown>>): void {
  for (const server of ['api', 'mcp'] as const) {
    if (set[`tls.${server}.enabled`] !== true || hasServingCertificate(services, server)) continue;
    const prefix = server.toUpperCase();
    throw new AppError(
      'VALIDATION_FAILED',
      `setting tls.${server}.enabled: the ${prefix} server has no certificate to serve; choose one on the Certificates page (\`devmesh certs use <serial> --server ${server}\`) or set ${prefix}_TLS_CERT_FILE and ${prefix}_TLS_KEY_FILE, then enable TLS`,
    );
  }
}

export interface SettingsChangeResult {
  before: Partial<Settings>;
  after: Partial<Settings>;
  /** Touched keys that take effect only when the servers start again. */
  restartRequired: StartupKey[];
}

/** Applies `change` as `actor` and records a `settings_changed` event (filed under the default tenant: settings act on the whole mesh). */
export function changeSettingsAudited(services: Pick<Services, 'core' | 'certs' | 'settings'>, actor: Principal, change: SettingsChange, ctx: RequestContext = {}): SettingsChangeResult {
  requireCertificates(services, change.set ?? {});
  const { before, after } = services.settings.apply(change, actor.subject);
  const restartRequired = Object.keys(after).filter(isStartupKey);
  services.core.audit.append({
    event_type: 'settings_changed',
    subject: actor.subject,
    action: 'settings_changed',
    resource: 'settings',
    result: 'success',
    tenant_id: DEFAULT_TENANT_ID,
    metadata: { before, after, ...(restartRequired.length > 0 ? { restart_required: restartRequired } : {}), actor_tenant: actor.tenantId },
    ...auditContext(ctx),
  });
  return { before, after, restartRequired };
}
