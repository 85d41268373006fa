// IPC channels about roles: the list pickers choose from, and the Access control page's role details, permission catalog, role changes and policy simulator — the REST API's shapes.
import { z } from 'zod';
import { authzCheckRequestSchema, authzCheckResponseSchema, createRoleRequestSchema, roleNameParam, roleSchema, updateRoleRequestSchema } from '../../api/rbac';
import { roleName } from '../../api/common';
import type { ChannelGroup } from '../channel';

const roleOption = z.strictObject({
  name: z.string(),
  description: z.string(),
  builtin: z.boolean(),
  /** Within the console operator's own role, so it may hand it out. */
  assignable: z.boolean(),
});

const holderUser = z.strictObject({ id: z.uuid(), username: z.string(), disabled: z.boolean() });
const holderKey = z.strictObject({ id: z.string(), name: z.string(), status: z.enum(['active', 'expired']) });

const roleDetails = roleSchema.extend({
  /** Who holds the role in the operator's tenant; API keys keep the role they were created with. */
  holders: z.strictObject({
    users: z.array(holderUser),
    api_keys: z.array(holderKey),
    /** Holders in other tenants (roles are shared by every tenant): they count when the role changes or is deleted. */
    other_tenants: z.number().int().min(0),
  }),
  /** Null when the operator may change the role; otherwise why not (built-in, or the operator's own role). */
  read_only_reason: z.string().nullable(),
});

const catalog = z.strictObject({
  resources: z.array(z.string()),
  actions: z.array(z.string()),
  /** The MCP tools, for per-tool grants (tools:execute:<tool>). */
  tools: z.array(z.strictObject({ name: z.string(), title: z.string() })),
});

export const rolesChannels = {
  'roles:list': { input: z.undefined(), output: z.strictObject({ roles: z.array(roleOption) }) },
  'roles:get': { input: roleNameParam, output: roleDetails },
  'roles:catalog': { input: z.undefined(), output: catalog },
  'roles:create': { input: createRoleRequestSchema, output: roleSchema },
  'roles:update': { input: z.strictObject({ name: roleName, ...updateRoleRequestSchema.shape }), output: roleSchema },
  'roles:delete': { input: roleNameParam, output: z.strictObject({ name: z.string() }) },
  /** "Can subject X do action Y on Z?": the REST simulator's question and answer. */
  'roles:simulate': { input: authzCheckRequestSchema, output: authzCheckResponseSchema },
} as const satisfies ChannelGroup;

export type RoleOption = z.infer<typeof roleOption>;
export type RoleDetails = z.infer<typeof roleDetails>;
export type PermissionCatalog = z.infer<typeof catalog>;
export type SimulationQuestion = z.infer<typeof authzCheckRequestSchema>;
export type SimulationAnswer = z.infer<typeof authzCheckResponseSchema>;
