// The MCP tool registry: each tool's schemas, the permissions it needs (tools:execute:<name> plus the contexts permission underneath) and its handler over the contexts service.
import { z } from 'zod';
import {
  appendItemRequestSchema,
  contextItemSchema,
  contextListSchema,
  contextSchema,
  contextSummarySchema,
  createContextRequestSchema,
  updateContextRequestSchema,
} from '../../../shared/api/contexts';
import type { Principal } from '../../core/auth/principal';
import type { Need } from '../../core/rbac/permissions';
import type { Services } from '../../core/services';

export interface ToolDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: z.ZodObject;
  readonly output: z.ZodObject;
  /** Every one of these must be granted: tools:execute:<name>, then what the tool does underneath. */
  readonly needs: readonly Need[];
  readonly readOnly: boolean;
  run(services: Services, principal: Principal, args: Record<string, unknown>): object;
}

const contextId = z.uuid().describe('the context id (a UUID, as context_create or context_list return it)');
const limit = z.number().int().min(1).max(200).optional().describe('at most this many (default 50)');
const cursor = z.string().max(200).optional().describe('next_cursor of the previous page');

function tool(name: string, definition: Omit<ToolDefinition, 'name' | 'needs'> & { contexts?: Need['action'] }): ToolDefinition {
  const { contexts, ...rest } = definition;
  const needs: Need[] = [{ resource: 'tools', action: 'execute', target: name }];
  if (contexts !== undefined) needs.push({ resource: 'contexts', action: contexts });
  return { name, needs, ...rest };
}

export const TOOLS: readonly ToolDefinition[] = [
  tool('context_create', {
    title: 'Create a context',
    description: 'Create a named context: shared memory that agents append items to.',
    input: createContextRequestSchema,
    output: contextSummarySchema,
    contexts: 'write',
    readOnly: false,
    run: ({ contexts }, p, args) => contexts.create(p.tenantId, p.subject, args as z.infer<typeof createContextRequestSchema>),
  }),
  tool('context_get', {
    title: 'Get a context',
    description: 'Get a context with all of its items.',
    input: z.strictObject({ id: contextId }),
    output: contextSchema,
    contexts: 'read',
    readOnly: true,
    run: ({ contexts }, p, args) => contexts.get(p.tenantId, args.id as string),
  }),
  tool('context_list', {
    title: 'List contexts',
    description: 'List contexts, newest first, a page at a time.',
    input: z.strictObject({ limit, cursor }),
    output: contextListSchema,
    contexts: 'read',
    readOnly: true,
    run: ({ contexts }, p, args) => contexts.list(p.tenantId, { limit: args.limit as number | undefined, cursor: args.cursor as string | undefined }),
  }),
  tool('context_append', {
    title: 'Append to a context',
    description: 'Append an item (role and content) to a context.',
    input: appendItemRequestSchema.extend({ id: contextId }),
    output: contextItemSchema,
    contexts: 'write',
    readOnly: false,
    run: ({ contexts }, p, { id, ...item }) => contexts.append(p.tenantId, p.subject, id as string, item as z.infer<typeof appendItemRequestSchema>),
  }),
  tool('context_update', {
    title: 'Update a context',
    description: "Change a context's name, description or metadata (at least one).",
    input: updateContextRequestSchema.extend({ id: contextId }),
    output: contextSummarySchema,
    contexts: 'write',
    readOnly: false,
    run: ({ contexts }, p, { id, ...patch }) => contexts.update(p.tenantId, p.subject, id as string, patch),
  }),
  tool('context_search', {
    title: 'Search contexts',
    description: 'Full-text search over context names, descriptions and item contents; best matches first, with a snippet.',
    input: z.strictObject({ query: z.string().min(1).max(500).describe('words to find'), limit, cursor }),
    output: contextListSchema,
    contexts: 'read',
    readOnly: true,
    run: ({ contexts }, p, args) => contexts.list(p.tenantId, { q: args.query as string, limit: args.limit as number | undefined, cursor: args.cursor as string | undefined }),
  }),
  tool('context_delete', {
    title: 'Delete a context',
    description: 'Delete a context and all of its items. This cannot be undone.',
    input: z.strictObject({ id: contextId }),
    output: z.strictObject({ deleted: z.literal(true), id: z.uuid() }),
    contexts: 'delete',
    readOnly: false,
    run: ({ contexts }, p, args) => {
      contexts.delete(p.tenantId, args.id as string);
      return { deleted: true, id: args.id as string };
    },
  }),
  tool('whoami', {
    title: 'Who am I',
    description: 'The identity this connection acts as: subject, role, tenant and the permissions of that role.',
    input: z.strictObject({}),
    output: z.strictObject({ subject: z.string(), role: z.string(), tenant: z.string(), permissions: z.array(z.string()) }),
    readOnly: true,
    run: ({ authorizer, tenants }, p) => ({ subject: p.subject, role: p.role, tenant: tenants.get(p.tenantId)?.name ?? p.tenantId, permissions: [...authorizer.permissionsOf(p.role)] }),
  }),
];

export const TOOLS_BY_NAME: ReadonlyMap<string, ToolDefinition> = new Map(TOOLS.map((t) => [t.name, t]));

/** Whether the principal may call the tool: every need granted (no audit: for filtering lists). */
export function mayCall(services: Services, principal: Principal, definition: ToolDefinition): boolean {
  return definition.needs.every((need) => services.access.allows(principal, need));
}
