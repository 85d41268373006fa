// The IPC contract: every channel's name, zod input and zod output. The preload API, main's handler registration and the test bridge are all generated from it.
//
// Growing it: each feature keeps its channels in contracts/<feature>.ts (named `domain:verb`) and its handlers in
// src/main/ipc/handlers/<feature>.ts; add the group to mergeContracts below and the handlers to src/main/ipc/handlers.ts.
//
// Subscriptions (main -> renderer events, e.g. the live audit stream) are a second map, `ipcEvents`: each event's start input and
// message payload. The preload exposes one `on<Domain><Noun>(input, listener)` per event that returns its unsubscribe function —
// never a generic `on(channel)` or the raw ipcRenderer; main checks every payload against the contract before it sends it.
import type { z } from 'zod';
import type { ChannelGroup, EventGroup } from './channel';
import { auditChannels, auditEvents } from './contracts/audit';
import { certsChannels } from './contracts/certs';
import { connectChannels } from './contracts/connect';
import { keysChannels } from './contracts/keys';
import { settingsChannels } from './contracts/settings';
import { meshChannels } from './contracts/mesh';
import { overviewChannels } from './contracts/overview';
import { rolesChannels } from './contracts/roles';

type Merged<T extends readonly unknown[]> = T extends readonly [infer Head, ...infer Rest] ? Head & Merged<Rest> : unknown;

/** One contract from the features' groups; a channel defined by two features is a programming error (TypeError at load). */
export function mergeContracts<const T extends readonly (ChannelGroup | EventGroup)[]>(...groups: T): Merged<T> {
  const merged: Record<string, unknown> = {};
  for (const group of groups) {
    for (const [channel, spec] of Object.entries(group)) {
      if (Object.hasOwn(merged, channel)) throw new TypeError(`IPC channel ${channel} is defined by two features`);
      merged[channel] = spec;
    }
  }
  return merged as Merged<T>;
}

export const ipcContract = mergeContracts(meshChannels, overviewChannels, auditChannels, rolesChannels, connectChannels, certsChannels, keysChannels, settingsChannels);

/** Main -> renderer events (subscriptions). */
export const ipcEvents = mergeContracts(auditEvents);

export type IpcContract = typeof ipcContract;
export type IpcChannel = keyof IpcContract & string;
export type IpcInput<C extends IpcChannel> = z.input<IpcContract[C]['input']>;
/** The input as a handler receives it: parsed by the contract (defaults and transforms applied). */
export type IpcParsedInput<C extends IpcChannel> = z.output<IpcContract[C]['input']>;
export type IpcOutput<C extends IpcChannel> = z.output<IpcContract[C]['output']>;
export type { MeshStatus } from './contracts/mesh';

/** The failure half of every IPC result; `code` is one of the shared error codes. */
export interface IpcFailure {
  ok: false;
  error: { code: string; message: string };
}
export type IpcResult<T> = { ok: true; value: T } | IpcFailure;

/** "mesh:status" -> "meshStatus": the method name window.mesh exposes for a channel. */
export function methodName(channel: string): string {
  return channel.replace(/[:-]([a-z])/g, (_, c: string) => c.toUpperCase());
}

type MethodName<C extends string> = C extends `${infer D}:${infer V}` ? `${D}${Capitalize<V>}` : never;

/** The shape of window.mesh: one async method per channel, resolving to the wrapped result. */
export type MeshApi = {
  [C in IpcChannel as MethodName<C>]: IpcInput<C> extends undefined ? () => Promise<IpcResult<IpcOutput<C>>> : (input: IpcInput<C>) => Promise<IpcResult<IpcOutput<C>>>;
} & MeshEventsApi;

export type IpcEvents = typeof ipcEvents;
export type IpcEvent = keyof IpcEvents & string;
export type IpcEventInput<E extends IpcEvent> = z.input<IpcEvents[E]['input']>;
export type IpcParsedEventInput<E extends IpcEvent> = z.output<IpcEvents[E]['input']>;
export type IpcEventPayload<E extends IpcEvent> = z.output<IpcEvents[E]['payload']>;

/** "audit:events" -> "onAuditEvents": the subscribe method window.mesh exposes for an event. */
export function eventMethodName(event: string): string {
  const name = methodName(event);
  return `on${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

type EventMethodName<E extends string> = E extends `${infer D}:${infer N}` ? `on${Capitalize<D>}${Capitalize<N>}` : never;

/** window.mesh's subscriptions: start with an input, receive each message (or the refusal) wrapped as IPC results, call the returned function to stop. */
export type MeshEventsApi = {
  [E in IpcEvent as EventMethodName<E>]: (input: IpcEventInput<E>, listener: (result: IpcResult<IpcEventPayload<E>>) => void) => () => void;
};

export const IPC_CHANNELS = Object.keys(ipcContract) as IpcChannel[];
export const IPC_EVENTS = Object.keys(ipcEvents) as IpcEvent[];

/** The IPC channels main uses for subscriptions themselves (not in the contract: their inputs are checked against ipcEvents). */
export const SUBSCRIBE_CHANNEL = 'ipc:subscribe';
export const UNSUBSCRIBE_CHANNEL = 'ipc:unsubscribe';
