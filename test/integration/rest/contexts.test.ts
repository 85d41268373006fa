// /api/v1/contexts over real HTTP: CRUD, items, pagination, full-text search, tenant isolation, roles, validation and the authz audit trail.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startTestMesh, type ApiResponse, type TestMesh } from '../../helpers/mesh';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Summary {
  id: string;
  name: string;
  description: string;
  metadata: Record<string, unknown>;
  item_count: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  snippet?: string;
}

/** Creates a context as the given caller and returns it; fails the test unless the API says 201. */
async function create(t: TestMesh, auth: { token?: string; apiKey?: string }, body: Record<string, unknown>): Promise<Summary> {
  const res = await t.request('POST', '/api/v1/contexts', { ...auth, body });
  expect(res.status, res.text).toBe(201);
  return res.body as Summary;
}

async function search(t: TestMesh, auth: { token?: string; apiKey?: string }, q: string): Promise<ApiResponse> {
  return t.request('GET', `/api/v1/contexts?q=${encodeURIComponent(q)}`, auth);
}

async function searchIds(t: TestMesh, auth: { token?: string; apiKey?: string }, q: string): Promise<string[]> {
  const res = await search(t, auth, q);
  expect(res.status, `q=${q}: ${res.text}`).toBe(200);
  return (res.body.contexts as Summary[]).map((c) => c.id);
}

/** Follows next_cursor from the first page to the last, returning each page's ids. */
async function allPages(t: TestMesh, token: string, query: string): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const path: string = `/api/v1/contexts?${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const res = await t.request('GET', path, { token });
    expect(res.status, res.text).toBe(200);
    pages.push((res.body.contexts as Summary[]).map((c) => c.id));
    cursor = res.body.next_cursor as string | null;
    expect(pages.length).toBeLessThan(20);
  } while (cursor !== null);
  return pages;
}

function authzEvents(t: TestMesh, resource: string, tenant = 'default') {
  return t.mesh.services.core.audit.query({ event_type: 'authz_decision', resource, tenant_id: tenant }).events;
}

describe('contexts: create and read', () => {
  it('creates a context (201) with its fields, attributed to the caller, and reads it back with its items', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const metadata = { project: 'mesh', tags: ['a', 'b'], nested: { depth: 2, ok: true, none: null } };
    const created = await create(t, { token }, { name: 'Sprint notes', description: 'what we decided', metadata });
    expect(created).toEqual({
      id: expect.stringMatching(UUID),
      name: 'Sprint notes',
      description: 'what we decided',
      metadata,
      item_count: 0,
      created_by: 'user:admin',
      created_at: expect.stringMatching(ISO),
      updated_at: created.created_at,
    });
    const read = await t.request('GET', `/api/v1/contexts/${created.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...created, items: [] });
  });

  it('defaults description and metadata, and records an API key as the creator', async () => {
    const t = await startTestMesh();
    const apiKey = t.apiKey('user');
    const created = await create(t, { apiKey }, { name: 'from a key' });
    expect(created.description).toBe('');
    expect(created.metadata).toEqual({});
    expect(created.created_by).toMatch(/^key:\S+$/);
    const userToken = await t.userWithToken('alice', 'user');
    expect((await create(t, { token: userToken }, { name: 'from alice' })).created_by).toBe('user:alice');
  });

  it('rejects a bad body with 400 naming the field', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const cases: [unknown, RegExp][] = [
      [{}, /missing field "name"/],
      [{ name: 'x', owner: 'bob' }, /unknown field "owner"/],
      [{ name: '' }, /"name"/],
      [{ name: 'n'.repeat(201) }, /"name"/],
      [{ name: 42 }, /"name".*string/],
      [{ name: 'x', metadata: ['not', 'an', 'object'] }, /"metadata"/],
      [{ name: 'x', description: 'd'.repeat(10_001) }, /"description"/],
    ];
    for (const [body, message] of cases) {
      const res = await t.request('POST', '/api/v1/contexts', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(message);
    }
    const notJson = await t.request('POST', '/api/v1/contexts', { token, body: '{"name": ' });
    expect(notJson.status).toBe(400);
    // Nothing was created by any of them.
    expect((await t.request('GET', '/api/v1/contexts', { token })).body.contexts).toEqual([]);
  });

  it('answers 400 for a non-uuid id and 404 for an unknown one, on every route', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const routes: [string, string, unknown][] = [
      ['GET', '', undefined],
      ['PATCH', '', { name: 'x' }],
      ['DELETE', '', undefined],
      ['POST', '/items', { role: 'user', content: 'hi' }],
    ];
    for (const [method, suffix, body] of routes) {
      for (const bad of ['not-a-uuid', '123', "1' OR '1'='1"]) {
        const res = await t.request(method, `/api/v1/contexts/${encodeURIComponent(bad)}${suffix}`, { token, body });
        expect(res.status, `${method} ${bad}${suffix}`).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.message).toMatch(/id/);
      }
      const id = randomUUID();
      const missing = await t.request(method, `/api/v1/contexts/${id}${suffix}`, { token, body });
      expect(missing.status, `${method} ${id}${suffix}`).toBe(404);
      expect(missing.body.error).toMatchObject({ code: 'NOT_FOUND', message: `no context ${id}` });
    }
  });

  it('stores and returns SQL-looking text literally', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const name = "Robert'); DROP TABLE contexts;--";
    const description = '1 OR 1=1; SELECT * FROM users WHERE username = \'\' --';
    const metadata = { filter: "' OR ''='", like: '%_\\' };
    const content = '"; DELETE FROM context_items; --';
    const created = await create(t, { token }, { name, description, metadata });
    const item = await t.request('POST', `/api/v1/contexts/${created.id}/items`, { token, body: { role: 'user', content } });
    expect(item.status).toBe(201);
    expect(item.body.content).toBe(content);
    const read = await t.request('GET', `/api/v1/contexts/${created.id}`, { token });
    expect(read.body).toMatchObject({ name, description, metadata, items: [{ content }] });
    // The tables are intact and the text is searchable as words.
    const list = await t.request('GET', '/api/v1/contexts', { token });
    expect(list.body.contexts).toHaveLength(1);
    expect(await searchIds(t, { token }, 'DROP TABLE')).toEqual([created.id]);
    expect(await searchIds(t, { token }, 'DELETE FROM context_items')).toEqual([created.id]);
  });
});

describe('contexts: update', () => {
  it('changes name, description and metadata, keeping what is not given, and re-indexes the name', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const created = await create(t, { token }, { name: 'draft plan', description: 'first', metadata: { v: 1 } });
    await sleep(5);
    const renamed = await t.request('PATCH', `/api/v1/contexts/${created.id}`, { token, body: { name: 'final roadmap' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: created.id, name: 'final roadmap', description: 'first', metadata: { v: 1 }, created_at: created.created_at, created_by: 'user:admin' });
    expect(renamed.body.updated_at > created.updated_at).toBe(true);

    const described = await t.request('PATCH', `/api/v1/contexts/${created.id}`, { token, body: { description: '', metadata: { v: 2, owner: 'ops' } } });
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ name: 'final roadmap', description: '', metadata: { v: 2, owner: 'ops' } });
    const read = await t.request('GET', `/api/v1/contexts/${created.id}`, { token });
    expect(read.body).toMatchObject({ name: 'final roadmap', description: '', metadata: { v: 2, owner: 'ops' } });

    // Search follows the rename.
    expect(await searchIds(t, { token }, 'roadmap')).toEqual([created.id]);
    expect(await searchIds(t, { token }, 'draft')).toEqual([]);
    expect(await searchIds(t, { token }, 'first')).toEqual([]);
  });

  it('refuses an empty patch with a message saying what to send, and unknown fields', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const created = await create(t, { token }, { name: 'keep me' });
    const empty = await t.request('PATCH', `/api/v1/contexts/${created.id}`, { token, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('VALIDATION_FAILED');
    expect(empty.body.error.message).toBe('nothing to change: give at least one of name, description, metadata');
    const unknown = await t.request('PATCH', `/api/v1/contexts/${created.id}`, { token, body: { item_count: 9 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('unknown field "item_count" in body');
    const blank = await t.request('PATCH', `/api/v1/contexts/${created.id}`, { token, body: { name: '' } });
    expect(blank.status).toBe(400);
    const read = await t.request('GET', `/api/v1/contexts/${created.id}`, { token });
    expect(read.body).toMatchObject({ name: 'keep me', item_count: 0, updated_at: created.updated_at });
  });
});

describe('contexts: items', () => {
  it('appends user, assistant and system items in order; item_count and updated_at follow', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const created = await create(t, { token }, { name: 'chat' });
    const appended: { id: number; updated_at: string }[] = [];
    let previous = created.updated_at;
    for (const [role, content] of [['system', 'You are terse.'], ['user', 'What is 2+2?'], ['assistant', '4']] as const) {
      await sleep(5);
      const res = await t.request('POST', `/api/v1/contexts/${created.id}/items`, { token, body: { role, content, metadata: { lang: 'en' } } });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toEqual({ id: expect.any(Number), role, content, metadata: { lang: 'en' }, created_by: 'user:admin', created_at: expect.stringMatching(ISO) });
      const read = await t.request('GET', `/api/v1/contexts/${created.id}`, { token });
      expect(read.body.item_count).toBe(appended.length + 1);
      expect(read.body.updated_at > previous, 'updated_at moves forward').toBe(true);
      expect(read.body.updated_at).toBe(res.body.created_at);
      previous = read.body.updated_at as string;
      appended.push({ id: res.body.id as number, updated_at: previous });
    }
    const read = await t.request('GET', `/api/v1/contexts/${created.id}`, { token });
    expect((read.body.items as { role: string; content: string }[]).map((i) => [i.role, i.content])).toEqual([
      ['system', 'You are terse.'],
      ['user', 'What is 2+2?'],
      ['assistant', '4'],
    ]);
    expect((read.body.items as { id: number }[]).map((i) => i.id)).toEqual(appended.map((a) => a.id));
    expect(read.body.created_at).toBe(created.created_at);
  });

  it('refuses an invalid item with 400 naming the field, and changes nothing', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const created = await create(t, { token }, { name: 'chat' });
    const cases: [unknown, RegExp][] = [
      [{ role: 'tool', content: 'x' }, /"role"/],
      [{ role: 'User', content: 'x' }, /"role"/],
      [{ content: 'x' }, /missing field "role"/],
      [{ role: 'user' }, /missing field "content"/],
      [{ role: 'user', content: '' }, /"content"/],
      [{ role: 'user', content: 'x', extra: 1 }, /unknown field "extra"/],
      [{ role: 'user', content: 'x', metadata: 'text' }, /"metadata"/],
    ];
    for (const [body, message] of cases) {
      const res = await t.request('POST', `/api/v1/contexts/${created.id}/items`, { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(message);
    }
    const read = await t.request('GET', `/api/v1/contexts/${created.id}`, { token });
    expect(read.body).toMatchObject({ item_count: 0, items: [], updated_at: created.updated_at });
  });
});

describe('contexts: delete', () => {
  it('deletes a context (204, then 404) with its items and search documents, leaving others alone', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const doomed = await create(t, { token }, { name: 'zanzibar itinerary', description: 'ferry times' });
    const kept = await create(t, { token }, { name: 'kept context', description: 'ferry times too' });
    for (const content of ['quokka sighting at dawn', 'second quokka']) {
      expect((await t.request('POST', `/api/v1/contexts/${doomed.id}/items`, { token, body: { role: 'user', content } })).status).toBe(201);
    }
    expect(await searchIds(t, { token }, 'quokka')).toEqual([doomed.id]);

    const deleted = await t.request('DELETE', `/api/v1/contexts/${doomed.id}`, { token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await t.request('GET', `/api/v1/contexts/${doomed.id}`, { token })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/contexts/${doomed.id}`, { token })).status).toBe(404);
    expect((await t.request('POST', `/api/v1/contexts/${doomed.id}/items`, { token, body: { role: 'user', content: 'late' } })).status).toBe(404);

    expect(await searchIds(t, { token }, 'quokka')).toEqual([]);
    expect(await searchIds(t, { token }, 'zanzibar')).toEqual([]);
    expect(await searchIds(t, { token }, 'ferry')).toEqual([kept.id]);
    const db = t.mesh.services.core.db;
    expect(db.prepare('SELECT count(*) FROM context_items WHERE context_id = ?').pluck().get(doomed.id)).toBe(0);
    expect(db.prepare('SELECT count(*) FROM contexts_fts WHERE context_id = ?').pluck().get(doomed.id)).toBe(0);
    const list = await t.request('GET', '/api/v1/contexts', { token });
    expect((list.body.contexts as Summary[]).map((c) => c.id)).toEqual([kept.id]);
  });
});

describe('contexts: list', () => {
  it('lists newest first and pages with a cursor: pages do not overlap and cover every context', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await create(t, { token }, { name: `context ${i}` })).id);
      await sleep(3);
    }
    const newestFirst = [...ids].reverse();
    const whole = await t.request('GET', '/api/v1/contexts', { token });
    expect(whole.body.next_cursor).toBeNull();
    expect((whole.body.contexts as Summary[]).map((c) => c.id)).toEqual(newestFirst);
    expect(whole.body.contexts[0]).not.toHaveProperty('snippet');

    const pages = await allPages(t, token, 'limit=2');
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(newestFirst);
  });

  it('pages correctly when several contexts share one timestamp', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) ids.push((await create(t, { token }, { name: `same ${i}` })).id);
    // Contexts created in one burst can share a millisecond; make every one do so.
    t.mesh.services.core.db.prepare("UPDATE contexts SET updated_at = '2030-01-01T00:00:00.000Z'").run();
    const pages = await allPages(t, token, 'limit=3');
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(new Set(pages.flat()).size).toBe(7);
    expect([...pages.flat()].sort()).toEqual([...ids].sort());
  });

  it('refuses a cursor it did not issue, and an out-of-range limit, with 400', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    for (let i = 0; i < 3; i += 1) await create(t, { token }, { name: `term ${i}` });
    const searchPage = await t.request('GET', '/api/v1/contexts?q=term&limit=1', { token });
    expect(searchPage.body.next_cursor).toEqual(expect.any(String));
    const listPage = await t.request('GET', '/api/v1/contexts?limit=1', { token });
    expect(listPage.body.next_cursor).toEqual(expect.any(String));
    const bad = [
      'limit=2&cursor=garbage',
      'limit=2&cursor=%21%21%21',
      `limit=2&cursor=${Buffer.from('{"a":1}').toString('base64url')}`,
      `limit=2&cursor=${Buffer.from('[1, 2]').toString('base64url')}`,
      // A search cursor is not a list cursor, and the other way round.
      `limit=2&cursor=${encodeURIComponent(searchPage.body.next_cursor as string)}`,
      `q=term&cursor=${encodeURIComponent(listPage.body.next_cursor as string)}`,
      `q=term&cursor=garbage`,
      `q=term&cursor=${Buffer.from('[-1]').toString('base64url')}`,
      'limit=0',
      'limit=201',
      'limit=two',
      'q=',
      'sort=name',
    ];
    for (const query of bad) {
      const res = await t.request('GET', `/api/v1/contexts?${query}`, { token });
      expect(res.status, `${query}: ${res.text}`).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const garbage = await t.request('GET', '/api/v1/contexts?cursor=garbage', { token });
    expect(garbage.body.error.message).toMatch(/cursor/);
    expect((await t.request('GET', '/api/v1/contexts?sort=name', { token })).body.error.message).toBe('unknown field "sort" in the query');
  });
});

describe('contexts: search', () => {
  it('finds contexts by name, description and item content, with a snippet of the match', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const byName = await create(t, { token }, { name: 'Kubernetes upgrade', description: 'cluster work' });
    const byDescription = await create(t, { token }, { name: 'Quarterly', description: 'budget forecast for the platform team' });
    const byItem = await create(t, { token }, { name: 'Chat log' });
    await t.request('POST', `/api/v1/contexts/${byItem.id}/items`, { token, body: { role: 'assistant', content: 'The flamingo migration finished without errors.' } });

    const found = async (q: string) => {
      const res = await search(t, { token }, q);
      expect(res.status).toBe(200);
      return res.body.contexts as Summary[];
    };
    const [k] = await found('kubernetes');
    expect(k).toMatchObject({ id: byName.id, name: 'Kubernetes upgrade' });
    expect(k?.snippet).toContain('Kubernetes');
    const [b] = await found('forecast');
    expect(b?.id).toBe(byDescription.id);
    expect(b?.snippet).toContain('forecast');
    const [f] = await found('flamingo');
    expect(f).toMatchObject({ id: byItem.id, name: 'Chat log', item_count: 1 });
    expect(f?.snippet).toContain('flamingo migration');
    // All terms must match.
    expect((await found('flamingo kubernetes')).map((c) => c.id)).toEqual([]);
    expect((await found('quokka')).map((c) => c.id)).toEqual([]);
    const none = await search(t, { token }, 'quokka');
    expect(none.body.next_cursor).toBeNull();
  });

  it('ignores case and diacritics, and matches the last term as a prefix', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const cafe = await create(t, { token }, { name: 'Café planning', description: 'Crème brûlée tasting' });
    const naive = await create(t, { token }, { name: 'naive bayes', description: 'deployment of the cafe model' });
    expect(await searchIds(t, { token }, 'cafe planning')).toEqual([cafe.id]);
    expect(await searchIds(t, { token }, 'CAFÉ PLANNING')).toEqual([cafe.id]);
    expect(await searchIds(t, { token }, 'creme brulee')).toEqual([cafe.id]);
    expect(await searchIds(t, { token }, 'naïve')).toEqual([naive.id]);
    expect((await searchIds(t, { token }, 'café')).sort()).toEqual([cafe.id, naive.id].sort());
    // The last term is a prefix: search as you type.
    expect(await searchIds(t, { token }, 'cafe plan')).toEqual([cafe.id]);
    expect(await searchIds(t, { token }, 'deplo')).toEqual([naive.id]);
    expect(await searchIds(t, { token }, 'brû')).toEqual([cafe.id]);
    // Earlier terms are whole words.
    expect(await searchIds(t, { token }, 'plan cafe')).toEqual([]);
  });

  it('finds accented words typed in decomposed form (NFD), as pasted from macOS', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const resume = await create(t, { token }, { name: 'Résumé review', description: 'été naïve' });
    for (const q of ['résumé', 'été', 'naïve', 'resume review']) {
      // Same words, same letters: only the Unicode normalization differs.
      expect(await searchIds(t, { token }, q.normalize('NFC')), `NFC ${q}`).toEqual([resume.id]);
      expect(await searchIds(t, { token }, q.normalize('NFD')), `NFD ${q}`).toEqual([resume.id]);
    }
  });

  it('finds every matching context even when one context has thousands of matching items', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const incident = await create(t, { token }, { name: 'incident review', description: 'the timeout error in the deployment pipeline we saw on friday afternoon' });
    const logs = await create(t, { token }, { name: 'build logs' });
    // A chatty agent's log: more matching items than search looks at (2000), each a short, high-ranking match. Written
    // through the service for speed, once the audit writer is idle (concurrent writes are the next describe's subject).
    t.mesh.services.core.audit.flush();
    for (let i = 0; i < 2100; i += 1) t.mesh.services.contexts.append('default', 'user:admin', logs.id, { role: 'system', content: `error ${i}` });
    const res = await search(t, { token }, 'error');
    expect(res.status).toBe(200);
    expect((res.body.contexts as Summary[]).map((c) => c.id).sort()).toEqual([incident.id, logs.id].sort());
  });

  it('treats punctuation and FTS5 operators in q as plain text: never a 500', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const target = await create(t, { token }, { name: 'release notes', description: 'NEAR the end OR not' });
    const queries = [
      '"', '""', '*', '**', 'NEAR(', 'NEAR(release notes, 2)', 'OR', 'AND', 'NOT', '-', '-release', 'release -notes',
      '"release', 'release"', 'release*', '^release', '+release', '(release', 'release)', 'text:release', 'tenant_id:default',
      '{text}: release', 'release AND', 'OR release', 'release NOT notes', "'; DROP TABLE contexts_fts; --", '\\', '%', '_', ':', '?&=',
      '🙂', '\u0000', 'a'.repeat(500), Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '),
    ];
    for (const q of queries) {
      const res = await search(t, { token }, q);
      expect(res.status, `q=${JSON.stringify(q)}: ${res.text}`).toBe(200);
      expect(Array.isArray(res.body.contexts)).toBe(true);
    }
    // Operators are words like any other: these find the context because it contains those words.
    expect(await searchIds(t, { token }, 'NEAR(release')).toEqual([target.id]);
    expect(await searchIds(t, { token }, '"release notes"')).toEqual([target.id]);
    expect(await searchIds(t, { token }, 'release -notes')).toEqual([target.id]);
    expect(await searchIds(t, { token }, 'end OR')).toEqual([target.id]);
    // The index still works afterwards.
    expect(await searchIds(t, { token }, 'release')).toEqual([target.id]);
  });

  it('pages search results without overlap', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await create(t, { token }, { name: `meeting ${i}`, description: 'weekly sync' })).id);
    await create(t, { token }, { name: 'unrelated' });
    const pages = await allPages(t, token, 'q=weekly&limit=2');
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect([...pages.flat()].sort()).toEqual([...ids].sort());
  });
});

describe('contexts: tenants', () => {
  it("keeps another tenant's contexts out of reach: 404, and absent from list and search", async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const secret = await create(t, { token: admin }, { name: 'shared name', description: 'default tenant plans' });
    await t.request('POST', `/api/v1/contexts/${secret.id}/items`, { token: admin, body: { role: 'user', content: 'confidential merger' } });

    const acmeUser = await t.userWithToken('wile', 'user', 'acme');
    const acmeAdminKey = t.apiKey('admin', { tenant: 'acme' });
    for (const auth of [{ token: acmeUser }, { apiKey: acmeAdminKey }]) {
      expect((await t.request('GET', `/api/v1/contexts/${secret.id}`, auth)).status).toBe(404);
      expect((await t.request('PATCH', `/api/v1/contexts/${secret.id}`, { ...auth, body: { name: 'stolen' } })).status).toBe(404);
      expect((await t.request('POST', `/api/v1/contexts/${secret.id}/items`, { ...auth, body: { role: 'user', content: 'injected' } })).status).toBe(404);
      expect((await t.request('DELETE', `/api/v1/contexts/${secret.id}`, auth)).status).toBe(404);
      const list = await t.request('GET', '/api/v1/contexts', auth);
      expect(list.status).toBe(200);
      expect(list.body.contexts).toEqual([]);
      expect(await searchIds(t, auth, 'confidential')).toEqual([]);
      expect(await searchIds(t, auth, 'shared name')).toEqual([]);
      expect(await searchIds(t, auth, 'default')).toEqual([]);
    }
    // Untouched by all of that.
    const read = await t.request('GET', `/api/v1/contexts/${secret.id}`, { token: admin });
    expect(read.body).toMatchObject({ name: 'shared name', item_count: 1, updated_at: expect.any(String) });
    expect((read.body.items as { content: string }[]).map((i) => i.content)).toEqual(['confidential merger']);
  });

  it('lets two tenants have contexts of the same name, each seeing only its own', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const acme = await t.userWithToken('wile', 'user', 'acme');
    const ours = await create(t, { token: admin }, { name: 'roadmap' });
    const theirs = await create(t, { token: acme }, { name: 'roadmap' });
    expect(theirs.id).not.toBe(ours.id);
    expect(theirs.created_by).toBe('user:wile');
    expect(((await t.request('GET', '/api/v1/contexts', { token: admin })).body.contexts as Summary[]).map((c) => c.id)).toEqual([ours.id]);
    expect(((await t.request('GET', '/api/v1/contexts', { token: acme })).body.contexts as Summary[]).map((c) => c.id)).toEqual([theirs.id]);
    expect(await searchIds(t, { token: admin }, 'roadmap')).toEqual([ours.id]);
    expect(await searchIds(t, { token: acme }, 'roadmap')).toEqual([theirs.id]);
    expect((await t.request('DELETE', `/api/v1/contexts/${theirs.id}`, { token: acme })).status).toBe(204);
    expect((await t.request('GET', `/api/v1/contexts/${ours.id}`, { token: admin })).status).toBe(200);
  });
});

describe('contexts: roles', () => {
  it('lets a viewer read but not create, change, append to or delete (403), changing nothing', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const created = await create(t, { token: admin }, { name: 'read only for some' });
    const viewerToken = await t.userWithToken('vera', 'viewer');
    for (const auth of [{ token: viewerToken }, { apiKey: t.apiKey('viewer') }]) {
      expect((await t.request('GET', `/api/v1/contexts/${created.id}`, auth)).status).toBe(200);
      expect((await t.request('GET', '/api/v1/contexts', auth)).status).toBe(200);
      expect(await searchIds(t, auth, 'read only')).toEqual([created.id]);
      const writes: [string, string, unknown][] = [
        ['POST', '/api/v1/contexts', { name: 'nope' }],
        ['PATCH', `/api/v1/contexts/${created.id}`, { name: 'nope' }],
        ['POST', `/api/v1/contexts/${created.id}/items`, { role: 'user', content: 'nope' }],
        ['DELETE', `/api/v1/contexts/${created.id}`, undefined],
      ];
      for (const [method, path, body] of writes) {
        const res = await t.request(method, path, { ...auth, body });
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
        expect(res.body.error.message).toMatch(method === 'DELETE' ? /contexts:delete/ : /contexts:write/);
      }
    }
    const read = await t.request('GET', `/api/v1/contexts/${created.id}`, { token: admin });
    expect(read.body).toMatchObject({ name: 'read only for some', item_count: 0, updated_at: created.updated_at });
    expect((await t.request('GET', '/api/v1/contexts', { token: admin })).body.contexts).toHaveLength(1);
  });

  it('lets a user create, change, append to and delete', async () => {
    const t = await startTestMesh();
    for (const auth of [{ token: await t.userWithToken('uma', 'user') }, { apiKey: t.apiKey('user') }]) {
      const created = await create(t, auth, { name: 'mine' });
      expect((await t.request('PATCH', `/api/v1/contexts/${created.id}`, { ...auth, body: { description: 'changed' } })).status).toBe(200);
      expect((await t.request('POST', `/api/v1/contexts/${created.id}/items`, { ...auth, body: { role: 'user', content: 'hello' } })).status).toBe(201);
      expect((await t.request('DELETE', `/api/v1/contexts/${created.id}`, auth)).status).toBe(204);
    }
  });

  it('requires a credential, and refuses a wrong one', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const created = await create(t, { token: admin }, { name: 'private' });
    expect((await t.request('GET', '/api/v1/contexts')).status).toBe(401);
    expect((await t.request('GET', `/api/v1/contexts/${created.id}`)).status).toBe(401);
    expect((await t.request('POST', '/api/v1/contexts', { body: { name: 'anon' } })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/contexts', { token: 'not.a.jwt' })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/contexts', { apiKey: 'dmk_wrong_key' })).status).toBe(401);
  });
});

describe('contexts: concurrent writes', () => {
  it('never fails a write with 500 while the audit trail is being committed', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const created = await create(t, { token }, { name: 'busy' });
    const { audit } = t.mesh.services.core;
    audit.flush();
    const statuses = new Map<number, number>();
    let appended = 0;
    for (let round = 0; round < 20; round += 1) {
      // Heavy traffic elsewhere: a full batch of audit events goes to the writer thread, which commits it on its own connection.
      for (let i = 0; i < 2000; i += 1) audit.append({ event_type: 'load_test', subject: 'system', action: 'probe', resource: `probe:${i}`, result: 'success' });
      const responses = await Promise.all([
        ...Array.from({ length: 6 }, (_, i) => t.request('POST', `/api/v1/contexts/${created.id}/items`, { token, body: { role: 'user', content: `message ${round}.${i}` } })),
        ...Array.from({ length: 4 }, (_, i) => t.request('PATCH', `/api/v1/contexts/${created.id}`, { token, body: { description: `round ${round}.${i}` } })),
      ]);
      for (const res of responses) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      appended += responses.filter((r) => r.status === 201).length;
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 80, 201: 120 });
    const read = await t.request('GET', `/api/v1/contexts/${created.id}`, { token });
    expect(read.body.item_count).toBe(appended);
    expect(read.body.items).toHaveLength(appended);
  });
});

describe('contexts: audit', () => {
  it('records every authorization decision on a context, naming it, allowed or denied', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const created = await create(t, { token: admin }, { name: 'audited' });
    const resource = `contexts:${created.id}`;
    const viewer = await t.userWithToken('vera', 'viewer');
    await t.request('GET', `/api/v1/contexts/${created.id}`, { token: admin });
    await t.request('PATCH', `/api/v1/contexts/${created.id}`, { token: admin, body: { name: 'audited twice' } });
    await t.request('POST', `/api/v1/contexts/${created.id}/items`, { token: admin, body: { role: 'user', content: 'x' } });
    await t.request('GET', `/api/v1/contexts/${created.id}`, { token: viewer });
    await t.request('DELETE', `/api/v1/contexts/${created.id}`, { token: viewer });
    await t.request('DELETE', `/api/v1/contexts/${created.id}`, { token: admin });

    const events = authzEvents(t, resource).reverse();
    expect(events.map((e) => [e.subject, e.action, e.result])).toEqual([
      ['user:admin', 'read', 'success'],
      ['user:admin', 'write', 'success'],
      ['user:admin', 'write', 'success'],
      ['user:vera', 'read', 'success'],
      ['user:vera', 'delete', 'denied'],
      ['user:admin', 'delete', 'success'],
    ]);
    expect(events[4]?.metadata).toMatchObject({ permission: 'contexts:delete', role: 'viewer', matched: null, reason: 'role viewer lacks contexts:delete' });
    expect(events[0]).toMatchObject({ tenant_id: 'default', ip: expect.any(String), trace_id: expect.any(String) });
    expect(events[0]?.metadata).toMatchObject({ permission: 'contexts:read', role: 'admin', matched: '*:*' });
  });

  it('records decisions without an id under the permission, and files another tenant\'s attempts under that tenant', async () => {
    const t = await startTestMesh();
    const admin = await t.adminToken();
    const created = await create(t, { token: admin }, { name: 'ours' });
    const viewer = await t.userWithToken('vera', 'viewer');
    await t.request('POST', '/api/v1/contexts', { token: viewer, body: { name: 'nope' } });
    const creates = authzEvents(t, 'contexts:write');
    expect(creates.map((e) => [e.subject, e.result])).toEqual([
      ['user:vera', 'denied'],
      ['user:admin', 'success'],
    ]);

    const acme = await t.userWithToken('wile', 'user', 'acme');
    expect((await t.request('GET', `/api/v1/contexts/${created.id}`, { token: acme })).status).toBe(404);
    const theirs = authzEvents(t, `contexts:${created.id}`, 'acme');
    expect(theirs.map((e) => [e.subject, e.action, e.result, e.tenant_id])).toEqual([['user:wile', 'read', 'success', 'acme']]);
    expect(authzEvents(t, `contexts:${created.id}`)).toEqual([]);
  });
});
