// Login, lockout, the login rate limit, refresh rotation and reuse detection, logout, JWT attacks and signing-key rotation, over real HTTP.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_CONFIG } from '../../../src/main/config';
import { JWT_AUDIENCE, JWT_ISSUER } from '../../../src/main/core/auth/jwt-service';
import { ADMIN_PASSWORD, startTestMesh, type TestMesh } from '../../helpers/mesh';

async function events(t: TestMesh, event_type: string) {
  return t.mesh.services.core.audit.query({ event_type }).events;
}

/** The mesh's current signing key, read the way only someone holding the master key could. */
function signingKey(t: TestMesh): { kid: string; key: Uint8Array } {
  const kid = t.mesh.services.jwt.currentKid();
  const key = t.mesh.core.secrets.get('default', `jwt-key:${kid}`);
  if (key === undefined) throw new Error('no signing key');
  return { kid, key };
}

interface Forge {
  sub: string;
  role?: string;
  iss?: string;
  aud?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
  jti?: string | null;
  kid?: string;
  key?: Uint8Array;
}

async function forge(t: TestMesh, f: Forge): Promise<string> {
  const real = signingKey(t);
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({ role: f.role ?? 'admin', tenant: 'default' })
    .setProtectedHeader({ alg: 'HS256', kid: f.kid ?? real.kid })
    .setSubject(f.sub)
    .setIssuer(f.iss ?? JWT_ISSUER)
    .setAudience(f.aud ?? JWT_AUDIENCE)
    .setIssuedAt(f.iat ?? now)
    .setNotBefore(f.nbf ?? now)
    .setExpirationTime(f.exp ?? now + 600);
  if (f.jti !== null) jwt = jwt.setJti(f.jti ?? 'forged');
  return jwt.sign(f.key ?? real.key);
}

function b64(json: unknown): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

async function adminId(t: TestMesh): Promise<string> {
  const admin = t.mesh.services.users.byUsername('admin');
  if (admin === undefined) throw new Error('no admin');
  return admin.id;
}

describe('POST /api/v1/auth/login', () => {
  it('returns an access token, its lifetime and a refresh token', async () => {
    const t = await startTestMesh();
    const res = await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.stringMatching(/^eyJ/), token_type: 'Bearer', expires_in: DEFAULT_AUTH_CONFIG.accessTtlSeconds, refresh_token: expect.stringMatching(/^dmr_/) });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const me = await t.request('GET', '/api/v1/whoami', { token: res.body.access_token });
    expect(me.body).toMatchObject({ subject: 'user:admin', role: 'admin', tenant: 'default', auth_method: 'jwt' });
    expect(await events(t, 'auth_success')).toHaveLength(1);
  });

  it('answers unknown user, wrong password and disabled account with the same 401, keeping the reason in the audit trail', async () => {
    const t = await startTestMesh();
    await t.mesh.services.users.create({ username: 'dora', password: 'dora password 123', role: 'user' });
    const dora = t.mesh.services.users.byUsername('dora');
    t.mesh.services.users.setDisabled(dora?.id ?? '', true);
    const attempts = [
      { username: 'nobody', password: 'whatever password' },
      { username: 'admin', password: 'not the password' },
      { username: 'dora', password: 'dora password 123' },
    ];
    const bodies = [];
    for (const body of attempts) {
      const res = await t.request('POST', '/api/v1/auth/login', { body });
      expect(res.status).toBe(401);
      bodies.push({ code: res.body.error.code, message: res.body.error.message });
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(bodies[0]).toEqual({ code: 'AUTH_INVALID', message: 'invalid username or password' });
    const reasons = (await events(t, 'auth_failed')).map((e) => e.metadata?.reason).sort();
    expect(reasons).toEqual(['bad_password', 'disabled', 'unknown_user']);
  });

  it('locks an account after the configured number of failures, for the configured time', async () => {
    const t = await startTestMesh({ auth: { ...DEFAULT_AUTH_CONFIG, maxFailedLogins: 3, lockoutSeconds: 1, loginAttemptsPerMinute: 100 } });
    for (let i = 0; i < 3; i += 1) expect((await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'wrong wrong wrong' } })).status).toBe(401);
    const locked = await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(locked.status).toBe(401);
    expect(locked.body.error.message).toBe('invalid username or password');
    expect(await events(t, 'account_locked')).toHaveLength(1);
    expect((await events(t, 'auth_failed')).at(0)?.metadata?.reason).toBe('locked');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).status).toBe(200);
  });

  it('limits login attempts per client address with 429, Retry-After and RateLimit headers', async () => {
    const t = await startTestMesh({ auth: { ...DEFAULT_AUTH_CONFIG, loginAttemptsPerMinute: 3 } });
    for (let i = 0; i < 3; i += 1) expect((await t.request('POST', '/api/v1/auth/login', { body: { username: 'x', password: 'y' } })).status).toBe(401);
    const limited = await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('ratelimit-limit')).toBe('3');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(await events(t, 'rate_limited')).toHaveLength(1);
    // The limit is on the login route only: an authenticated request still works.
    const key = t.apiKey('viewer');
    expect((await t.request('GET', '/api/v1/whoami', { apiKey: key })).status).toBe(200);
  });

  it('refuses malformed login bodies with 400 naming the problem', async () => {
    const t = await startTestMesh();
    const extra = await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD, role: 'admin' } });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toMatch(/unknown field "role"/);
    const missing = await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin' } });
    expect(missing.body.error.message).toMatch(/missing field "password"/);
  });
});

describe('refresh and logout', () => {
  it('rotates the refresh token on every use', async () => {
    const t = await startTestMesh();
    const first = await t.login('admin', ADMIN_PASSWORD);
    const second = await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await t.request('GET', '/api/v1/whoami', { token: second.body.access_token })).status).toBe(200);
    const third = await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: second.body.refresh_token } });
    expect(third.status).toBe(200);
    expect(await events(t, 'token_refreshed')).toHaveLength(2);
  });

  it('treats reuse of a spent refresh token as theft: 401 and the whole family revoked', async () => {
    const t = await startTestMesh();
    const first = await t.login('admin', ADMIN_PASSWORD);
    const second = await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    const replay = await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('AUTH_INVALID');
    // The legitimate holder's newer token dies with the family.
    const victim = await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: second.body.refresh_token } });
    expect(victim.status).toBe(401);
    const reused = await events(t, 'refresh_token_reused');
    expect(reused).toHaveLength(1);
    expect(reused[0]).toMatchObject({ subject: 'user:admin', result: 'denied', metadata: { family_revoked: true } });
    // Another session of the same user is untouched.
    const other = await t.login('admin', ADMIN_PASSWORD);
    expect((await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: other.refresh_token } })).status).toBe(200);
  });

  it('logout revokes the refresh token family; unknown tokens get the same 204', async () => {
    const t = await startTestMesh();
    const session = await t.login('admin', ADMIN_PASSWORD);
    expect((await t.request('POST', '/api/v1/auth/logout', { body: { refresh_token: session.refresh_token } })).status).toBe(204);
    expect((await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: session.refresh_token } })).status).toBe(401);
    expect((await t.request('POST', '/api/v1/auth/logout', { body: { refresh_token: `dmr_${'a'.repeat(16)}_${'b'.repeat(43)}` } })).status).toBe(204);
  });

  it('refuses refresh for a disabled user and garbage tokens', async () => {
    const t = await startTestMesh();
    await t.mesh.services.users.create({ username: 'eve', password: 'eve password 1234', role: 'user' });
    const session = await t.login('eve', 'eve password 1234');
    t.mesh.services.users.setDisabled(t.mesh.services.users.byUsername('eve')?.id ?? '', true);
    expect((await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: session.refresh_token } })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/whoami', { token: session.access_token })).status).toBe(401);
    expect((await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'not-a-token' } })).status).toBe(401);
  });
});

describe('JWT verification refuses forged and broken tokens', () => {
  it('accepts a correctly forged control token (so the refusals below are about the attack, not the harness)', async () => {
    const t = await startTestMesh();
    const token = await forge(t, { sub: await adminId(t) });
    expect((await t.request('GET', '/api/v1/whoami', { token })).status).toBe(200);
  });

  it('alg "none"', async () => {
    const t = await startTestMesh();
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: await adminId(t), role: 'admin', tenant: 'default', iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: now, nbf: now, exp: now + 600, jti: 'x' })}.`;
    const res = await t.request('GET', '/api/v1/whoami', { token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_INVALID');
  });

  it('HS/RS confusion: RS256 with a private key, and HS256 keyed with a public key', async () => {
    const t = await startTestMesh();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const claims = { role: 'admin', tenant: 'default' };
    const rs = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingKey(t).kid }).setSubject(await adminId(t)).setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE).setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600).setJti('x').sign(privateKey);
    expect((await t.request('GET', '/api/v1/whoami', { token: rs })).status).toBe(401);
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    const hs = await forge(t, { sub: await adminId(t), key: Buffer.from(pem) });
    expect((await t.request('GET', '/api/v1/whoami', { token: hs })).status).toBe(401);
  });

  it('expired beyond the 30 s skew is AUTH_TOKEN_EXPIRED; within it still accepted', async () => {
    const t = await startTestMesh();
    const now = Math.floor(Date.now() / 1000);
    const old = await forge(t, { sub: await adminId(t), iat: now - 1000, nbf: now - 1000, exp: now - 60 });
    const res = await t.request('GET', '/api/v1/whoami', { token: old });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_TOKEN_EXPIRED');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*invalid_token/);
    const justExpired = await forge(t, { sub: await adminId(t), iat: now - 1000, nbf: now - 1000, exp: now - 10 });
    expect((await t.request('GET', '/api/v1/whoami', { token: justExpired })).status).toBe(200);
  });

  it('not yet valid, wrong issuer, wrong audience, missing jti', async () => {
    const t = await startTestMesh();
    const sub = await adminId(t);
    const now = Math.floor(Date.now() / 1000);
    for (const token of [
      await forge(t, { sub, nbf: now + 120 }),
      await forge(t, { sub, iss: 'someone-else' }),
      await forge(t, { sub, aud: 'another-api' }),
      await forge(t, { sub, jti: null }),
    ]) {
      const res = await t.request('GET', '/api/v1/whoami', { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH_INVALID');
    }
  });

  it('a tampered payload, a foreign key and an unknown kid', async () => {
    const t = await startTestMesh();
    const viewerToken = await t.userWithToken('vic', 'viewer');
    const [header, payload, signature] = viewerToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`;
    expect((await t.request('GET', '/api/v1/whoami', { token: tampered })).status).toBe(401);
    const sub = await adminId(t);
    expect((await t.request('GET', '/api/v1/whoami', { token: await forge(t, { sub, key: randomBytes(32) }) })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/whoami', { token: await forge(t, { sub, kid: 'no-such-kid' }) })).status).toBe(401);
  });

  it('takes the role from the user record, not from the token', async () => {
    const t = await startTestMesh();
    await t.userWithToken('vera', 'viewer');
    const vera = t.mesh.services.users.byUsername('vera');
    const token = await forge(t, { sub: vera?.id ?? '', role: 'admin' });
    expect((await t.request('GET', '/api/v1/whoami', { token })).body.role).toBe('viewer');
    expect((await t.request('POST', '/api/v1/contexts', { token, body: { name: 'escalate' } })).status).toBe(403);
  });
});

describe('signing-key rotation', () => {
  it('keeps tokens of the previous key valid after a rotation, and signs new ones with the new key', async () => {
    const t = await startTestMesh();
    const before = await t.adminToken();
    const oldKid = t.mesh.services.jwt.currentKid();
    const rotated = t.mesh.services.jwt.rotate({ grace: true });
    expect(rotated.kid).not.toBe(oldKid);
    expect((await t.request('GET', '/api/v1/whoami', { token: before })).status).toBe(200);
    const after = await t.adminToken();
    const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as { kid: string }).kid;
    expect(kidOf(after)).toBe(rotated.kid);
    expect((await t.request('GET', '/api/v1/whoami', { token: after })).status).toBe(200);
  });

  it('stops accepting the previous key when its grace period ends, never later', async () => {
    const t = await startTestMesh();
    const before = await t.adminToken();
    t.mesh.services.jwt.rotate({ grace: true });
    // Move the end of the grace period into the past, as time would.
    const meta = t.mesh.core.meta;
    const ring = JSON.parse(meta.get('jwt_keyring') ?? '{}') as { current: string; previous: { kid: string; valid_until: number } };
    meta.set('jwt_keyring', JSON.stringify({ ...ring, previous: { ...ring.previous, valid_until: Date.now() - 1 } }));
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the ring is re-read at most once a second
    expect((await t.request('GET', '/api/v1/whoami', { token: before })).status).toBe(401);
  });

  it('without grace (lockdown), old tokens fail at once', async () => {
    const t = await startTestMesh();
    const before = await t.adminToken();
    t.mesh.services.jwt.rotate({ grace: false });
    expect((await t.request('GET', '/api/v1/whoami', { token: before })).status).toBe(401);
  });
});
