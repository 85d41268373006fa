// How every CLI command ends: success, or one clear line on stderr and a non-zero exit; never a stack trace unless DEVMESH_DEBUG=1.
import { isAppError } from '../../shared/errors';
import { localOperator } from '../core/auth/local-operator';

export const EXIT_FAILURE = 1;
export const EXIT_SOFTWARE = 70;

export function failureLine(error: unknown): { line: string; exitCode: number } {
  if (isAppError(error)) return { line: `devmesh: ${error.message}`, exitCode: EXIT_FAILURE };
  const message = error instanceof Error ? error.message : String(error);
  return { line: `devmesh: unexpected error: ${message} (set DEVMESH_DEBUG=1 for details)`, exitCode: EXIT_SOFTWARE };
}

export function reportFailure(error: unknown): number {
  const { line, exitCode } = failureLine(error);
  process.stderr.write(`${line}\n`);
  if (process.env.DEVMESH_DEBUG === '1') process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`);
  if (isAppError(error) && error.cause !== undefined && process.env.DEVMESH_DEBUG === '1') {
    process.stderr.write(`cause: ${String((error.cause as Error).stack ?? error.cause)}\n`);
  }
  return exitCode;
}

/** Wraps a command action so a thrown error becomes one line and an exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      process.exitCode = reportFailure(error);
    }
  };
}

/** The audit subject of an admin command run from a shell: the OS user, as the console uses `console:<os user>`. */
export function cliSubject(): string {
  return localOperator('cli').subject;
}
