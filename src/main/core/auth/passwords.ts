// Passwords: bcrypt (bcryptjs, cost 12) with a policy that refuses what bcrypt would silently truncate, and a dummy hash to even out timing.
import bcrypt from 'bcryptjs';
import { AppError } from '../../../shared/errors';

export const BCRYPT_COST = 12;
const MIN_LENGTH = 12;
/** bcrypt reads at most 72 bytes; longer passwords would be silently cut, so they are refused instead. */
const MAX_BYTES = 72;

export function checkPasswordPolicy(password: string): void {
  if (password.length < MIN_LENGTH) throw new AppError('VALIDATION_FAILED', `the password is too short: use at least ${MIN_LENGTH} characters (a passphrase is fine)`);
  if (Buffer.byteLength(password, 'utf8') > MAX_BYTES) throw new AppError('VALIDATION_FAILED', `the password is too long: bcrypt reads at most ${MAX_BYTES} bytes`);
}

export async function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  checkPasswordPolicy(password);
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** A real hash of a random password at the same cost, so "no such user" takes as long as "wrong password". */
let dummy: Promise<string> | undefined;
export function dummyPasswordHash(cost = BCRYPT_COST): Promise<string> {
  dummy ??= bcrypt.hash(`no-such-user-${Math.random()}`, cost);
  return dummy;
}
