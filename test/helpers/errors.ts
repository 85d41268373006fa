// Small assertions shared by tests: which AppError code a call throws, and a file's content hash.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from '../../src/shared/errors';

/** The AppError a call throws; anything else (or no error) fails the test. */
export function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError, but the call succeeded');
}

export function codeOf(fn: () => unknown): string {
  return errorOf(fn).code;
}

export function sha256OfFile(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
