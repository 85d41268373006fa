// Schemas shared by every REST route: ids, timestamps, the error body, pagination.
import { z } from 'zod';
import { ERROR_CODES } from '../errors';

export const isoTimestamp = z.string().describe('ISO 8601 timestamp (UTC)');

export const uuidParam = z.strictObject({ id: z.uuid() });

export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODES as [string, ...string[]]),
    message: z.string(),
    trace_id: z.string(),
  }),
});

export const BUILTIN_ROLES = ['admin', 'user', 'viewer'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

/** Role names: built-in ones now, custom ones (editable RBAC) later; same spelling rules for both. */
export const roleName = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'a role is lower-case letters, digits, - and _');

export const tenantName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant name is lower-case letters, digits and -');
