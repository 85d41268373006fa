// Certificate status from dates and revocation, and the validity and key-size limits of what the mesh issues.
import { describe, expect, it } from 'vitest';
import { certificateStatus, keySize, secondsLeft, validityDays } from '../../../../../src/main/core/certs/status';
import { errorOf } from '../../../../helpers/errors';

const NOW = new Date('2030-06-01T00:00:00.000Z');
const at = (iso: string) => ({ not_after: iso, revoked_at: null });

describe('certificateStatus', () => {
  it('is valid beyond 30 days, expiring within them, expired at and after not_after', () => {
    expect(certificateStatus(at('2030-07-01T00:00:01.000Z'), NOW)).toBe('valid');
    expect(certificateStatus(at('2030-07-01T00:00:00.000Z'), NOW)).toBe('expiring');
    expect(certificateStatus(at('2030-06-01T00:00:01.000Z'), NOW)).toBe('expiring');
    expect(certificateStatus(at('2030-06-01T00:00:00.000Z'), NOW)).toBe('expired');
    expect(certificateStatus(at('2020-01-01T00:00:00.000Z'), NOW)).toBe('expired');
  });

  it('is revoked whatever the dates say', () => {
    expect(certificateStatus({ not_after: '2040-01-01T00:00:00.000Z', revoked_at: '2030-05-01T00:00:00.000Z' }, NOW)).toBe('revoked');
    expect(certificateStatus({ not_after: '2020-01-01T00:00:00.000Z', revoked_at: '2019-05-01T00:00:00.000Z' }, NOW)).toBe('revoked');
  });

  it('counts seconds left, negative once expired', () => {
    expect(secondsLeft('2030-06-02T00:00:00.000Z', NOW)).toBe(86_400);
    expect(secondsLeft('2030-05-31T23:59:59.000Z', NOW)).toBe(-1);
  });
});

describe('validityDays', () => {
  it('defaults to 397 days for servers and clients and 3650 for a CA', () => {
    expect(validityDays('server', undefined)).toBe(397);
    expect(validityDays('client', undefined)).toBe(397);
    expect(validityDays('ca', undefined)).toBe(3650);
  });

  it('accepts 1 to the maximum of each kind', () => {
    expect(validityDays('server', '1')).toBe(1);
    expect(validityDays('server', 397)).toBe(397);
    expect(validityDays('client', '825')).toBe(825);
    expect(validityDays('ca', '7300')).toBe(7300);
  });

  it.each([
    ['server', '398', /a server certificate is valid for 1 to 397 days/],
    ['client', '826', /1 to 825 days/],
    ['ca', '7301', /a CA certificate is valid for 1 to 7300 days/],
    ['server', '0', /1 to 397/],
    ['server', '-5', /1 to 397/],
    ['server', '1.5', /1 to 397/],
    ['server', '30d', /1 to 397/],
    ['server', '', /1 to 397/],
    ['ca', '99999999999', /1 to 7300/],
  ] as const)('refuses %s --days %j', (kind, days, reason) => {
    const error = errorOf(() => validityDays(kind, days));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/^--days /);
    expect(error.message).toMatch(reason);
  });
});

describe('keySize', () => {
  it('defaults to RSA 3072 for a CA and 2048 for leaves, and takes 2048, 3072 or 4096', () => {
    expect(keySize('ca', undefined)).toBe(3072);
    expect(keySize('server', undefined)).toBe(2048);
    expect(keySize('client', '4096')).toBe(4096);
    expect(errorOf(() => keySize('ca', '1024')).message).toBe('--key-size "1024": RSA keys are 2048, 3072, 4096 bits');
    expect(errorOf(() => keySize('ca', 'big')).code).toBe('VALIDATION_FAILED');
  });
});
