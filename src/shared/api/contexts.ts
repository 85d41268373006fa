// Contexts (agents' shared memory) over REST and MCP: the shapes of a context, its items, and the requests that change them.
import { z } from 'zod';
import { isoTimestamp } from './common';

export const ITEM_ROLES = ['user', 'assistant', 'system'] as const;

const metadataSchema = z.record(z.string(), z.unknown()).describe('free-form JSON object');

export const contextItemSchema = z.strictObject({
  id: z.number().int(),
  role: z.enum(ITEM_ROLES),
  content: z.string(),
  metadata: metadataSchema,
  created_by: z.string(),
  created_at: isoTimestamp,
});

export const contextSummarySchema = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  metadata: metadataSchema,
  item_count: z.number().int(),
  created_by: z.string(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
});

export const contextSchema = contextSummarySchema.extend({ items: z.array(contextItemSchema) });

export const createContextRequestSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).optional(),
  metadata: metadataSchema.optional(),
});

/** At least one field must be given (checked by the service, which says so in plain words). */
export const updateContextRequestSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(10_000).optional(),
  metadata: metadataSchema.optional(),
});

export const appendItemRequestSchema = z.strictObject({
  role: z.enum(ITEM_ROLES),
  content: z.string().min(1).max(1_000_000),
  metadata: metadataSchema.optional(),
});

export const listContextsQuerySchema = z.strictObject({
  q: z.string().min(1).max(500).optional().describe('full-text search over names, descriptions and item contents'),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(200).optional().describe('next_cursor of the previous page'),
});

export const contextListSchema = z.strictObject({
  contexts: z.array(contextSummarySchema.extend({ snippet: z.string().optional().describe('matching text, when searching') })),
  next_cursor: z.string().nullable(),
});

export type ContextDto = z.infer<typeof contextSchema>;
export type ContextSummaryDto = z.infer<typeof contextSummarySchema>;
export type ContextItemDto = z.infer<typeof contextItemSchema>;
export type CreateContextRequest = z.infer<typeof createContextRequestSchema>;
export type UpdateContextRequest = z.infer<typeof updateContextRequestSchema>;
export type AppendItemRequest = z.infer<typeof appendItemRequestSchema>;
