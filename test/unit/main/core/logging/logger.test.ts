import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../../src/main/core/logging/logger';

function capture(pretty: boolean) {
  let out = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination, pretty }), output: () => out };
}

describe('logger', () => {
  it('writes JSON with secrets censored', () => {
    const { logger, output } = capture(false);
    logger.info({ req: { headers: { authorization: 'Bearer abc.def.ghi', 'x-api-key': 'dmk_1_secret' } }, password: 'hunter2', user: { token: 't0k' } }, 'request');
    const line = JSON.parse(output()) as { msg: string; req: { headers: Record<string, string> }; password: string; user: { token: string } };
    expect(line.msg).toBe('request');
    expect(line.req.headers.authorization).toBe('[REDACTED]');
    expect(line.req.headers['x-api-key']).toBe('[REDACTED]');
    expect(line.password).toBe('[REDACTED]');
    expect(line.user.token).toBe('[REDACTED]');
    expect(output()).not.toMatch(/hunter2|abc\.def|dmk_1_secret|t0k/);
  });

  it('prints one short line per record on a terminal, with an error message but no fields', () => {
    const { logger, output } = capture(true);
    logger.child({ server: 'api' }).error({ err: new Error('disk full'), password: 'hunter2' }, 'audit flush failed');
    expect(output()).toMatch(/ERROR.*\[api\] audit flush failed: disk full/);
    expect(output().trim().split('\n')).toHaveLength(1);
    expect(output()).not.toContain('hunter2');
  });
});
