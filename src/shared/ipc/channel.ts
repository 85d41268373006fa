// What one IPC channel is in the contract: a zod schema for the input the renderer sends and one for the output main returns.
import type { z } from 'zod';

export interface ChannelSpec {
  readonly input: z.ZodType;
  readonly output: z.ZodType;
}

/** One feature's channels, named `domain:verb` (`overview:get`, `connect:setup`). */
export type ChannelGroup = Readonly<Record<`${string}:${string}`, ChannelSpec>>;

/** One main -> renderer event: the input that starts a subscription and the payload of each message it delivers. */
export interface EventSpec {
  readonly input: z.ZodType;
  readonly payload: z.ZodType;
}

/** One feature's events, named `domain:noun` (`audit:events`); the preload exposes each as `on<Domain><Noun>(input, listener)`. */
export type EventGroup = Readonly<Record<`${string}:${string}`, EventSpec>>;
