// The domain services over an open core: RBAC, tenants, users, API keys, tokens, authentication and contexts — built once, shared by every adapter.
import type { AuthConfig } from '../config';
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
import { createAuthorizer, type Authorizer } from './rbac/authorizer';
import { createMemoryBucketStore, type BucketStore } from './ratelimit/token-bucket';
import { createTenantService, type TenantService } from './tenants/tenant-service';
import { createChangeEpoch } from './storage/change-epoch';

export const INITIAL_ADMIN = 'admin';
const LAST_USED_FLUSH_MS = 15_000;

export interface Services {
  readonly core: Core;
  readonly authorizer: Authorizer;
  readonly access: AccessControl;
  readonly tenants: TenantService;
  readonly users: UserService;
  readonly apiKeys: ApiKeyService;
  readonly jwt: JwtService;
  readonly refreshTokens: RefreshTokenService;
  readonly auth: AuthService;
  readonly contexts: ContextService;
  readonly buckets: BucketStore;
  /** First run: creates the `admin` user when no admin exists (password from config, else generated and returned once). */
  ensureInitialAdmin(): Promise<{ username: string; password: string | undefined } | undefined>;
  /** Writes buffered state (API-key last-used times) and stops timers. */
  close(): void;
}

export interface ServicesOptions {
  auth: AuthConfig;
  /** bcrypt cost; tests lower it, production keeps 12. */
  passwordCost?: number;
  now?: () => Date;
}

export function createServices(core: Core, { auth: config, passwordCost = BCRYPT_COST, now = () => new Date() }: ServicesOptions): Services {
  const { db, audit, secrets, meta } = core;
  const authorizer = createAuthorizer();
  const access = createAccessControl({ authorizer, audit });
  const pepper = loadOrCreatePepper(secrets);
  // One change detector for every read cache: whatever any connection commits, no cache serves what was before.
  const epoch = createChangeEpoch(db);
  const users = createUserService({ db, authorizer, epoch, now, passwordCost });
  const apiKeys = createApiKeyService({ db, pepper, epoch, now });
  const jwt = createJwtService({ secrets, meta, accessTtlSeconds: config.accessTtlSeconds, envSecret: config.jwtSecret, now });
  const refreshTokens = createRefreshTokenService({ db, pepper, ttlSeconds: config.refreshTtlSeconds, now });
  const buckets = createMemoryBucketStore();
  const authService = createAuthService({
    users,
    roleWithin: (inner, outer) => authorizer.roleWithin(inner, outer),
    apiKeys,
    jwt,
    refreshTokens,
    audit,
    buckets,
    lockout: { maxFailures: config.maxFailedLogins, lockoutSeconds: config.lockoutSeconds },
    loginRule: { ratePerSecond: config.loginAttemptsPerMinute / 60, burst: config.loginAttemptsPerMinute },
    passwordCost,
    now,
  });
  const flushTimer = setInterval(() => apiKeys.flushLastUsed(), LAST_USED_FLUSH_MS);
  flushTimer.unref();

  return {
    core,
    authorizer,
    access,
    tenants: createTenantService({ db, now }),
    users,
    apiKeys,
    jwt,
    refreshTokens,
    auth: authService,
    contexts: createContextService({ db, epoch, now }),
    buckets,
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
    },
  };
}
