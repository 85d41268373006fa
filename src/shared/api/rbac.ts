// Roles, users and the policy simulator over REST: request and response bodies.
import { z } from 'zod';
import { isoTimestamp, roleName } from './common';

export const roleSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  permissions: z.array(z.string()),
  builtin: z.boolean(),
  version: z.number().int(),
  updated_by: z.string(),
  updated_at: isoTimestamp,
});

export const roleListSchema = z.strictObject({ roles: z.array(roleSchema) });
export const roleNameParam = z.strictObject({ name: roleName });

export const createRoleRequestSchema = z.strictObject({
  name: roleName,
  description: z.string().max(500).optional(),
  permissions: z.array(z.string().min(1).max(200)).max(200).describe('e.g. ["contexts:read", "tools:execute:context_get", "audit:*"]'),
});

export const updateRoleRequestSchema = z.strictObject({
  description: z.string().max(500).optional(),
  permissions: z.array(z.string().min(1).max(200)).max(200).optional(),
});

export const userSchema = z.strictObject({
  id: z.uuid(),
  username: z.string(),
  role: z.string(),
  tenant: z.string(),
  disabled: z.boolean(),
  locked_until: isoTimestamp.nullable(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
});

export const userListSchema = z.strictObject({ users: z.array(userSchema) });

export const createUserRequestSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
  role: roleName,
});

export const patchUserRequestSchema = z.strictObject({ disabled: z.boolean() });
export const setUserRoleRequestSchema = z.strictObject({ role: roleName });

export const authzCheckRequestSchema = z.strictObject({
  subject: z.string().min(1).max(200).describe('user:<username>, key:<API key id> or role:<role name>'),
  resource: z.string().min(1).max(64),
  action: z.string().min(1).max(64),
  target: z.string().max(64).optional().describe('a named instance, e.g. a tool name for tools:execute'),
});

export const authzCheckResponseSchema = z.strictObject({
  allowed: z.boolean(),
  reason: z.string(),
  matched_permission: z.string().nullable(),
  role: z.string().nullable(),
});

export type RoleDto = z.infer<typeof roleSchema>;
export type UserDto = z.infer<typeof userSchema>;
