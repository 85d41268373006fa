// IPC channels of the "Keys & identities" page: API keys, users, JWT signing-key rotation and lockdown — the same shapes as the REST API.
import { z } from 'zod';
import { lockdownRequestSchema, lockdownResponseSchema } from '../../api/admin';
import { apiKeyIdParam, apiKeySchema, createApiKeyRequestSchema, createdApiKeySchema } from '../../api/api-keys';
import { createUserRequestSchema, userSchema } from '../../api/rbac';
import { roleName } from '../../api/common';
import type { ChannelGroup } from '../channel';

const listedKey = apiKeySchema.extend({ status: z.enum(['active', 'revoked', 'expired']) });
const userId = z.uuid();
/** A change to one user, and how many of their sessions (refresh tokens) it ended. */
const userChange = z.strictObject({ user: userSchema, sessions_ended: z.number().int() });

export const keysChannels = {
  'keys:list': { input: z.undefined(), output: z.strictObject({ api_keys: z.array(listedKey) }) },
  /** The raw key is in this answer only. */
  'keys:create': { input: createApiKeyRequestSchema, output: createdApiKeySchema },
  'keys:revoke': { input: apiKeyIdParam, output: z.strictObject({ id: z.string(), name: z.string() }) },
  'users:list': { input: z.undefined(), output: z.strictObject({ users: z.array(userSchema) }) },
  'users:create': { input: createUserRequestSchema, output: userSchema },
  'users:setRole': { input: z.strictObject({ id: userId, role: roleName }), output: userSchema },
  'users:setDisabled': { input: z.strictObject({ id: userId, disabled: z.boolean() }), output: userChange },
  'users:resetPassword': { input: z.strictObject({ id: userId, password: z.string().min(1).max(1024) }), output: userChange },
  'auth:rotateJwtKey': { input: z.undefined(), output: z.strictObject({ kid: z.string(), previous_valid_until: z.string().nullable() }) },
  /** Re-encrypts every secret under a new, generated master key in one transaction inside the running mesh (keychain-held keys only). */
  'masterKey:rotate': { input: z.undefined(), output: z.strictObject({ key_version: z.number().int(), reencrypted: z.number().int(), warning: z.string().optional() }) },
  'incident:lockdown': { input: lockdownRequestSchema, output: lockdownResponseSchema },
} as const satisfies ChannelGroup;

export type ListedApiKey = z.infer<typeof listedKey>;
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;
export type UserRow = z.infer<typeof userSchema>;
export type MasterKeyRotation = z.infer<(typeof keysChannels)['masterKey:rotate']['output']>;
export type LockdownOutcome = z.infer<typeof lockdownResponseSchema>;
