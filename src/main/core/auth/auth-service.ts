// Authentication: login with lockout and a per-IP limit, refresh rotation with reuse detection, logout, and turning a request's credential into a Principal.
import { AppError } from '../../../shared/errors';
import type { TokenResponse } from '../../../shared/api/auth';
import type { AuditService } from '../audit/audit-service';
import type { BucketRule, BucketStore } from '../ratelimit/token-bucket';
import type { ApiKeyService } from './api-key-service';
import type { JwtService } from './jwt-service';
import { dummyPasswordHash, verifyPassword } from './passwords';
import { auditContext, type Principal, type RequestContext } from './principal';
import type { RefreshTokenService } from './refresh-tokens';
import type { LockoutPolicy, UserService, UserWithSecret } from './user-service';
import type { CertificateIdentity } from '../certs/types';

export interface Credentials {
  /** The value after "Bearer " in Authorization. */
  bearer?: string | undefined;
  /** The X-API-Key header. */
  apiKey?: string | undefined;
  /** Serial of a client certificate the TLS layer verified against the client CAs (mTLS); used when no header credential is sent. */
  clientCertificate?: string | undefined;
}

export interface AuthService {
  login(input: { username: string; password: string }, ctx: RequestContext): Promise<TokenResponse>;
  refresh(refreshToken: string, ctx: RequestContext): Promise<TokenResponse>;
  logout(refreshToken: string, ctx: RequestContext): void;
  /**
   * The principal behind a request's credential; AUTH_REQUIRED, AUTH_INVALID or AUTH_TOKEN_EXPIRED otherwise (and
   * audited). Synchronous when it can be (API keys, tokens verified before), a promise when a signature must be checked.
   */
  authenticate(credentials: Credentials, ctx: RequestContext): Principal | Promise<Principal>;
  /** The principal for a known user (the desktop console's local operator, tests). */
  principalForUser(user: UserWithSecret): Principal;
}

export interface AuthServiceDeps {
  users: UserService;
  /** Whether `inner` grants nothing beyond `outer` (the authorizer's roleWithin). */
  roleWithin: (inner: string, outer: string) => boolean;
  apiKeys: ApiKeyService;
  jwt: JwtService;
  refreshTokens: RefreshTokenService;
  audit: AuditService;
  buckets: BucketStore;
  lockout: LockoutPolicy;
  /** Login attempts per client IP (read per attempt: it is a runtime setting). */
  loginRule: () => BucketRule;
  /** During a lockdown, only admins may log in. */
  adminsOnly?: () => boolean;
  passwordCost?: number;
  /** Counts attempts (metrics): method password | refresh_token | jwt | api_key. */
  onAttempt?: (method: string, result: 'success' | 'failure') => void;
  onRateLimited?: (scope: string) => void;
  /** Writes a refusal to the trail, sampled like every other (the rate limiter's recorder). */
  recordRefusal?: (scope: 'login_ip', key: string, subject: string, tenantId: string | undefined, ctx: RequestContext) => void;
  /** Who a mesh-issued client certificate is bound to (mTLS); without it, certificates authenticate nobody. */
  certificateIdentity?: (serial: string) => CertificateIdentity | undefined;
  now?: () => Date;
}

const INVALID_LOGIN = 'invalid username or password';

export function createAuthService(deps: AuthServiceDeps): AuthService {
  const { users, roleWithin, apiKeys, jwt, refreshTokens, audit, buckets, lockout, loginRule, adminsOnly = () => false, onAttempt, onRateLimited, recordRefusal, certificateIdentity, now = () => new Date() } = deps;

  function record(event: { event_type: string; subject: string; action: string; resource: string; result: 'success' | 'failure' | 'denied'; tenant_id?: string; error?: string; metadata?: Record<string, unknown> }, ctx: RequestContext): void {
    audit.append({ ...event, ...auditContext(ctx) });
  }

  function principalForUser(user: UserWithSecret): Principal {
    return { subject: `user:${user.username}`, kind: 'user', tenantId: user.tenant_id, role: user.role, userId: user.id, keyId: null, authMethod: 'jwt' };
  }

  async function tokensFor(user: UserWithSecret, refreshToken?: string): Promise<TokenResponse> {
    const access = await jwt.sign({ userId: user.id, role: user.role, tenantId: user.tenant_id });
    return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, refresh_token: refreshToken ?? refreshTokens.issue(user.id, user.tenant_id) };
  }

  /** The user's current record decides: a disabled account or a changed role takes effect on the next request. */
  function userPrincipal(userId: string, ctx: RequestContext): Principal {
    const user = users.byId(userId);
    if (user === undefined || user.disabled) throw invalidCredential('jwt', user === undefined ? 'unknown_user' : 'disabled', ctx);
    onAttempt?.('jwt', 'success');
    return principalForUser(user);
  }

  /** A verified client certificate acts as what it is bound to: its user (with the user's role) or `cert:<serial>` with its role. */
  function certificatePrincipal(serial: string, ctx: RequestContext): Principal {
    const identity = certificateIdentity?.(serial);
    if (identity === undefined) throw invalidCredential('mtls', 'unbound_or_revoked', ctx, new AppError('AUTH_INVALID', 'this client certificate is not bound to a user or role of this mesh (or was revoked); send a bearer credential instead'));
    if (identity.kind === 'user') {
      const user = users.byId(identity.userId);
      if (user === undefined || user.disabled) throw invalidCredential('mtls', user === undefined ? 'unknown_user' : 'disabled', ctx);
      onAttempt?.('mtls', 'success');
      return { ...principalForUser(user), authMethod: 'mtls' };
    }
    onAttempt?.('mtls', 'success');
    return { subject: `cert:${identity.serial}`, kind: 'certificate', tenantId: identity.tenantId, role: identity.role, userId: null, keyId: null, authMethod: 'mtls' };
  }

  function loginFailed(username: string, reason: string, ctx: RequestContext, user?: UserWithSecret, extra: Record<string, unknown> = {}): AppError {
    // The reason stays in the audit trail; the caller always gets the same answer.
    onAttempt?.('password', 'failure');
    record({ event_type: 'auth_failed', subject: user === undefined ? `login:${username}` : `user:${user.username}`, action: 'login', resource: 'auth:login', result: 'failure', tenant_id: user?.tenant_id, metadata: { method: 'password', reason, ...extra } }, ctx);
    return new AppError('AUTH_INVALID', INVALID_LOGIN);
  }

  function invalidCredential(method: 'jwt' | 'api_key' | 'mtls', reason: string, ctx: RequestContext, error = new AppError('AUTH_INVALID', 'invalid credential')): AppError {
    onAttempt?.(method, 'failure');
    record({ event_type: 'auth_failed', subject: 'anonymous', action: 'authenticate', resource: 'auth:request', result: 'failure', metadata: { method, reason } }, ctx);
    return error;
  }

  return {
    async login({ username, password }, ctx) {
      const rule = loginRule();
      const limit = buckets.take(`login:ip:${ctx.ip ?? 'unknown'}`, rule, now().getTime());
      if (!limit.allowed) {
        onRateLimited?.('login_ip');
        if (recordRefusal !== undefined) recordRefusal('login_ip', ctx.ip ?? 'unknown', `login:${username}`, undefined, ctx);
        else record({ event_type: 'rate_limited', subject: `login:${username}`, action: 'login', resource: 'auth:login', result: 'denied', metadata: { scope: 'login_ip' } }, ctx);
        throw new AppError('RATE_LIMITED', 'too many login attempts from this address; wait and try again', {
          details: { retryAfterSeconds: Math.ceil(limit.retryAfterMs / 1000), limit: rule.burst, remaining: 0, resetSeconds: Math.ceil(limit.resetMs / 1000) },
        });
      }
      const user = users.byUsername(username);
      // Always pay for one bcrypt comparison, so timing does not tell unknown users from wrong passwords.
      const matches = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash(deps.passwordCost)));
      if (user === undefined) throw loginFailed(username, 'unknown_user', ctx);
      if (user.locked_until !== null && user.locked_until > now().toISOString()) throw loginFailed(username, 'locked', ctx, user, { locked_until: user.locked_until });
      if (!matches) {
        const { locked } = users.recordFailedLogin(user.id, lockout);
        if (locked) record({ event_type: 'account_locked', subject: `user:${user.username}`, action: 'lock', resource: `user:${user.username}`, result: 'success', tenant_id: user.tenant_id, metadata: { after_failures: lockout.maxFailures, seconds: lockout.lockoutSeconds } }, ctx);
        throw loginFailed(username, 'bad_password', ctx, user);
      }
      if (user.disabled) throw loginFailed(username, 'disabled', ctx, user);
      if (adminsOnly() && user.role !== 'admin') {
        loginFailed(username, 'lockdown', ctx, user);
        // Only someone who knows the password learns why: the mesh is locked down.
        throw new AppError('FORBIDDEN', 'the mesh is in lockdown: only administrators can log in for now');
      }
      users.recordSuccessfulLogin(user.id);
      const tokens = await tokensFor(user);
      onAttempt?.('password', 'success');
      record({ event_type: 'auth_success', subject: `user:${user.username}`, action: 'login', resource: 'auth:login', result: 'success', tenant_id: user.tenant_id, metadata: { method: 'password' } }, ctx);
      return tokens;
    },

    async refresh(raw, ctx) {
      const outcome = refreshTokens.rotate(raw);
      if (!outcome.ok) {
        const user = outcome.userId === undefined ? undefined : users.byId(outcome.userId);
        const subject = user === undefined ? 'anonymous' : `user:${user.username}`;
        if (outcome.reason === 'reused') {
          record({ event_type: 'refresh_token_reused', subject, action: 'refresh', resource: 'auth:refresh', result: 'denied', tenant_id: user?.tenant_id, metadata: { family: outcome.familyId, family_revoked: true } }, ctx);
        } else {
          record({ event_type: 'auth_failed', subject, action: 'refresh', resource: 'auth:refresh', result: 'failure', tenant_id: user?.tenant_id, metadata: { method: 'refresh_token', reason: outcome.reason } }, ctx);
        }
        throw new AppError('AUTH_INVALID', 'invalid refresh token');
      }
      const user = users.byId(outcome.userId);
      if (user !== undefined && !user.disabled && adminsOnly() && user.role !== 'admin') {
        refreshTokens.revokeFamilyOf(outcome.token);
        record({ event_type: 'auth_failed', subject: `user:${user.username}`, action: 'refresh', resource: 'auth:refresh', result: 'failure', tenant_id: user.tenant_id, metadata: { method: 'refresh_token', reason: 'lockdown' } }, ctx);
        throw new AppError('FORBIDDEN', 'the mesh is in lockdown: only administrators can sign in for now');
      }
      if (user === undefined || user.disabled) {
        refreshTokens.revokeFamilyOf(outcome.token);
        record({ event_type: 'auth_failed', subject: user === undefined ? 'anonymous' : `user:${user.username}`, action: 'refresh', resource: 'auth:refresh', result: 'failure', metadata: { method: 'refresh_token', reason: 'disabled' } }, ctx);
        throw new AppError('AUTH_INVALID', 'invalid refresh token');
      }
      const tokens = await tokensFor(user, outcome.token);
      record({ event_type: 'token_refreshed', subject: `user:${user.username}`, action: 'refresh', resource: 'auth:refresh', result: 'success', tenant_id: user.tenant_id, metadata: { family: outcome.familyId } }, ctx);
      return tokens;
    },

    logout(raw, ctx) {
      const result = refreshTokens.revokeFamilyOf(raw);
      const user = result.userId === undefined ? undefined : users.byId(result.userId);
      record({ event_type: 'logout', subject: user === undefined ? 'anonymous' : `user:${user.username}`, action: 'logout', resource: 'auth:logout', result: result.revoked ? 'success' : 'failure', tenant_id: user?.tenant_id, metadata: { family: result.familyId ?? null } }, ctx);
      // Logging out with an unknown token reveals nothing: the answer is the same.
    },

    authenticate({ bearer, apiKey, clientCertificate }, ctx) {
      const raw = bearer ?? apiKey;
      if ((raw === undefined || raw === '') && clientCertificate !== undefined) return certificatePrincipal(clientCertificate, ctx);
      if (raw === undefined || raw === '') throw new AppError('AUTH_REQUIRED', 'authentication required: send Authorization: Bearer <access token or API key>, or X-API-Key');
      if (raw.startsWith('dmk_')) {
        const key = apiKeys.authenticate(raw);
        if (key === undefined) throw invalidCredential('api_key', 'unknown_revoked_or_expired', ctx);
        if (key.owner_id !== null) {
          const owner = users.byId(key.owner_id);
          if (owner === undefined || owner.disabled) throw invalidCredential('api_key', 'owner_disabled', ctx);
          // A key never outranks its owner: after a demotion, keys made with the old rights stop working.
          if (!roleWithin(key.role, owner.role)) throw invalidCredential('api_key', 'owner_role_reduced', ctx);
        }
        onAttempt?.('api_key', 'success');
        return { subject: `key:${key.id}`, kind: 'api_key', tenantId: key.tenant_id, role: key.role, userId: key.owner_id, keyId: key.id, authMethod: 'api_key' };
      }
      const known = jwt.verifiedBefore(raw);
      if (known !== undefined) return userPrincipal(known.sub, ctx);
      return jwt.verify(raw).then(
        (claims) => userPrincipal(claims.sub, ctx),
        (error: unknown) => {
          if (error instanceof AppError) throw invalidCredential('jwt', error.code === 'AUTH_TOKEN_EXPIRED' ? 'expired' : 'invalid', ctx, error);
          throw error;
        },
      );
    },

    principalForUser,
  };
}
