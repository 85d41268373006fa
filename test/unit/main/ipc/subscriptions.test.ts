// Console subscriptions over a real mesh: the audit stream delivers what commits after `after` (filtered, in order, batched), every start is checked and authorized, a bad payload never reaches the page, and ending the subscriber ends its streams.
import { describe, expect, it } from 'vitest';
import { localOperator } from '../../../../src/main/core/auth/local-operator';
import type { Principal } from '../../../../src/main/core/auth/principal';
import { NO_SAVE_DIALOG } from '../../../../src/main/ipc/console-host';
import { eventSources } from '../../../../src/main/ipc/event-sources';
import { consoleGuard } from '../../../../src/main/ipc/handlers';
import { openSubscriptions, type ConsoleEventSources, type SubscriptionMessage } from '../../../../src/main/ipc/subscriptions';
import type { Mesh } from '../../../../src/main/mesh';
import type { AuditRow } from '../../../../src/shared/ipc/contracts/audit';
import { startTestMesh } from '../../../helpers/mesh';

/** A real mesh (stopped after each test by the helper). */
const start = async (): Promise<Mesh> => (await startTestMesh()).mesh;

function collector() {
  const messages: SubscriptionMessage[] = [];
  const rows = (): AuditRow[] => messages.flatMap((m) => (m.result.ok ? (m.result.value as AuditRow[]) : []));
  return { messages, rows, send: (_event: string, message: SubscriptionMessage) => messages.push(message) };
}

const head = (m: Mesh): number => m.core.audit.query({ limit: 1 }).events[0]?.seq ?? 0;
const probe = (m: Mesh, subject: string, result: 'success' | 'denied' = 'success') => m.core.audit.append({ event_type: 'probe', subject, action: 'probe', resource: 'probe', result, metadata: { needle: `${subject}-needle` } });

describe('console subscriptions', () => {
  it('streams events committed after `after` that pass the filter, in seq order, and stops on unsubscribe', async () => {
    const m = await start();
    const c = collector();
    const subs = openSubscriptions(eventSources, m, consoleGuard(NO_SAVE_DIALOG), c.send);
    probe(m, 'user:before');
    const after = head(m);
    expect(subs.subscribe({ event: 'audit:events', id: 'one', input: { after, result: 'denied', q: 'needle' } })).toEqual({ ok: true, value: { id: 'one' } });
    for (let i = 0; i < 30; i += 1) probe(m, `user:${i}`, i % 3 === 0 ? 'denied' : 'success');
    await expect.poll(() => c.rows().length).toBe(10);
    const rows = c.rows();
    expect(rows.map((r) => r.subject)).toEqual(Array.from({ length: 10 }, (_, i) => `user:${i * 3}`));
    expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((a, b) => a - b));
    // Batched: thirty commits in a burst are far fewer messages.
    expect(c.messages.length).toBeLessThanOrEqual(3);
    expect(c.messages.every((msg) => msg.id === 'one')).toBe(true);

    subs.unsubscribe({ id: 'one' });
    expect(subs.size).toBe(0);
    probe(m, 'user:after-stop', 'denied');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(c.rows().some((r) => r.subject === 'user:after-stop')).toBe(false);
  });

  it('refuses malformed requests, unknown events, bad input and a reused id, opening nothing', async () => {
    const m = await start();
    const subs = openSubscriptions(eventSources, m, consoleGuard(NO_SAVE_DIALOG), collector().send);
    expect(subs.subscribe('audit:events')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(subs.subscribe({ event: 'audit:everything', id: 'x', input: {} })).toMatchObject({ ok: false, error: { message: 'unknown event "audit:everything"' } });
    expect(subs.subscribe({ event: 'audit:events', id: 'x', input: { after: -1 } })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('after') } });
    expect(subs.subscribe({ event: 'audit:events', id: 'x', input: { after: 0, extra: true } })).toMatchObject({ ok: false });
    expect(subs.subscribe({ event: 'audit:events', id: 'bad id!', input: { after: 0 } })).toMatchObject({ ok: false });
    expect(subs.size).toBe(0);
    expect(subs.subscribe({ event: 'audit:events', id: 'x', input: { after: 0 } }).ok).toBe(true);
    expect(subs.subscribe({ event: 'audit:events', id: 'x', input: { after: 0 } })).toMatchObject({ ok: false, error: { message: 'subscription x is already open' } });
    subs.unsubscribe({ id: 'unknown' });
    subs.unsubscribe('nonsense');
    expect(subs.size).toBe(1);
    subs.close();
    expect(subs.size).toBe(0);
  });

  it('authorizes the start as the principal (FORBIDDEN and audited as denied without audit:read)', async () => {
    const m = await start();
    const viewer: Principal = { ...localOperator('console'), subject: 'console:guest', role: 'guest-without-audit' };
    m.services.roles.create(localOperator('console'), { name: 'guest-without-audit', permissions: ['contexts:read'] });
    const subs = openSubscriptions(eventSources, m, { ...consoleGuard(NO_SAVE_DIALOG), principal: () => viewer }, collector().send);
    expect(subs.subscribe({ event: 'audit:events', id: 'x', input: { after: 0 } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(subs.size).toBe(0);
    expect(m.core.audit.query({ event_type: 'authz_decision', subject: 'console:guest' }).events[0]).toMatchObject({ result: 'denied', resource: 'audit:read' });
  });

  it('never sends a payload the contract does not allow: the subscriber gets an internal error and the stream ends', async () => {
    const m = await start();
    const c = collector();
    const internal: unknown[] = [];
    let stopped = 0;
    const broken: ConsoleEventSources = {
      'audit:events': {
        needs: [],
        start(_call, _input, emit) {
          setTimeout(() => emit([{ seq: 1, secret: 'not in the contract' }] as never), 5);
          return () => {
            stopped += 1;
          };
        },
      },
    };
    const subs = openSubscriptions(broken, m, consoleGuard(NO_SAVE_DIALOG), c.send, (error) => internal.push(error));
    expect(subs.subscribe({ event: 'audit:events', id: 'x', input: { after: 0 } }).ok).toBe(true);
    await expect.poll(() => c.messages.length).toBe(1);
    expect(c.messages[0]).toEqual({ id: 'x', result: { ok: false, error: { code: 'INTERNAL', message: 'internal error' } } });
    expect(JSON.stringify(c.messages)).not.toContain('not in the contract');
    expect(internal).toHaveLength(1);
    expect(stopped).toBe(1);
    expect(subs.size).toBe(0);
  });

  it('stops a source that fails while starting instead of leaving it open', async () => {
    const m = await start();
    const c = collector();
    let stopped = 0;
    const failing: ConsoleEventSources = {
      'audit:events': {
        needs: [],
        start(_call, _input, _emit, fail) {
          fail(new Error('boom'));
          return () => {
            stopped += 1;
          };
        },
      },
    };
    const subs = openSubscriptions(failing, m, consoleGuard(NO_SAVE_DIALOG), c.send);
    expect(subs.subscribe({ event: 'audit:events', id: 'x', input: { after: 0 } }).ok).toBe(true);
    expect(stopped).toBe(1);
    expect(subs.size).toBe(0);
    expect(c.messages).toHaveLength(1);
  });
});
