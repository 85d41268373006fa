// The matrix editor's model: a role's permission list seen as cells (resource × action, wildcards included) and per-tool grants, what each cell's state is, and the diff a save would make.
import { covers, parsePermission, type Permission } from '../../../../shared/rbac/permissions';

export const ANY = '*';

/** A cell is exactly one permission: `resource:action`, where either part may be `*`. */
export function cellPermission(resource: string, action: string): string {
  return `${resource}:${action}`;
}

/** The per-tool grant the MCP gate checks before running a tool. */
export function toolPermission(tool: string): string {
  return `tools:execute:${tool}`;
}

/** Granted as written, implied by a broader grant (named), or not granted. */
export type CellState = { kind: 'granted' } | { kind: 'implied'; by: string } | { kind: 'none' };

function parsed(text: string): Permission | undefined {
  try {
    return parsePermission(text);
  } catch {
    return undefined;
  }
}

export function cellState(permissions: readonly string[], permission: string): CellState {
  if (permissions.includes(permission)) return { kind: 'granted' };
  const inner = parsed(permission);
  if (inner === undefined) return { kind: 'none' };
  for (const text of permissions) {
    const outer = parsed(text);
    if (outer !== undefined && covers(outer, inner)) return { kind: 'implied', by: text };
  }
  return { kind: 'none' };
}

/** Adds or removes one permission; the order of the rest is kept (new grants go last). */
export function setGranted(permissions: readonly string[], permission: string, granted: boolean): string[] {
  const rest = permissions.filter((p) => p !== permission);
  return granted ? [...rest, permission] : rest;
}

/** Grants neither the matrix nor the tool list shows (e.g. tools:read:context_get, or a tool that no longer exists), so none is hidden. */
export function otherPermissions(permissions: readonly string[], resources: readonly string[], actions: readonly string[], tools: readonly string[]): string[] {
  const shown = new Set<string>();
  for (const r of [ANY, ...resources]) for (const a of [ANY, ...actions]) shown.add(cellPermission(r, a));
  for (const t of tools) shown.add(toolPermission(t));
  return permissions.filter((p) => !shown.has(p));
}

/** Trimmed, without duplicates: the list as the role store keeps it. */
export function normalizePermissions(permissions: readonly string[]): string[] {
  return [...new Set(permissions.map((p) => p.trim()))];
}

export interface PermissionDiff {
  added: string[];
  removed: string[];
}

export function diffPermissions(before: readonly string[], after: readonly string[]): PermissionDiff {
  const was = new Set(normalizePermissions(before));
  const is = new Set(normalizePermissions(after));
  return { added: [...is].filter((p) => !was.has(p)).sort(), removed: [...was].filter((p) => !is.has(p)).sort() };
}

export function isEmptyDiff(diff: PermissionDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0;
}
