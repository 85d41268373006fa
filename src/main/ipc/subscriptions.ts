// Subscriptions of one subscriber (a window, or the test bridge's page): each start checked against the event contract and RBAC, each payload against its schema before it is sent, and all ended with the subscriber.
import { z } from 'zod';
import { ipcEvents, type IpcEvent, type IpcEventPayload, type IpcParsedEventInput, type IpcResult } from '../../shared/ipc/contract';
import type { Need } from '../core/rbac/permissions';
import type { Mesh } from '../mesh';
import type { ConsoleCall, GuardOptions } from './console-handler';
import { ipcFailure } from './dispatch';

export interface ConsoleEventSource<E extends IpcEvent> {
  /** Every permission a subscription needs, decided and audited when it starts. */
  needs: readonly Need[];
  /** Starts delivering to `emit`; `fail` ends the subscription with an error. Returns the function that stops it. */
  start(call: ConsoleCall, input: IpcParsedEventInput<E>, emit: (payload: IpcEventPayload<E>) => void, fail: (error: unknown) => void): () => void;
}

export type ConsoleEventSources = { [E in IpcEvent]: ConsoleEventSource<E> };

/** What main sends on an event's channel: the subscription it belongs to and one payload (or the error that ended it). */
export interface SubscriptionMessage {
  id: string;
  result: IpcResult<unknown>;
}

export interface Subscriptions {
  /** Starts `{ event, id, input }` (untrusted); messages go to `send`. */
  subscribe(raw: unknown): IpcResult<{ id: string }>;
  /** Ends `{ id }` (untrusted); unknown ids are ignored. */
  unsubscribe(raw: unknown): void;
  /** Ends every subscription (the window closed, the page went away). */
  close(): void;
  readonly size: number;
}

const subscribeRequest = z.strictObject({ event: z.string().max(64), id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/), input: z.unknown() });
const unsubscribeRequest = z.strictObject({ id: z.string().max(64) });
const MAX_OPEN = 32;

export function openSubscriptions(
  sources: ConsoleEventSources,
  mesh: Mesh,
  guard: GuardOptions,
  send: (event: IpcEvent, message: SubscriptionMessage) => void,
  onInternalError: (error: unknown, event: string) => void = () => undefined,
): Subscriptions {
  const open = new Map<string, () => void>();
  const refuse = (message: string): IpcResult<never> => ({ ok: false, error: { code: 'VALIDATION_FAILED', message } });

  return {
    subscribe(raw) {
      const request = subscribeRequest.safeParse(raw);
      if (!request.success) return refuse('subscription request must be { event, id, input }');
      const { event, id, input } = request.data;
      if (!Object.hasOwn(ipcEvents, event)) return refuse(`unknown event ${JSON.stringify(event)}`);
      if (open.has(id)) return refuse(`subscription ${id} is already open`);
      if (open.size >= MAX_OPEN) return refuse(`too many open subscriptions (at most ${MAX_OPEN})`);
      const name = event as IpcEvent;
      const spec = ipcEvents[name];
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return refuse(`${event}: ${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
      }
      const source = sources[name] as ConsoleEventSource<IpcEvent>;
      const call: ConsoleCall = { mesh, principal: guard.principal(), request: guard.request(), host: guard.host };
      let ended = false;
      const end = (): void => {
        ended = true;
        open.get(id)?.();
        open.delete(id);
      };
      const fail = (error: unknown): void => {
        if (ended) return;
        send(name, { id, result: ipcFailure(error, (cause) => onInternalError(cause, event)) });
        end();
      };
      const emit = (payload: unknown): void => {
        if (ended) return;
        const checked = spec.payload.safeParse(payload);
        if (!checked.success) {
          fail(new Error(`${event}: payload does not match the contract: ${checked.error.message}`));
          return;
        }
        send(name, { id, result: { ok: true, value: checked.data } });
      };
      try {
        for (const need of source.needs) mesh.services.access.require(call.principal, need, call.request);
        const stop = source.start(call, parsed.data, emit, fail);
        // A source that failed while starting has already told the subscriber.
        if (ended) stop();
        else open.set(id, stop);
      } catch (error) {
        return ipcFailure(error, (cause) => onInternalError(cause, event));
      }
      return { ok: true, value: { id } };
    },
    unsubscribe(raw) {
      const request = unsubscribeRequest.safeParse(raw);
      if (!request.success) return;
      open.get(request.data.id)?.();
      open.delete(request.data.id);
    },
    close() {
      for (const stop of open.values()) stop();
      open.clear();
    },
    get size() {
      return open.size;
    },
  };
}
