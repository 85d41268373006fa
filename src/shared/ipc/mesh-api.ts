// Builds window.mesh from the contract's names over some plumbing: the preload passes Electron's ipcRenderer, the browser test bridge its exposed functions.
//
// This function is self-contained on purpose (no imports, no outer helpers): the test bridge injects its source text into the
// page, so the page runs exactly the code the preload runs.

export interface MeshPlumbing {
  invoke(channel: string, input: unknown): Promise<unknown>;
  /** Asks main to start subscription `id` to `event`; resolves to the IPC result of starting it. */
  subscribe(event: string, id: string, input: unknown): Promise<{ ok: boolean }>;
  unsubscribe(id: string): void;
  /** Registers the one receiver of `event`'s messages (each names the subscription it belongs to). */
  listen(event: string, receive: (message: { id: string; result: unknown }) => void): void;
}

/** `channels`: [method name, channel]; `events`: [method name, event]. Subscribing returns the function that ends it. */
export function buildMeshApi(channels: readonly (readonly [string, string])[], events: readonly (readonly [string, string])[], plumbing: MeshPlumbing): Readonly<Record<string, unknown>> {
  const api: Record<string, unknown> = {};
  for (const [name, channel] of channels) api[name] = (input?: unknown) => plumbing.invoke(channel, input);
  let counter = 0;
  const nonce = Math.random().toString(36).slice(2, 10);
  for (const [name, event] of events) {
    const listeners = new Map<string, (result: unknown) => void>();
    plumbing.listen(event, (message) => listeners.get(message.id)?.(message.result));
    api[name] = (input: unknown, listener: (result: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${name}(input, listener): listener must be a function`);
      counter += 1;
      const id = `${nonce}-${counter}`;
      listeners.set(id, listener);
      void plumbing.subscribe(event, id, input).then((started) => {
        // A refused subscription (bad input, no permission) reports once through the listener and is over.
        if (!started.ok && listeners.delete(id)) listener(started);
      });
      return () => {
        if (listeners.delete(id)) plumbing.unsubscribe(id);
      };
    };
  }
  return Object.freeze(api);
}
