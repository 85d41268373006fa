// The client's requests the mesh has not answered yet: each one ends with the mesh's answer or an error from the bridge, never silence.
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

interface Pending {
  method: string;
  /** The POST was accepted and the answer is to come on an event stream, which can still break. */
  streaming: boolean;
}

export interface PendingRequests {
  add(id: RequestId, method: string): void;
  /** Removes the request and returns its method; undefined if it was not pending (answered already, or cancelled). */
  take(id: RequestId): string | undefined;
  markStreaming(id: RequestId): void;
  /** Removes and returns the requests waiting on an event stream. */
  takeStreaming(): RequestId[];
  /** Resolves once nothing is pending. */
  whenEmpty(): Promise<void>;
}

export function createPendingRequests(): PendingRequests {
  const pending = new Map<RequestId, Pending>();
  let waiters: Array<() => void> = [];

  function settle(): void {
    if (pending.size > 0) return;
    for (const wake of waiters) wake();
    waiters = [];
  }

  return {
    add: (id, method) => void pending.set(id, { method, streaming: false }),
    take(id) {
      const entry = pending.get(id);
      pending.delete(id);
      settle();
      return entry?.method;
    },
    markStreaming(id) {
      const entry = pending.get(id);
      if (entry !== undefined) entry.streaming = true;
    },
    takeStreaming() {
      const ids = [...pending].filter(([, entry]) => entry.streaming).map(([id]) => id);
      for (const id of ids) pending.delete(id);
      settle();
      return ids;
    },
    whenEmpty: () => (pending.size === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
  };
}
