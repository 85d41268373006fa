// window.mesh's builder: one method per channel, one on<Name> per event with its own subscription id, refusals reported once, unsubscribe once — and self-contained, since the test bridge runs its source text in the page.
import { describe, expect, it } from 'vitest';
import { eventMethodName, IPC_EVENTS } from '../../../src/shared/ipc/contract';
import { buildMeshApi, type MeshPlumbing } from '../../../src/shared/ipc/mesh-api';

function fakePlumbing(startResult: { ok: boolean } = { ok: true }) {
  const calls: string[] = [];
  const receivers = new Map<string, (message: { id: string; result: unknown }) => void>();
  const plumbing: MeshPlumbing = {
    invoke: (channel, input) => {
      calls.push(`invoke ${channel} ${JSON.stringify(input)}`);
      return Promise.resolve({ ok: true, value: 1 });
    },
    subscribe: (event, id, input) => {
      calls.push(`subscribe ${event} ${id} ${JSON.stringify(input)}`);
      return Promise.resolve(startResult);
    },
    unsubscribe: (id) => calls.push(`unsubscribe ${id}`),
    listen: (event, receive) => receivers.set(event, receive),
  };
  return { calls, receivers, plumbing };
}

type Api = Record<string, (...args: unknown[]) => unknown>;

describe('buildMeshApi', () => {
  it('names subscribe methods on<Domain><Noun> for every contract event', () => {
    expect(IPC_EVENTS.map(eventMethodName)).toContain('onAuditEvents');
  });

  it('forwards calls and keeps each subscription to its own messages', async () => {
    const { calls, receivers, plumbing } = fakePlumbing();
    const api = buildMeshApi([['meshStatus', 'mesh:status']], [['onAuditEvents', 'audit:events']], plumbing) as Api;
    expect(Object.isFrozen(api)).toBe(true);
    await expect(api.meshStatus?.()).resolves.toEqual({ ok: true, value: 1 });
    const a: unknown[] = [];
    const b: unknown[] = [];
    const stopA = api.onAuditEvents?.({ after: 1 }, (r: unknown) => a.push(r)) as () => void;
    api.onAuditEvents?.({ after: 2 }, (r: unknown) => b.push(r));
    const ids = calls.filter((c) => c.startsWith('subscribe')).map((c) => c.split(' ')[2] ?? '');
    expect(new Set(ids).size).toBe(2);
    const receive = receivers.get('audit:events');
    receive?.({ id: ids[0] ?? '', result: 'for a' });
    receive?.({ id: ids[1] ?? '', result: 'for b' });
    receive?.({ id: 'someone-else', result: 'for nobody' });
    expect(a).toEqual(['for a']);
    expect(b).toEqual(['for b']);
    stopA();
    stopA();
    expect(calls.filter((c) => c.startsWith('unsubscribe'))).toEqual([`unsubscribe ${ids[0]}`]);
    receive?.({ id: ids[0] ?? '', result: 'late' });
    expect(a).toEqual(['for a']);
    expect(() => api.onAuditEvents?.({ after: 0 }, 'not a function')).toThrow(TypeError);
  });

  it('reports a refused subscription once through the listener and forgets it', async () => {
    const refusal = { ok: false, error: { code: 'FORBIDDEN', message: 'no' } };
    const { calls, plumbing } = fakePlumbing(refusal);
    const api = buildMeshApi([], [['onAuditEvents', 'audit:events']], plumbing) as Api;
    const got: unknown[] = [];
    const stop = api.onAuditEvents?.({ after: 0 }, (r: unknown) => got.push(r)) as () => void;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(got).toEqual([refusal]);
    stop();
    expect(calls.some((c) => c.startsWith('unsubscribe'))).toBe(false);
  });

  it('runs from its source text alone (what the test bridge injects)', () => {
    const rebuilt = new Function(`return (${buildMeshApi.toString()})`)() as typeof buildMeshApi;
    const { calls, plumbing } = fakePlumbing();
    const api = rebuilt([['meshStatus', 'mesh:status']], [], plumbing) as Api;
    void api.meshStatus?.({ x: 1 });
    expect(calls).toEqual(['invoke mesh:status {"x":1}']);
  });
});
