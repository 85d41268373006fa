// API keys over REST: what a key looks like when listed, and how one is created.
import { z } from 'zod';
import { isoTimestamp, roleName } from './common';

/** "30d", "12h", "90m", "3600s" or a number of seconds; between a minute and ten years (the service checks the string form's range). */
export const durationSchema = z.union([
  z.number().int().min(60).max(10 * 366 * 86400),
  z.string().regex(/^\d{1,6}[smhd]?$/, 'a duration like 30d, 12h, 90m or 3600s'),
]);

export const apiKeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  tenant: z.string(),
  owner: z.string().nullable().describe('username of the user who owns the key, or null for keys created from the CLI'),
  created_by: z.string(),
  created_at: isoTimestamp,
  expires_at: isoTimestamp.nullable(),
  last_used_at: isoTimestamp.nullable(),
  revoked_at: isoTimestamp.nullable(),
});

export const createApiKeyRequestSchema = z.strictObject({
  name: z.string().min(1).max(100),
  role: roleName,
  expires_in: durationSchema.optional(),
});

export const createdApiKeySchema = apiKeySchema.extend({
  key: z.string().describe('the raw key: shown exactly once, store it now'),
});

export const apiKeyListSchema = z.strictObject({ api_keys: z.array(apiKeySchema) });
export const apiKeyIdParam = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9]{8,32}$/) });

export type ApiKeyDto = z.infer<typeof apiKeySchema>;
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;
