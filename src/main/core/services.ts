// The domain services over an open core: RBAC, tenants, users, API keys, tokens, authentication and contexts — built once, shared by every adapter.
import { createApiKeyService, type ApiKeyService } from './auth/api-key-service';
import { createAuthService, type AuthService } from './auth/auth-service';
import { createJwtService, type JwtService } from './auth/jwt-service';
import { loadOrCreatePepper } from './auth/pepper';
import { createRefreshTokenService, type RefreshTokenService } from './auth/refresh-tokens';
import { randomBase62 } from './auth/tokens';
import { BCRYPT_COST } from './auth/passwords';
import { createUserService, type UserService } from './auth/user-service';
import { createContextService, type ContextService } from './contexts/context-service';
import type { Core } from './open-core';
import { createAccessControl, type AccessControl } from './rbac/access-control';
import type { Authorizer } from './rbac/authorizer';
import { createRoleStore, type RoleStore } from './rbac/role-store';
import { createMemoryBucketStore, type BucketStore } from './ratelimit/token-bucket';
import { createTenantService, type TenantService } from './tenants/tenant-service';
import { createChangeEpoch } from './storage/change-epoch';
import { createMetrics, type MeshMetrics } from './metrics/metrics';
import { createSettingsService, type SettingsService } from './settings/settings-service';
import { createBlocklist, type Blocklist } from './ratelimit/blocklist';
import { createRateLimiter, type RateLimiter } from './ratelimit/rate-limiter';
import { createCertificateService, type CertificateService } from './certs/certificate-service';

export const INITIAL_ADMIN = 'admin';
const LAST_USED_FLUSH_MS = 15_000;

export interface Services {
  readonly core: Core;
  readonly authorizer: Authorizer;
  readonly roles: RoleStore;
  readonly access: AccessControl;
  readonly tenants: TenantService;
  readonly users: UserService;
  readonly apiKeys: ApiKeyService;
  readonly jwt: JwtService;
  readonly refreshTokens: RefreshTokenService;
  readonly auth: AuthService;
  readonly contexts: ContextService;
  readonly buckets: BucketStore;
  readonly settings: SettingsService;
  readonly blocklist: Blocklist;
  readonly limiter: RateLimiter;
  readonly metrics: MeshMetrics;
  /** The local PKI: CA, issued certificates, revocations, the serving certificates (and the TLS layer's view of them). */
  readonly certs: CertificateService;
  /** First run: creates the `admin` user when no admin exists (password from config, else generated and returned once). */
  ensureInitialAdmin(): Promise<{ username: string; password: string | undefined } | undefined>;
  /** Writes buffered state (API-key last-used times) and stops timers. */
  close(): void;
}

export interface ServicesOptions {
  /** Where counters go; a mesh passes its registry (with process metrics), admin commands get a quiet one. */
  metrics?: MeshMetrics;
  /** bcrypt cost; tests lower it, production keeps 12. */
  passwordCost?: number;
  now?: () => Date;
}

export function createServices(core: Core, { passwordCost = BCRYPT_COST, metrics = createMetrics({ processMetrics: false }), now = () => new Date() }: ServicesOptions = {}): Services {
  const { db, audit, secrets, meta } = core;
  const config = core.config.auth;
  // One change detector for every read cache: whatever any connection commits, no cache serves what was before.
  const epoch = createChangeEpoch(db);
  const roles = createRoleStore({ db, meta, epoch, now });
  const authorizer = roles.authorizer;
  const access = createAccessControl({ authorizer, audit, onDecision: (allowed) => metrics.authzDecision(allowed) });
  audit.observeAppends((type) => metrics.auditEvent(type));
  const pepper = loadOrCreatePepper(secrets);
  const users = createUserService({ db, authorizer, epoch, now, passwordCost });
  const apiKeys = createApiKeyService({ db, pepper, epoch, now });
  const jwt = createJwtService({ secrets, meta, accessTtlSeconds: config.accessTtlSeconds, envSecret: config.jwtSecret, epoch, now });
  const refreshTokens = createRefreshTokenService({ db, pepper, ttlSeconds: config.refreshTtlSeconds, now });
  const buckets = createMemoryBucketStore();
  const settings = createSettingsService({ db, config: core.config, epoch, now });
  const blocklist = createBlocklist({ db, epoch, now });
  const limiter = createRateLimiter({ buckets, settings, audit });
  limiter.onLimited = (scope) => metrics.rateLimited(scope);
  const certs = createCertificateService({ db, secrets, meta, audit, epoch, now, roleExists: (role) => authorizer.hasRole(role) });
  const authService = createAuthService({
    users,
    roleWithin: (inner, outer) => authorizer.roleWithin(inner, outer),
    apiKeys,
    jwt,
    refreshTokens,
    audit,
    buckets,
    lockout: { maxFailures: config.maxFailedLogins, lockoutSeconds: config.lockoutSeconds },
    loginRule: () => {
      const perMinute = settings.get()['login.attempts_per_minute'];
      return { ratePerSecond: perMinute / 60, burst: perMinute };
    },
    adminsOnly: () => settings.get()['login.admins_only'],
    passwordCost,
    onAttempt: (method, result) => metrics.authAttempt(method, result),
    onRateLimited: (scope) => metrics.rateLimited(scope),
    recordRefusal: (scope, key, subject, tenantId, ctx) => limiter.recordRefusal(scope, key, subject, tenantId, ctx),
    certificateIdentity: (serial) => certs.identityFor(serial),
    now,
  });
  metrics.watchCertificates(() => {
    const at = now().getTime();
    return certs.list().filter((c) => c.revoked_at === null).map((c) => ({ serial: c.serial, kind: c.kind, subject: c.subject_cn, seconds: (Date.parse(c.not_after) - at) / 1000 }));
  });
  metrics.watchSessions('refresh', () => db.prepare('SELECT count(DISTINCT family_id) FROM refresh_tokens WHERE revoked_at IS NULL AND used_at IS NULL AND expires_at > ?').pluck().get(new Date().toISOString()) as number);
  const flushTimer = setInterval(() => apiKeys.flushLastUsed(), LAST_USED_FLUSH_MS);
  flushTimer.unref();

  return {
    core,
    authorizer,
    roles,
    access,
    tenants: createTenantService({ db, now }),
    users,
    apiKeys,
    jwt,
    refreshTokens,
    auth: authService,
    contexts: createContextService({ db, epoch, now }),
    buckets,
    settings,
    blocklist,
    limiter,
    metrics,
    certs,
    async ensureInitialAdmin() {
      const hasAdmin = users.list().some((u) => u.role === 'admin');
      if (hasAdmin || users.byUsername(INITIAL_ADMIN) !== undefined) return undefined;
      const password = config.adminPassword ?? randomBase62(24);
      await users.create({ username: INITIAL_ADMIN, password, role: 'admin' });
      audit.append({ event_type: 'user_created', subject: 'system', action: 'create', resource: `user:${INITIAL_ADMIN}`, result: 'success', metadata: { role: 'admin', first_run: true, generated: config.adminPassword === undefined } });
      return { username: INITIAL_ADMIN, password: config.adminPassword === undefined ? password : undefined };
    },
    close() {
      clearInterval(flushTimer);
      apiKeys.flushLastUsed();
      limiter.close();
    },
  };
}
