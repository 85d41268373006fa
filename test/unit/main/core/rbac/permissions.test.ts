// Permission strings: parsing resource:action[:tool] with wildcards, matching a grant against a need, and one grant covering another.
import { describe, expect, it } from 'vitest';
import { covers, formatNeed, parsePermission, permits, type Need } from '../../../../../src/main/core/rbac/permissions';
import { errorOf } from '../../../../helpers/errors';

const need = (text: string): Need => {
  const [resource, action, target] = text.split(':');
  return { resource, action, ...(target === undefined ? {} : { target }) } as Need;
};

describe('parsePermission', () => {
  it.each([
    ['contexts:read', 'contexts', 'read', undefined],
    ['api_keys:manage', 'api_keys', 'manage', undefined],
    ['*:read', '*', 'read', undefined],
    ['audit:*', 'audit', '*', undefined],
    ['*:*', '*', '*', undefined],
    ['tools:execute:context_get', 'tools', 'execute', 'context_get'],
    ['tools:execute:git.status-v2', 'tools', 'execute', 'git.status-v2'],
    // A wildcard target is the same grant as no target: every tool.
    ['tools:execute:*', 'tools', 'execute', undefined],
    ['tools:*:context_get', 'tools', '*', 'context_get'],
  ])('accepts %s', (text, resource, action, target) => {
    expect(parsePermission(text)).toEqual({ text, resource, action, target });
  });

  it.each([
    ['contexts', 'is not resource:action'],
    ['', 'is not resource:action'],
    ['tools:execute:a:b', 'is not resource:action'],
    ['widgets:read', 'unknown resource "widgets"'],
    [':read', 'unknown resource ""'],
    ['Contexts:read', 'unknown resource "Contexts"'],
    ['contexts:publish', 'unknown action "publish"'],
    ['contexts:', 'unknown action ""'],
    ['contexts:READ', 'unknown action "READ"'],
    ['contexts:read:mine', 'only tools have'],
    ['*:execute:context_get', 'only tools have'],
    ['tools:execute:', 'malformed target'],
    ['tools:execute:Context_Get', 'malformed target'],
    ['tools:execute:1tool', 'malformed target'],
    ['tools:execute:has space', 'malformed target'],
    [`tools:execute:${'a'.repeat(65)}`, 'malformed target'],
  ])('rejects %j: %s', (text, why) => {
    const error = errorOf(() => parsePermission(text));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain(`permission ${JSON.stringify(text)}`);
    expect(error.message).toContain(why);
    // The message says what a valid permission looks like.
    expect(error.message).toContain('contexts:read');
  });
});

describe('permits', () => {
  it.each<[string, string, boolean]>([
    ['contexts:read', 'contexts:read', true],
    ['contexts:read', 'contexts:write', false],
    ['contexts:read', 'tools:read', false],
    ['contexts:*', 'contexts:delete', true],
    ['contexts:*', 'users:read', false],
    ['*:read', 'audit:read', true],
    ['*:read', 'audit:write', false],
    ['*:*', 'settings:manage', true],
    ['*:*', 'tools:execute:anything', true],
    // manage is the administrator's verb: it implies every other action on its resource, and only there.
    ['users:manage', 'users:read', true],
    ['users:manage', 'users:delete', true],
    ['users:manage', 'roles:read', false],
    ['users:write', 'users:manage', false],
    // A grant without a target covers every tool; a per-tool grant covers that tool only.
    ['tools:execute', 'tools:execute:context_get', true],
    ['tools:execute', 'tools:execute', true],
    ['tools:execute:*', 'tools:execute:context_put', true],
    ['tools:execute:context_get', 'tools:execute:context_get', true],
    ['tools:execute:context_get', 'tools:execute:context_put', false],
    ['tools:execute:context_get', 'tools:execute:context_get_all', false],
    ['tools:execute:context_get', 'tools:execute', false],
    ['tools:execute:context_get', 'tools:read', false],
    ['tools:*:context_get', 'tools:read:context_get', true],
  ])('%s grants %s: %s', (granted, needed, expected) => {
    expect(permits(parsePermission(granted), need(needed))).toBe(expected);
  });
});

describe('covers', () => {
  it.each<[string, string, boolean]>([
    ['*:*', 'contexts:read', true],
    ['*:*', '*:*', true],
    ['*:*', 'tools:execute:context_get', true],
    ['contexts:read', 'contexts:read', true],
    ['contexts:read', 'contexts:write', false],
    ['contexts:read', '*:read', false],
    ['contexts:read', 'contexts:*', false],
    ['contexts:*', 'contexts:delete', true],
    ['contexts:*', 'contexts:*', true],
    ['*:read', 'tools:read', true],
    ['*:read', '*:write', false],
    ['users:manage', 'users:write', true],
    ['users:manage', 'users:manage', true],
    ['users:manage', 'roles:write', false],
    ['users:write', 'users:manage', false],
    ['tools:execute', 'tools:execute:context_get', true],
    ['tools:execute:context_get', 'tools:execute:context_get', true],
    ['tools:execute:context_get', 'tools:execute', false],
    ['tools:execute:context_get', 'tools:execute:context_put', false],
    ['tools:execute:context_get', 'tools:*:context_get', false],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(covers(parsePermission(outer), parsePermission(inner))).toBe(expected);
  });

  it('never says a grant is covered when the covering grant permits less', () => {
    // covers() must be at least as strict as permits(): whatever outer covers, every need inner permits outer permits too.
    const grants = ['*:*', '*:read', 'contexts:*', 'contexts:read', 'contexts:manage', 'users:manage', 'tools:execute', 'tools:execute:context_get', 'tools:*:context_get'].map(parsePermission);
    const needs = ['contexts:read', 'contexts:write', 'contexts:manage', 'users:read', 'users:manage', 'tools:read', 'tools:execute', 'tools:execute:context_get', 'tools:execute:context_put', 'tools:read:context_get'].map(need);
    for (const outer of grants) {
      for (const inner of grants) {
        if (!covers(outer, inner)) continue;
        for (const n of needs) {
          if (permits(inner, n)) expect(permits(outer, n), `${outer.text} covers ${inner.text} but does not permit ${formatNeed(n)}`).toBe(true);
        }
      }
    }
  });
});

describe('formatNeed', () => {
  it('writes a need the way permissions are written', () => {
    expect(formatNeed({ resource: 'contexts', action: 'read' })).toBe('contexts:read');
    expect(formatNeed({ resource: 'tools', action: 'execute', target: 'context_get' })).toBe('tools:execute:context_get');
  });
});
