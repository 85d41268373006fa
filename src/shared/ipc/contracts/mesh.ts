// IPC channels about the mesh itself: version, data directory, URLs, master-key source and schema.
import { z } from 'zod';
import type { ChannelGroup } from '../channel';

const meshStatus = z.strictObject({
  version: z.string(),
  dataDir: z.string(),
  urls: z.strictObject({ mcp: z.string(), api: z.string() }),
  masterKeySource: z.enum(['env', 'keychain']),
  keyVersion: z.number().int().positive(),
  schemaVersion: z.number().int().nonnegative(),
  auditEvents: z.number().int().nonnegative(),
});

export const meshChannels = {
  'mesh:status': { input: z.undefined(), output: meshStatus },
} as const satisfies ChannelGroup;

export type MeshStatus = z.infer<typeof meshStatus>;
