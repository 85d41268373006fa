// Lockdown, the seed's containment step as one action: every API key and refresh token revoked, the JWT key rotated without grace, optionally logins limited to admins.
import type { Principal, RequestContext } from '../auth/principal';
import type { Services } from '../services';
import type { MetaStore } from '../storage/meta';

/** When the last lockdown happened (any process): servers holding sessions open end them all when it moves. */
const META_LAST_LOCKDOWN = 'last_lockdown_at';

export function lastLockdownAt(meta: Pick<MetaStore, 'get'>): string | undefined {
  return meta.get(META_LAST_LOCKDOWN);
}

export interface LockdownResult {
  api_keys_revoked: number;
  refresh_tokens_revoked: number;
  jwt_kid: string | null;
  admins_only: boolean;
}

export function lockdown(services: Services, actor: Principal, options: { adminsOnly: boolean }, ctx: RequestContext = {}): LockdownResult {
  const { apiKeys, refreshTokens, jwt, settings, core } = services;
  const keys = apiKeys.revokeAll();
  const sessions = refreshTokens.revokeAll();
  let kid: string | null = null;
  try {
    // No grace: every access token signed so far stops working now (JWT_SECRET deployments rotate it themselves).
    kid = jwt.rotate({ grace: false }).kid;
  } catch {
    kid = null;
  }
  if (options.adminsOnly) settings.update({ 'login.admins_only': true }, actor.subject);
  core.meta.set(META_LAST_LOCKDOWN, new Date().toISOString());
  const result: LockdownResult = { api_keys_revoked: keys, refresh_tokens_revoked: sessions, jwt_kid: kid, admins_only: options.adminsOnly };
  core.audit.append({
    // Filed with the mesh (default tenant); field names that do not read as secrets to the redactor.
    event_type: 'lockdown', subject: actor.subject, action: 'lockdown', resource: 'mesh', result: 'success',
    metadata: { keys_revoked: keys, sessions_ended: sessions, signing_key_rotated: kid !== null, admins_only: options.adminsOnly, actor_tenant: actor.tenantId },
    ip: ctx.ip, user_agent: ctx.userAgent, trace_id: ctx.traceId,
  });
  return result;
}
