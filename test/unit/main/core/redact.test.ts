import { describe, expect, it } from 'vitest';
import { isSensitiveName, redact, REDACTED } from '../../../../src/main/core/redact';

describe('redact', () => {
  it('replaces values of secret-named fields at any depth', () => {
    const input = { user: 'ana', password: 'p', deep: { apiKey: 'k', 'X-API-Key': 'k2', list: [{ client_secret: 's' }] }, Authorization: 'Bearer abc' };
    expect(redact(input)).toEqual({ user: 'ana', password: REDACTED, deep: { apiKey: REDACTED, 'X-API-Key': REDACTED, list: [{ client_secret: REDACTED }] }, Authorization: REDACTED });
  });

  it('replaces secret-looking values whatever the field is called', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbmEifQ.c2lnbmF0dXJlLWJ5dGVz';
    const out = redact({
      note: 'key dmk_0123abcd_XyZsecretsecretsecret used',
      header: `Bearer ${jwt}`,
      raw: jwt,
      pem: '-----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY-----',
    }) as Record<string, string>;
    expect(out.note).toBe(`key ${REDACTED} used`);
    expect(out.header).toBe(REDACTED);
    expect(out.raw).toBe(REDACTED);
    expect(out.pem).toBe(REDACTED);
  });

  it('never mutates its input and copes with cycles, dates, buffers, errors and deep nesting', () => {
    const input: Record<string, unknown> = { when: new Date(0), bytes: Buffer.from('abc'), err: new Error('oops'), token: 't' };
    input.self = input;
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 20; i += 1) deep = deep.next = {} as Record<string, unknown>;
    input.deep = root;
    const out = redact(input) as Record<string, unknown>;
    expect(input.token).toBe('t');
    expect(out.when).toBe('1970-01-01T00:00:00.000Z');
    expect(out.bytes).toBe('[binary 3 bytes]');
    expect(out.err).toEqual({ name: 'Error', message: 'oops' });
    expect(out.self).toBe('[Circular]');
    expect(JSON.stringify(out)).toContain('[Truncated]');
  });

  it('copies an object shared by two fields twice instead of calling it circular', () => {
    const shared = { route: '/x' };
    expect(redact({ a: shared, b: shared })).toEqual({ a: { route: '/x' }, b: { route: '/x' } });
  });

  it('knows which names are sensitive', () => {
    for (const name of ['password', 'new_password', 'refreshToken', 'api-key', 'x-api-key', 'privateKey', 'ENCRYPTION_MASTER_KEY', 'cookie', 'key', 'totp']) expect(isSensitiveName(name), name).toBe(true);
    for (const name of ['username', 'role', 'expires_in', 'footprint', 'tenant_id']) expect(isSensitiveName(name), name).toBe(false);
  });
});
