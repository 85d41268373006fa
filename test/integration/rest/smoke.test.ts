// A first end-to-end pass over the REST API; the detailed suites live beside it.
import { describe, expect, it } from 'vitest';
import { startTestMesh } from '../../helpers/mesh';

describe('REST API smoke', () => {
  it('logs in, creates and reads a context with a JWT and with an API key', async () => {
    const t = await startTestMesh();
    const token = await t.adminToken();
    const created = await t.request('POST', '/api/v1/contexts', { token, body: { name: 'notes' } });
    expect(created.status).toBe(201);
    const key = t.apiKey('viewer');
    const read = await t.request('GET', `/api/v1/contexts/${created.body.id}`, { apiKey: key });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.body.id, name: 'notes', items: [] });
    const search = await t.request('GET', '/api/v1/contexts?q=note', { token });
    expect(search.body.contexts.map((c: { id: string }) => c.id)).toEqual([created.body.id]);
  });
});
