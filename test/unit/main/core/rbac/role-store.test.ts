// The role store over a real SQLite file: every version kept (deletion included), all-or-nothing changes, guard rails, reload across stores sharing the file, and a 50-role policy.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../../../../src/main/core/auth/principal';
import { ACTIONS, RESOURCES, type Action, type Need, type Resource } from '../../../../../src/main/core/rbac/permissions';
import { createRoleStore, type RoleStore } from '../../../../../src/main/core/rbac/role-store';
import { createChangeEpoch } from '../../../../../src/main/core/storage/change-epoch';
import { openStorage, type Storage } from '../../../../../src/main/core/storage/database';
import { createMetaStore } from '../../../../../src/main/core/storage/meta';
import { errorOf } from '../../../../helpers/errors';
import { tempDir } from '../../../../helpers/temp-dir';

const ADMIN: Principal = { subject: 'cli:test', kind: 'cli', tenantId: 'default', role: 'admin', userId: null, keyId: null, authMethod: 'local' };
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const opened: Storage[] = [];
afterEach(() => {
  for (const storage of opened.splice(0)) storage.close();
});

/** A store over `file` (a new temp database unless given), with its own connection, as a second process would have. */
function openStore(file = join(tempDir(), 'roles.db'), now?: () => Date): { store: RoleStore; storage: Storage; file: string } {
  const storage = openStorage({ file });
  opened.push(storage);
  const store = createRoleStore({ db: storage.db, meta: createMetaStore(storage.db), epoch: createChangeEpoch(storage.db), ...(now === undefined ? {} : { now }) });
  return { store, storage, file };
}

interface VersionRow {
  name: string;
  version: number;
  description: string;
  permissions: string[];
  deleted: boolean;
  changed_by: string;
  changed_at: string;
}

function versions(storage: Storage, name: string): VersionRow[] {
  return storage.db
    .prepare<[string], Omit<VersionRow, 'permissions' | 'deleted'> & { permissions: string; deleted: number }>('SELECT name, version, description, permissions, deleted, changed_by, changed_at FROM role_versions WHERE name = ? ORDER BY version')
    .all(name)
    .map((r) => ({ ...r, permissions: JSON.parse(r.permissions) as string[], deleted: r.deleted === 1 }));
}

function actor(role: string, subject = `user:${role}-holder`): Principal {
  return { ...ADMIN, subject, kind: 'user', role, authMethod: 'jwt' };
}

describe('role versions', () => {
  it('moves the policy version on every change, made here or through another connection, and only then', async () => {
    const { store, file } = openStore();
    const other = openStore(file).store;
    const start = store.policyVersion();
    expect(store.policyVersion()).toBe(start);
    other.create(ADMIN, { name: 'watcher', permissions: ['audit:read'] });
    await nextTurn();
    const created = store.policyVersion();
    expect(created).not.toBe(start);
    expect(store.policyVersion()).toBe(created);
    store.update(ADMIN, 'watcher', { permissions: ['audit:read', 'metrics:read'] });
    expect(store.policyVersion()).not.toBe(created);
  });

  it('records every version in role_versions, the deletion too, and a re-created role continues the numbering', () => {
    let clock = Date.parse('2030-01-01T00:00:00.000Z');
    const { store, storage } = openStore(undefined, () => new Date((clock += 1000)));

    const created = store.create(ADMIN, { name: 'auditor', description: 'reads the trail', permissions: ['audit:read'] });
    expect(created.before).toBeNull();
    expect(created.after).toEqual({ name: 'auditor', description: 'reads the trail', permissions: ['audit:read'], builtin: false, version: 1, updated_by: 'cli:test', updated_at: '2030-01-01T00:00:01.000Z' });

    const updated = store.update(actor('admin', 'user:ann'), 'auditor', { permissions: ['audit:read', 'contexts:read'] });
    expect(updated.before?.version).toBe(1);
    expect(updated.after).toMatchObject({ permissions: ['audit:read', 'contexts:read'], description: 'reads the trail', version: 2, updated_by: 'user:ann' });
    expect(store.update(ADMIN, 'auditor', { description: 'reads more' }).after).toMatchObject({ permissions: ['audit:read', 'contexts:read'], description: 'reads more', version: 3 });

    const removed = store.remove(ADMIN, 'auditor');
    expect(removed).toEqual({ before: expect.objectContaining({ name: 'auditor', version: 3 }), after: null });
    expect(errorOf(() => store.get('auditor')).code).toBe('NOT_FOUND');
    expect(store.list().map((r) => r.name)).toEqual(['admin', 'user', 'viewer']);

    expect(versions(storage, 'auditor')).toEqual([
      { name: 'auditor', version: 1, description: 'reads the trail', permissions: ['audit:read'], deleted: false, changed_by: 'cli:test', changed_at: '2030-01-01T00:00:01.000Z' },
      { name: 'auditor', version: 2, description: 'reads the trail', permissions: ['audit:read', 'contexts:read'], deleted: false, changed_by: 'user:ann', changed_at: '2030-01-01T00:00:02.000Z' },
      { name: 'auditor', version: 3, description: 'reads more', permissions: ['audit:read', 'contexts:read'], deleted: false, changed_by: 'cli:test', changed_at: '2030-01-01T00:00:03.000Z' },
      { name: 'auditor', version: 4, description: 'reads more', permissions: ['audit:read', 'contexts:read'], deleted: true, changed_by: 'cli:test', changed_at: '2030-01-01T00:00:04.000Z' },
    ]);

    // The history is not reset by a deletion: the same name comes back as version 5.
    expect(store.create(ADMIN, { name: 'auditor', permissions: ['metrics:read'] }).after?.version).toBe(5);
    expect(versions(storage, 'auditor').map((v) => [v.version, v.deleted])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [5, false],
    ]);
  });

  it('stores permissions trimmed and once each', () => {
    const { store } = openStore();
    expect(store.create(ADMIN, { name: 'ops', permissions: [' contexts:read', 'contexts:read', 'tools:execute:context_get '] }).after?.permissions).toEqual(['contexts:read', 'tools:execute:context_get']);
  });
});

describe('all or nothing', () => {
  it('refuses a bad permission anywhere in the list and writes nothing: no role, no version, no policy change', () => {
    const { store, storage } = openStore();
    store.create(ADMIN, { name: 'ops', permissions: ['contexts:read'] });
    const before = store.get('ops');

    for (const bad of ['contexts:fly', 'kitchen:read', 'contexts:re*d', 'audit:read:x', 'tools:execute:Bad!', 'nothing']) {
      const created = errorOf(() => store.create(ADMIN, { name: 'broken', permissions: ['contexts:read', bad] }));
      expect(created.code).toBe('VALIDATION_FAILED');
      expect(created.message).toContain(JSON.stringify(bad));
      const updated = errorOf(() => store.update(ADMIN, 'ops', { description: 'half', permissions: ['contexts:write', bad] }));
      expect(updated.code).toBe('VALIDATION_FAILED');
    }
    expect(errorOf(() => store.create(ADMIN, { name: 'huge', permissions: Array.from({ length: 201 }, (_, i) => `tools:execute:tool_${i}`) })).code).toBe('VALIDATION_FAILED');
    expect(errorOf(() => store.update(ADMIN, 'ops', {})).code).toBe('VALIDATION_FAILED');

    expect(store.get('ops')).toEqual(before);
    expect(versions(storage, 'ops')).toHaveLength(1);
    expect(versions(storage, 'broken')).toEqual([]);
    expect(store.list().map((r) => r.name)).toEqual(['admin', 'user', 'viewer', 'ops']);
    expect(store.authorizer.decide('ops', { resource: 'contexts', action: 'write' }).allowed).toBe(false);
  });

  it('refuses to change or delete built-in roles, unknown roles, taken names and bad names', () => {
    const { store } = openStore();
    store.create(ADMIN, { name: 'ops', permissions: [] });
    for (const name of ['admin', 'user', 'viewer']) {
      expect(errorOf(() => store.update(ADMIN, name, { permissions: ['contexts:read'] })).message).toMatch(new RegExp(`^${name} is a built-in role and cannot be changed`));
      expect(errorOf(() => store.remove(ADMIN, name)).code).toBe('FORBIDDEN');
      expect(store.get(name)).toMatchObject({ builtin: true, version: 1 });
    }
    expect(errorOf(() => store.update(ADMIN, 'ghost', { description: 'x' })).code).toBe('NOT_FOUND');
    expect(errorOf(() => store.remove(ADMIN, 'ghost')).code).toBe('NOT_FOUND');
    expect(errorOf(() => store.create(ADMIN, { name: 'ops', permissions: [] })).code).toBe('CONFLICT');
    expect(errorOf(() => store.create(ADMIN, { name: 'viewer', permissions: [] })).code).toBe('CONFLICT');
    for (const name of ['Ops', '9ops', 'o p', '', 'o'.repeat(65)]) expect(errorOf(() => store.create(ADMIN, { name, permissions: [] })).code, name).toBe('VALIDATION_FAILED');
    expect(store.authorizer.permissionsOf('viewer')).toEqual(['contexts:read', 'tools:read', 'api_keys:read']);
  });

  it('refuses to delete a role held by a user or an unrevoked key, naming them; revoked keys do not count', () => {
    const { store, storage } = openStore();
    store.create(ADMIN, { name: 'ops', permissions: ['contexts:read'] });
    const at = new Date().toISOString();
    storage.db.prepare("INSERT INTO users (id, tenant_id, username, password_hash, role, created_at, updated_at) VALUES ('u1', 'default', 'ivy', 'x', 'ops', ?, ?)").run(at, at);
    storage.db.prepare("INSERT INTO api_keys (id, tenant_id, name, role, key_hash, created_by, created_at) VALUES ('K1', 'default', 'bot', 'ops', x'00', 'test', ?)").run(at);
    storage.db.prepare("INSERT INTO api_keys (id, tenant_id, name, role, key_hash, created_by, created_at, revoked_at) VALUES ('K2', 'default', 'old', 'ops', x'00', 'test', ?, ?)").run(at, at);

    expect(store.holders('ops')).toEqual({ users: ['ivy'], api_keys: ['K1'] });
    const refused = errorOf(() => store.remove(ADMIN, 'ops'));
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toBe('role ops is in use by user ivy, API key K1; give them another role (or revoke the keys) first');
    expect(store.get('ops').version).toBe(1);
    expect(versions(storage, 'ops')).toHaveLength(1);

    storage.db.prepare("UPDATE users SET role = 'viewer'").run();
    storage.db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = 'K1'").run(at);
    expect(store.remove(ADMIN, 'ops').after).toBeNull();
    expect(store.authorizer.hasRole('ops')).toBe(false);
  });
});

describe('no escalation through the store', () => {
  it('nobody grants what their role lacks, or changes the role they hold', () => {
    const { store } = openStore();
    store.create(ADMIN, { name: 'manager', permissions: ['roles:write', 'contexts:read', 'tools:execute:context_get'] });
    const manager = actor('manager');

    const beyond = errorOf(() => store.create(manager, { name: 'snoop', permissions: ['contexts:read', 'audit:read', 'tools:execute'] }));
    expect(beyond.code).toBe('FORBIDDEN');
    expect(beyond.message).toBe('cannot grant audit:read, tools:execute: your role manager does not have them');
    expect(store.list().map((r) => r.name)).not.toContain('snoop');

    expect(store.create(manager, { name: 'reader', permissions: ['contexts:read', 'tools:execute:context_get'] }).after?.version).toBe(1);
    expect(errorOf(() => store.update(manager, 'manager', { description: 'mine' })).message).toMatch(/^you hold role manager/);
    expect(errorOf(() => store.remove(manager, 'manager')).code).toBe('FORBIDDEN');
    store.create(ADMIN, { name: 'power', permissions: ['audit:read'] });
    expect(errorOf(() => store.update(manager, 'power', { permissions: [] })).code).toBe('FORBIDDEN');
    expect(errorOf(() => store.remove(manager, 'power')).code).toBe('FORBIDDEN');
    expect(store.get('power').permissions).toEqual(['audit:read']);
  });
});

describe('the authorizer behind the store', () => {
  it('follows changes made through the same store at once', () => {
    const { store } = openStore();
    const need: Need = { resource: 'contexts', action: 'write' };
    expect(store.authorizer.hasRole('writer')).toBe(false);
    store.create(ADMIN, { name: 'writer', permissions: ['contexts:read'] });
    expect(store.authorizer.decide('writer', need)).toEqual({ allowed: false, reason: 'role writer lacks contexts:write', matched_permission: null, role: 'writer' });
    store.update(ADMIN, 'writer', { permissions: ['contexts:read', 'contexts:write'] });
    expect(store.authorizer.decide('writer', need)).toEqual({ allowed: true, reason: 'role writer grants contexts:write', matched_permission: 'contexts:write', role: 'writer' });
    store.remove(ADMIN, 'writer');
    expect(store.authorizer.decide('writer', need).allowed).toBe(false);
    expect(store.authorizer.roles()).toEqual(['admin', 'user', 'viewer']);
  });

  it('picks up what another store on the same file changed, after one event-loop turn', async () => {
    const a = openStore();
    const b = openStore(a.file);
    const need: Need = { resource: 'audit', action: 'read' };
    expect(b.store.authorizer.hasRole('auditor')).toBe(false);

    a.store.create(ADMIN, { name: 'auditor', permissions: ['audit:read'] });
    await nextTurn();
    expect(b.store.authorizer.hasRole('auditor')).toBe(true);
    expect(b.store.authorizer.decide('auditor', need)).toMatchObject({ allowed: true, matched_permission: 'audit:read' });
    expect(b.store.get('auditor').version).toBe(1);

    a.store.update(ADMIN, 'auditor', { permissions: ['contexts:read'] });
    await nextTurn();
    expect(b.store.authorizer.decide('auditor', need).allowed).toBe(false);
    expect(b.store.authorizer.decide('auditor', { resource: 'contexts', action: 'read' }).allowed).toBe(true);
    expect(b.store.authorizer.permissionsOf('auditor')).toEqual(['contexts:read']);

    // And the other way round: B's change reaches A.
    b.store.update(ADMIN, 'auditor', { permissions: ['metrics:read'] });
    await nextTurn();
    expect(a.store.authorizer.decide('auditor', { resource: 'metrics', action: 'read' }).allowed).toBe(true);
    expect(a.store.get('auditor').version).toBe(3);

    a.store.remove(ADMIN, 'auditor');
    await nextTurn();
    expect(b.store.authorizer.hasRole('auditor')).toBe(false);
    expect(b.store.authorizer.decide('auditor', { resource: 'metrics', action: 'read' })).toMatchObject({ allowed: false, reason: 'role "auditor" does not exist' });
  });

  it('a new store on an existing file starts from the stored policy', () => {
    const a = openStore();
    a.store.create(ADMIN, { name: 'auditor', permissions: ['audit:read'] });
    const b = openStore(a.file);
    expect(b.store.authorizer.decide('auditor', { resource: 'audit', action: 'read' }).allowed).toBe(true);
  });

  it('decides a 50-role policy correctly for every role, resource, action and tool, here and in a second store', async () => {
    const a = openStore();
    // Role i grants one resource:action pair (cycling through all of them) and one named tool.
    const granted = (i: number) => ({ resource: RESOURCES[i % RESOURCES.length] as Resource, action: ACTIONS[Math.floor(i / RESOURCES.length) % ACTIONS.length] as Action, tool: `tool_${i}` });
    for (let i = 0; i < 50; i += 1) {
      const g = granted(i);
      a.store.create(ADMIN, { name: `role-${i}`, permissions: [`${g.resource}:${g.action}`, `tools:execute:${g.tool}`] });
    }
    const b = openStore(a.file);
    await nextTurn();

    function expected(i: number, need: Need): boolean {
      const g = granted(i);
      const byPair = g.resource === need.resource && (g.action === need.action || g.action === 'manage');
      const byTool = need.resource === 'tools' && need.action === 'execute' && need.target === g.tool;
      return byPair || byTool;
    }

    let allowedCount = 0;
    for (let i = 0; i < 50; i += 1) {
      for (const resource of RESOURCES) {
        for (const action of ACTIONS) {
          for (const target of [undefined, `tool_${i}`, `tool_${(i + 1) % 50}`]) {
            const need: Need = { resource, action, ...(target === undefined ? {} : { target }) };
            const want = expected(i, need);
            if (want) allowedCount += 1;
            for (const store of [a.store, b.store]) expect(store.authorizer.decide(`role-${i}`, need).allowed, `role-${i} ${resource}:${action}:${target ?? ''}`).toBe(want);
          }
        }
      }
    }
    // The checks above are not vacuous: plenty of both answers.
    expect(allowedCount).toBeGreaterThan(200);
    expect(a.store.authorizer.roles()).toHaveLength(53);
    expect(b.store.authorizer.decide('role-7', { resource: 'tools', action: 'execute', target: 'tool_7' }).matched_permission).toBe('tools:execute:tool_7');
    expect(b.store.authorizer.decide('role-7', { resource: 'tools', action: 'execute', target: 'tool_8' }).allowed).toBe(false);
  });
});
