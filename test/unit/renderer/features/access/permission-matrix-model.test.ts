// The matrix editor's model: cells and tool grants to permission strings and back, implications by wildcards and manage, grants the matrix cannot show, and the diff a save would make.
import { describe, expect, it } from 'vitest';
import {
  cellPermission,
  cellState,
  diffPermissions,
  isEmptyDiff,
  normalizePermissions,
  otherPermissions,
  setGranted,
  toolPermission,
} from '../../../../../src/renderer/src/features/access/permission-matrix-model';

const RESOURCES = ['contexts', 'tools', 'audit'];
const ACTIONS = ['read', 'write', 'execute', 'manage'];
const TOOLS = ['context_get', 'whoami'];

describe('cells and tool grants', () => {
  it('name exactly one permission each, wildcards included', () => {
    expect(cellPermission('contexts', 'read')).toBe('contexts:read');
    expect(cellPermission('*', 'read')).toBe('*:read');
    expect(cellPermission('audit', '*')).toBe('audit:*');
    expect(toolPermission('context_get')).toBe('tools:execute:context_get');
  });

  it('are granted as written, implied by a broader grant (named), or not granted', () => {
    expect(cellState(['contexts:read'], 'contexts:read')).toEqual({ kind: 'granted' });
    expect(cellState(['contexts:*'], 'contexts:write')).toEqual({ kind: 'implied', by: 'contexts:*' });
    expect(cellState(['*:read'], 'audit:read')).toEqual({ kind: 'implied', by: '*:read' });
    expect(cellState(['*:*'], 'tools:execute:whoami')).toEqual({ kind: 'implied', by: '*:*' });
    expect(cellState(['tools:execute'], 'tools:execute:whoami')).toEqual({ kind: 'implied', by: 'tools:execute' });
    expect(cellState(['audit:manage'], 'audit:read')).toEqual({ kind: 'implied', by: 'audit:manage' });
    expect(cellState(['contexts:read'], 'contexts:write')).toEqual({ kind: 'none' });
    expect(cellState(['tools:execute:whoami'], 'tools:execute:context_get')).toEqual({ kind: 'none' });
    expect(cellState(['tools:execute:whoami'], 'tools:execute')).toEqual({ kind: 'none' });
  });

  it('never counts manage as "every action" (*), as the authorizer does not', () => {
    expect(cellState(['audit:manage'], 'audit:*')).toEqual({ kind: 'none' });
  });

  it('ignores a malformed permission instead of throwing', () => {
    expect(cellState(['nonsense'], 'audit:read')).toEqual({ kind: 'none' });
    expect(cellState(['audit:read'], 'nonsense')).toEqual({ kind: 'none' });
  });
});

describe('editing the list', () => {
  it('adds a grant at the end and removes one, keeping the others in order', () => {
    expect(setGranted(['a:read', 'b:read'], 'audit:read', true)).toEqual(['a:read', 'b:read', 'audit:read']);
    expect(setGranted(['a:read', 'audit:read', 'b:read'], 'audit:read', false)).toEqual(['a:read', 'b:read']);
    expect(setGranted(['audit:read'], 'audit:read', true)).toEqual(['audit:read']);
  });

  it('lists the grants neither the matrix nor the tool list shows, so none is hidden', () => {
    const permissions = ['contexts:read', '*:*', 'tools:execute:whoami', 'tools:read:context_get', 'tools:execute:gone', 'certs:read'];
    expect(otherPermissions(permissions, RESOURCES, ACTIONS, TOOLS)).toEqual(['tools:read:context_get', 'tools:execute:gone', 'certs:read']);
  });

  it('normalizes like the role store: trimmed, without duplicates', () => {
    expect(normalizePermissions([' audit:read', 'audit:read ', 'tools:read'])).toEqual(['audit:read', 'tools:read']);
  });
});

describe('diffPermissions', () => {
  it('names what a save adds and removes, sorted', () => {
    const diff = diffPermissions(['contexts:read', 'tools:read', 'audit:read'], ['tools:read', 'tools:execute:whoami', 'contexts:write']);
    expect(diff).toEqual({ added: ['contexts:write', 'tools:execute:whoami'], removed: ['audit:read', 'contexts:read'] });
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('is empty when only the order or spacing changed', () => {
    const diff = diffPermissions(['a:read', 'b:read'], ['b:read ', 'a:read', 'a:read']);
    expect(diff).toEqual({ added: [], removed: [] });
    expect(isEmptyDiff(diff)).toBe(true);
  });
});
