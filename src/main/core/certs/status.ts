// What a certificate's dates and revocation mean to an operator (valid / expiring / expired / revoked), and the validity and key-size limits the mesh issues within.
import { AppError } from '../../../shared/errors';

export const CERTIFICATE_STATUSES = ['valid', 'expiring', 'expired', 'revoked'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** A certificate this close to its end is reported as expiring (list, doctor, audit, metric). */
export const EXPIRING_WITHIN_DAYS = 30;
const DAY_MS = 86_400_000;

export function certificateStatus(cert: { not_after: string; revoked_at: string | null }, now: Date): CertificateStatus {
  if (cert.revoked_at !== null) return 'revoked';
  const left = Date.parse(cert.not_after) - now.getTime();
  if (left <= 0) return 'expired';
  return left <= EXPIRING_WITHIN_DAYS * DAY_MS ? 'expiring' : 'valid';
}

/** Whole seconds until not_after (negative once expired): the value of tls_certificate_expiry_seconds. */
export function secondsLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / 1000);
}

export type IssuedKind = 'ca' | 'server' | 'client';

/**
 * Validity in days: a server certificate gets at most 397 days, the limit browsers accept for TLS server certificates
 * (mkcert issues 825, which Safari and Chrome refuse); a client certificate 825; a CA 20 years.
 */
export const VALIDITY_DAYS: Readonly<Record<IssuedKind, { default: number; max: number }>> = {
  ca: { default: 3650, max: 7300 },
  server: { default: 397, max: 397 },
  client: { default: 397, max: 825 },
};

export const KEY_SIZES = [2048, 3072, 4096] as const;
export type KeySize = (typeof KEY_SIZES)[number];
export const DEFAULT_KEY_SIZE: Readonly<Record<IssuedKind, KeySize>> = { ca: 3072, server: 2048, client: 2048 };

/** Days from a flag or API field: a whole number from 1 to the kind's maximum, else VALIDATION_FAILED naming the field. */
export function validityDays(kind: IssuedKind, value: number | string | undefined, field = '--days'): number {
  const limits = VALIDITY_DAYS[kind];
  if (value === undefined) return limits.default;
  const text = String(value).trim();
  const days = /^[0-9]{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(days) || days < 1 || days > limits.max) {
    throw new AppError('VALIDATION_FAILED', `${field} ${JSON.stringify(String(value))}: a ${kind === 'ca' ? 'CA' : kind} certificate is valid for 1 to ${limits.max} days`);
  }
  return days;
}

export function keySize(kind: IssuedKind, value: number | string | undefined, field = '--key-size'): KeySize {
  if (value === undefined) return DEFAULT_KEY_SIZE[kind];
  const bits = Number(String(value).trim());
  const size = KEY_SIZES.find((s) => s === bits);
  if (size === undefined) throw new AppError('VALIDATION_FAILED', `${field} ${JSON.stringify(String(value))}: RSA keys are ${KEY_SIZES.join(', ')} bits`);
  return size;
}
