import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES, ERROR_REGISTRY, isErrorCode } from '../../../src/shared/errors';

describe('error registry', () => {
  it('maps every code to an HTTP status, a JSON-RPC code and a description', () => {
    for (const code of ERROR_CODES) {
      const spec = ERROR_REGISTRY[code];
      expect(code).toMatch(/^[A-Z]+(_[A-Z0-9]+)*$/);
      expect(spec.http).toBeGreaterThanOrEqual(400);
      expect(spec.http).toBeLessThan(600);
      expect(spec.rpc).toBeLessThan(-32000 + 1);
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });

  it('documents every code in the README error table', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const code of ERROR_CODES) expect(readme, code).toContain(`| \`${code}\` |`);
  });

  it('carries code, status and cause', () => {
    const cause = new Error('disk');
    const error = new AppError('PORT_IN_USE', 'port 8081 (API_PORT) is in use', { cause });
    expect(error.httpStatus).toBe(500);
    expect(error.cause).toBe(cause);
    expect(isErrorCode('PORT_IN_USE')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
  });
});
