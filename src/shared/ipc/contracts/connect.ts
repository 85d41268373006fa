// IPC channels of the "Connect an agent" page: a scoped key for an MCP client (created once, then reused) and the client's exact setup.
import { z } from 'zod';
import { MCP_CLIENTS } from '../../mcp-clients';
import type { ChannelGroup } from '../channel';

const setupInput = z.strictObject({
  client: z.enum(MCP_CLIENTS),
  role: z.string().min(1).max(64),
  /** Default mcp-<client>; an active key with this name is reused. */
  key_name: z.string().min(1).max(100, 'must be at most 100 characters').regex(/\S/, 'must not be blank').optional(),
});

const setup = z.strictObject({
  client: z.enum(MCP_CLIENTS),
  title: z.string(),
  key_id: z.string(),
  key_name: z.string(),
  role: z.string(),
  key_created: z.boolean(),
  /** Claude Desktop: the new key went into the OS keychain for the stdio bridge (so it is not shown). */
  key_in_keychain: z.boolean(),
  /** The raw key: only in the answer that created it, and only when the keychain did not take it. Shown once. */
  api_key: z.string().optional(),
  keychain_problem: z.string().optional(),
  url: z.string(),
  file: z.string().nullable(),
  kind: z.enum(['command', 'json']),
  snippet: z.string(),
  steps: z.array(z.string()),
});

export const connectChannels = {
  'connect:setup': { input: setupInput, output: setup },
} as const satisfies ChannelGroup;

export type ConnectSetupInput = z.input<typeof setupInput>;
export type ConnectSetup = z.infer<typeof setup>;
