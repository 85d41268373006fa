// The IPC contract: every channel's name, zod input and zod output. The preload API, main's handler registration and the test bridge are all generated from it.
import { z } from 'zod';

const meshStatus = z.strictObject({
  version: z.string(),
  dataDir: z.string(),
  urls: z.strictObject({ mcp: z.string(), api: z.string() }),
  masterKeySource: z.enum(['env', 'keychain']),
  keyVersion: z.number().int().positive(),
  schemaVersion: z.number().int().nonnegative(),
  auditEvents: z.number().int().nonnegative(),
});

export const ipcContract = {
  'mesh:status': { input: z.undefined(), output: meshStatus },
} as const;

export type IpcContract = typeof ipcContract;
export type IpcChannel = keyof IpcContract;
export type IpcInput<C extends IpcChannel> = z.input<IpcContract[C]['input']>;
export type IpcOutput<C extends IpcChannel> = z.output<IpcContract[C]['output']>;
export type MeshStatus = z.infer<typeof meshStatus>;

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
};

export const IPC_CHANNELS = Object.keys(ipcContract) as IpcChannel[];
