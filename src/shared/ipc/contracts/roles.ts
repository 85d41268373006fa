// IPC channels about roles: the list pickers choose from (the Access control page will grow this group).
import { z } from 'zod';
import type { ChannelGroup } from '../channel';

const roleOption = z.strictObject({
  name: z.string(),
  description: z.string(),
  builtin: z.boolean(),
  /** Within the console operator's own role, so it may hand it out. */
  assignable: z.boolean(),
});

export const rolesChannels = {
  'roles:list': { input: z.undefined(), output: z.strictObject({ roles: z.array(roleOption) }) },
} as const satisfies ChannelGroup;

export type RoleOption = z.infer<typeof roleOption>;
