// The authorizer (built-in roles, default deny with reasons, roleWithin, atomic policy swap) and access control's audited require().
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../../../../../src/main/core/audit/audit-service';
import type { Principal } from '../../../../../src/main/core/auth/principal';
import { createAccessControl } from '../../../../../src/main/core/rbac/access-control';
import { builtinRoleDefinitions, createAuthorizer } from '../../../../../src/main/core/rbac/authorizer';
import { BUILTIN_ROLE_PERMISSIONS } from '../../../../../src/main/core/rbac/builtin-roles';
import { ACTIONS, RESOURCES, type Need } from '../../../../../src/main/core/rbac/permissions';
import { openStorage, type Storage } from '../../../../../src/main/core/storage/database';
import { errorOf } from '../../../../helpers/errors';
import { tempDir } from '../../../../helpers/temp-dir';

const need = (text: string): Need => {
  const [resource, action, target] = text.split(':');
  return { resource, action, ...(target === undefined ? {} : { target }) } as Need;
};

describe('built-in roles', () => {
  const authorizer = createAuthorizer();

  it('has exactly admin, user and viewer, each with the documented permissions', () => {
    expect(authorizer.roles().sort()).toEqual(['admin', 'user', 'viewer']);
    for (const role of ['admin', 'user', 'viewer'] as const) expect(authorizer.permissionsOf(role)).toEqual(BUILTIN_ROLE_PERMISSIONS[role]);
  });

  it('lets admin do everything, on every resource and every tool', () => {
    for (const resource of RESOURCES) {
      for (const action of ACTIONS) expect(authorizer.decide('admin', { resource, action }).allowed, `${resource}:${action}`).toBe(true);
    }
    expect(authorizer.decide('admin', need('tools:execute:context_get'))).toEqual({ allowed: true, reason: 'role admin grants *:*', matched_permission: '*:*', role: 'admin' });
  });

  it.each<[string, string, boolean]>([
    ['user', 'contexts:read', true],
    ['user', 'contexts:write', true],
    ['user', 'contexts:delete', true],
    ['user', 'contexts:manage', false],
    ['user', 'tools:read', true],
    ['user', 'tools:execute', true],
    ['user', 'tools:execute:context_get', true],
    ['user', 'tools:manage', false],
    ['user', 'api_keys:read', true],
    ['user', 'api_keys:write', true],
    ['user', 'api_keys:delete', true],
    // Other people's keys are api_keys:manage, which only admin has.
    ['user', 'api_keys:manage', false],
    ['user', 'users:read', false],
    ['user', 'users:write', false],
    ['user', 'roles:read', false],
    ['user', 'audit:read', false],
    ['user', 'certs:read', false],
    ['user', 'settings:write', false],
    ['user', 'metrics:read', false],
    ['viewer', 'contexts:read', true],
    ['viewer', 'contexts:write', false],
    ['viewer', 'contexts:delete', false],
    ['viewer', 'tools:read', true],
    ['viewer', 'tools:execute', false],
    ['viewer', 'tools:execute:context_get', false],
    ['viewer', 'api_keys:read', true],
    ['viewer', 'api_keys:write', false],
    ['viewer', 'api_keys:delete', false],
    ['viewer', 'users:read', false],
    ['viewer', 'audit:read', false],
    ['viewer', 'settings:read', false],
  ])('%s may %s: %s', (role, permission, allowed) => {
    const decision = authorizer.decide(role, need(permission));
    expect(decision.allowed).toBe(allowed);
    expect(decision.role).toBe(role);
    if (allowed) {
      expect(decision.matched_permission).not.toBeNull();
      expect(decision.reason).toBe(`role ${role} grants ${decision.matched_permission ?? ''}`);
    } else {
      expect(decision.matched_permission).toBeNull();
      expect(decision.reason).toBe(`role ${role} lacks ${permission}`);
    }
  });

  it('names the permission that allowed a decision', () => {
    expect(authorizer.decide('user', need('tools:execute:context_get')).matched_permission).toBe('tools:execute');
    expect(authorizer.decide('viewer', need('contexts:read')).matched_permission).toBe('contexts:read');
  });
});

describe('default deny', () => {
  const authorizer = createAuthorizer();

  it('denies a role that does not exist, saying so', () => {
    for (const role of ['root', '', 'Admin', '*']) {
      const decision = authorizer.decide(role, need('contexts:read'));
      expect(decision).toEqual({ allowed: false, reason: `role ${JSON.stringify(role)} does not exist`, matched_permission: null, role });
      expect(authorizer.hasRole(role)).toBe(false);
    }
  });

  it('denies a permission no grant covers, and require() throws FORBIDDEN naming it', () => {
    const error = errorOf(() => authorizer.require('viewer', need('contexts:write')));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe('permission denied: role viewer lacks contexts:write');
    expect(errorOf(() => authorizer.require('nobody', need('contexts:read'))).message).toContain('role "nobody" does not exist');
    expect(authorizer.require('viewer', need('contexts:read')).allowed).toBe(true);
  });

  it('gives a role with no permissions nothing', () => {
    const empty = createAuthorizer([{ name: 'empty', permissions: [] }]);
    expect(empty.hasRole('empty')).toBe(true);
    expect(empty.decide('empty', need('contexts:read'))).toMatchObject({ allowed: false, reason: 'role empty lacks contexts:read' });
  });

  it('honours a per-tool grant for that tool only', () => {
    const custom = createAuthorizer([{ name: 'getter', permissions: ['tools:execute:context_get'] }]);
    expect(custom.decide('getter', need('tools:execute:context_get')).allowed).toBe(true);
    expect(custom.decide('getter', need('tools:execute:context_put')).allowed).toBe(false);
    expect(custom.decide('getter', need('tools:execute')).allowed).toBe(false);
    expect(custom.decide('getter', need('tools:read')).allowed).toBe(false);
  });
});

describe('roleWithin', () => {
  const authorizer = createAuthorizer();

  it.each<[string, string, boolean]>([
    ['viewer', 'user', true],
    ['user', 'admin', true],
    ['viewer', 'admin', true],
    ['admin', 'admin', true],
    ['user', 'user', true],
    ['user', 'viewer', false],
    ['admin', 'user', false],
    ['admin', 'viewer', false],
    ['viewer', 'nobody', false],
    ['nobody', 'admin', false],
  ])('%s within %s: %s', (inner, outer, expected) => {
    expect(authorizer.roleWithin(inner, outer)).toBe(expected);
  });

  it('compares custom roles grant by grant, including per-tool grants and manage', () => {
    const custom = createAuthorizer([
      ...builtinRoleDefinitions(),
      { name: 'getter', permissions: ['tools:execute:context_get'] },
      { name: 'keymaster', permissions: ['api_keys:manage'] },
      { name: 'keyreader', permissions: ['api_keys:read', 'api_keys:delete'] },
    ]);
    expect(custom.roleWithin('getter', 'user')).toBe(true);
    expect(custom.roleWithin('getter', 'viewer')).toBe(false);
    expect(custom.roleWithin('user', 'getter')).toBe(false);
    expect(custom.roleWithin('keyreader', 'keymaster')).toBe(true);
    expect(custom.roleWithin('keymaster', 'user')).toBe(false);
  });
});

describe('load', () => {
  it('swaps the whole policy: an added role is honoured, a removed one is denied', () => {
    const authorizer = createAuthorizer();
    expect(authorizer.decide('auditor', need('audit:read')).allowed).toBe(false);
    authorizer.load([
      { name: 'admin', permissions: ['*:*'] },
      { name: 'auditor', permissions: ['audit:read'] },
    ]);
    expect(authorizer.decide('auditor', need('audit:read')).allowed).toBe(true);
    expect(authorizer.decide('auditor', need('audit:write')).allowed).toBe(false);
    expect(authorizer.hasRole('viewer')).toBe(false);
    expect(authorizer.decide('viewer', need('contexts:read'))).toMatchObject({ allowed: false, reason: 'role "viewer" does not exist' });
    expect(authorizer.roles().sort()).toEqual(['admin', 'auditor']);
  });

  it('changes the permissions of a role that stays', () => {
    const authorizer = createAuthorizer();
    authorizer.load(builtinRoleDefinitions().map((d) => (d.name === 'viewer' ? { name: 'viewer', permissions: ['audit:read'] } : d)));
    expect(authorizer.decide('viewer', need('contexts:read')).allowed).toBe(false);
    expect(authorizer.decide('viewer', need('audit:read')).allowed).toBe(true);
    expect(authorizer.permissionsOf('viewer')).toEqual(['audit:read']);
  });

  it('keeps the old policy entirely when the new one has a bad permission', () => {
    const authorizer = createAuthorizer();
    const error = errorOf(() =>
      authorizer.load([
        { name: 'auditor', permissions: ['audit:read'] },
        { name: 'broken', permissions: ['contexts:read', 'contexts:fly'] },
      ]),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('"contexts:fly"');
    // Not half-applied: the earlier, valid role was not added, and the built-in roles are still there.
    expect(authorizer.hasRole('auditor')).toBe(false);
    expect(authorizer.roles().sort()).toEqual(['admin', 'user', 'viewer']);
    expect(authorizer.decide('viewer', need('contexts:read')).allowed).toBe(true);
  });

  it('is not affected by later changes to the definitions it was given', () => {
    const permissions = ['contexts:read'];
    const authorizer = createAuthorizer([{ name: 'reader', permissions }]);
    permissions.push('contexts:delete');
    expect(authorizer.decide('reader', need('contexts:delete')).allowed).toBe(false);
  });
});

describe('access control', () => {
  const opened: { storage: Storage; audit: AuditService }[] = [];
  afterEach(async () => {
    for (const { storage, audit } of opened.splice(0)) {
      await audit.close();
      storage.close();
    }
  });

  function setup(): { audit: AuditService } {
    const storage = openStorage({ file: join(tempDir(), 'devmesh.db') });
    const audit = createAuditService({ db: storage.db, flushIntervalMs: 60_000 });
    opened.push({ storage, audit });
    return { audit };
  }

  const principal = (role: string, tenantId = 'default'): Principal => ({ subject: `user:${role}-person`, kind: 'user', tenantId, role, userId: 'u1', keyId: null, authMethod: 'jwt' });
  const ctx = { ip: '127.0.0.1', userAgent: 'vitest', traceId: 'trace-1' };

  it('audits an allowed decision and returns it', () => {
    const { audit } = setup();
    const access = createAccessControl({ authorizer: createAuthorizer(), audit });
    const decision = access.require(principal('user'), need('contexts:write'), ctx, 'contexts:5b1c0f5e-1f8a-4b6e-9d38-7f7f0e2e6a11');
    expect(decision.allowed).toBe(true);
    const { events } = audit.query({ event_type: 'authz_decision' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_type: 'authz_decision',
      subject: 'user:user-person',
      action: 'write',
      resource: 'contexts:5b1c0f5e-1f8a-4b6e-9d38-7f7f0e2e6a11',
      result: 'success',
      tenant_id: 'default',
      ip: '127.0.0.1',
      user_agent: 'vitest',
      trace_id: 'trace-1',
      metadata: { permission: 'contexts:write', role: 'user', matched: 'contexts:write', reason: 'role user grants contexts:write' },
    });
  });

  it('audits a denied decision, then throws FORBIDDEN naming the missing permission', () => {
    const { audit } = setup();
    const access = createAccessControl({ authorizer: createAuthorizer(), audit });
    const error = errorOf(() => access.require(principal('viewer', 'acme'), need('contexts:delete'), ctx, 'contexts:abc'));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('contexts:delete');
    // The denial is filed under the caller's tenant.
    expect(audit.query({ event_type: 'authz_decision' }).events).toEqual([]);
    const { events } = audit.query({ event_type: 'authz_decision', tenant_id: 'acme' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      subject: 'user:viewer-person',
      action: 'delete',
      resource: 'contexts:abc',
      result: 'denied',
      tenant_id: 'acme',
      metadata: { permission: 'contexts:delete', role: 'viewer', matched: null, reason: 'role viewer lacks contexts:delete' },
    });
  });

  it('names the permission as the resource when there is no target, and audits every call', () => {
    const { audit } = setup();
    const access = createAccessControl({ authorizer: createAuthorizer(), audit });
    access.require(principal('user'), need('tools:execute:context_get'), {});
    access.require(principal('user'), need('contexts:read'), {});
    expect(() => access.require(principal('ghost'), need('contexts:read'), {})).toThrow(/does not exist/);
    const { events } = audit.query({ event_type: 'authz_decision' });
    // Newest first.
    expect(events.map((e) => [e.resource, e.result])).toEqual([
      ['contexts:read', 'denied'],
      ['contexts:read', 'success'],
      ['tools:execute:context_get', 'success'],
    ]);
    expect(events[2]?.trace_id).toBeNull();
  });

  it('allows() decides without auditing', () => {
    const { audit } = setup();
    const access = createAccessControl({ authorizer: createAuthorizer(), audit });
    expect(access.allows(principal('viewer'), need('contexts:read'))).toBe(true);
    expect(access.allows(principal('viewer'), need('contexts:write'))).toBe(false);
    expect(audit.query({ event_type: 'authz_decision' }).events).toEqual([]);
  });

  it('follows a policy loaded after it was created', () => {
    const { audit } = setup();
    const authorizer = createAuthorizer();
    const access = createAccessControl({ authorizer, audit });
    authorizer.load([{ name: 'viewer', permissions: ['contexts:read', 'contexts:write'] }]);
    expect(access.require(principal('viewer'), need('contexts:write'), {}).allowed).toBe(true);
    expect(errorOf(() => access.require(principal('user'), need('contexts:read'), {})).code).toBe('FORBIDDEN');
  });
});
