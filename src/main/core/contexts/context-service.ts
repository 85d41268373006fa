// Contexts: agents' shared, tenant-scoped memory (a named list of role/content items) with SQLite FTS5 search.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type {
  AppendItemRequest,
  ContextDto,
  ContextItemDto,
  ContextSummaryDto,
  CreateContextRequest,
  UpdateContextRequest,
} from '../../../shared/api/contexts';
import { AppError } from '../../../shared/errors';
import { createChangeEpoch, createEpochCache, type ChangeEpoch } from '../storage/change-epoch';
import { writeTransaction } from '../storage/database';

export interface ContextPage {
  contexts: (ContextSummaryDto & { snippet?: string })[];
  next_cursor: string | null;
}

export interface ContextService {
  create(tenantId: string, actor: string, input: CreateContextRequest): ContextSummaryDto;
  get(tenantId: string, id: string): ContextDto;
  list(tenantId: string, options?: { q?: string | undefined; limit?: number | undefined; cursor?: string | undefined }): ContextPage;
  update(tenantId: string, actor: string, id: string, patch: UpdateContextRequest): ContextSummaryDto;
  append(tenantId: string, actor: string, id: string, item: AppendItemRequest): ContextItemDto;
  delete(tenantId: string, id: string): void;
}

interface ContextRow {
  seq: number;
  id: string;
  name: string;
  description: string;
  metadata: string;
  item_count: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

interface ItemRow {
  id: number;
  role: ContextItemDto['role'];
  content: string;
  metadata: string;
  created_by: string;
  created_at: string;
}

const SUMMARY = 'seq, id, name, description, metadata, item_count, created_by, created_at, updated_at';
const DEFAULT_LIMIT = 50;

function summary(row: ContextRow): ContextSummaryDto {
  const { seq: _seq, metadata, ...rest } = row;
  return { ...rest, metadata: JSON.parse(metadata) as Record<string, unknown> };
}

function item(row: ItemRow): ContextItemDto {
  return { ...row, metadata: JSON.parse(row.metadata) as Record<string, unknown> };
}

/** Turns free text into an FTS5 query of quoted terms (all must match, the last as a prefix): no syntax errors, no operator injection. */
export function ftsQuery(text: string): string | undefined {
  // NFC first, and combining marks count as part of a word: "résumé" pasted in decomposed form is still one word.
  const terms = text.normalize('NFC').match(/[\p{L}\p{M}\p{N}_]+/gu);
  if (terms === null) return undefined;
  return terms.slice(0, 16).map((t, i, all) => `"${t}"${i === all.length - 1 ? '*' : ''}`).join(' ');
}

function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeCursor(cursor: string): unknown[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts)) return parts;
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is not one this server issued; pass next_cursor from the previous page');
}

export interface ContextServiceDeps {
  db: Database;
  /** Shared change detector: a context read is served from memory until anything changes. */
  epoch?: ChangeEpoch;
  now?: () => Date;
}

export function createContextService({ db, epoch = createChangeEpoch(db), now = () => new Date() }: ContextServiceDeps): ContextService {
  // Agents read the same contexts over and over; writes here, and commits anywhere else, empty it.
  const reads = createEpochCache<string, ContextDto>(epoch, 2_000);
  const write = <T>(work: () => T): T => {
    try {
      return writeTransaction(db, work);
    } finally {
      reads.clear();
    }
  };
  const selectOne = db.prepare<[string, string], ContextRow>(`SELECT ${SUMMARY} FROM contexts WHERE tenant_id = ? AND id = ?`);
  const selectItems = db.prepare<[string, string], ItemRow>('SELECT id, role, content, metadata, created_by, created_at FROM context_items WHERE tenant_id = ? AND context_id = ? ORDER BY id');
  const insertDoc = db.prepare('INSERT INTO contexts_fts (rowid, tenant_id, context_id, item_id, text) VALUES (?, ?, ?, ?, ?)');
  const deleteDoc = db.prepare('DELETE FROM contexts_fts WHERE rowid = ?');

  /** A context's own search document has the negated seq of its row as rowid; items use their (positive) ids. */
  function indexContext(row: { seq: number; id: string; name: string; description: string }, tenantId: string): void {
    deleteDoc.run(-row.seq);
    insertDoc.run(-row.seq, tenantId, row.id, null, `${row.name}\n${row.description}`);
  }

  function require(tenantId: string, id: string): ContextRow {
    // Another tenant's context is indistinguishable from a missing one. Ids are stored lower-case; UUIDs compare case-free.
    const row = selectOne.get(tenantId, id.toLowerCase());
    if (row === undefined) throw new AppError('NOT_FOUND', `no context ${id}`);
    return row;
  }

  return {
    create(tenantId, actor, input) {
      const id = randomUUID();
      const at = now().toISOString();
      return write(() => {
        db.prepare('INSERT INTO contexts (id, tenant_id, name, description, metadata, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
          id, tenantId, input.name, input.description ?? '', JSON.stringify(input.metadata ?? {}), actor, at, at,
        );
        const row = require(tenantId, id);
        indexContext(row, tenantId);
        return summary(row);
      });
    },

    get(tenantId, id) {
      const key = `${tenantId}\0${id.toLowerCase()}`;
      const cached = reads.get(key);
      if (cached !== undefined) return cached;
      const row = require(tenantId, id);
      const context = { ...summary(row), items: selectItems.all(tenantId, row.id).map(item) };
      reads.set(key, context);
      return context;
    },

    list(tenantId, { q, limit = DEFAULT_LIMIT, cursor } = {}) {
      if (q !== undefined) {
        const match = ftsQuery(q);
        if (match === undefined) return { contexts: [], next_cursor: null };
        const offset = cursor === undefined ? 0 : Number(decodeCursor(cursor)[0]);
        if (!Number.isInteger(offset) || offset < 0) throw new AppError('VALIDATION_FAILED', 'cursor is not one this server issued');
        // Best match per context, best contexts first; snippet() cannot run under GROUP BY, so it is fetched per row shown.
        const ranked = db
          .prepare<[string, string, number, number], { context_id: string }>(
            'SELECT context_id, min(rank) AS best FROM contexts_fts WHERE contexts_fts MATCH ? AND tenant_id = ? GROUP BY context_id ORDER BY best, context_id LIMIT ? OFFSET ?',
          )
          .all(match, tenantId, limit + 1, offset);
        const ids = ranked.map((r) => r.context_id);
        const rows = ids.length === 0 ? [] : (db.prepare(`SELECT ${SUMMARY} FROM contexts WHERE tenant_id = ? AND id IN (${ids.map(() => '?').join(', ')})`).all(tenantId, ...ids) as ContextRow[]);
        const byId = new Map(rows.map((r) => [r.id, r]));
        const ordered = ids.map((id) => byId.get(id)).filter((r): r is ContextRow => r !== undefined);
        const snippet = db.prepare<[string, string, string], { snippet: string }>(
          "SELECT snippet(contexts_fts, 3, '', '', '…', 16) AS snippet FROM contexts_fts WHERE contexts_fts MATCH ? AND tenant_id = ? AND context_id = ? ORDER BY rank LIMIT 1",
        );
        const more = ordered.length > limit;
        return {
          contexts: ordered.slice(0, limit).map((row) => ({ ...summary(row), snippet: (snippet.get(match, tenantId, row.id)?.snippet ?? '').trim() })),
          next_cursor: more ? encodeCursor([offset + limit]) : null,
        };
      }
      const params: (string | number)[] = [tenantId];
      let where = 'tenant_id = ?';
      if (cursor !== undefined) {
        const [updatedAt, id] = decodeCursor(cursor);
        if (typeof updatedAt !== 'string' || typeof id !== 'string') throw new AppError('VALIDATION_FAILED', 'cursor is not one this server issued');
        where += ' AND (updated_at < ? OR (updated_at = ? AND id < ?))';
        params.push(updatedAt, updatedAt, id);
      }
      const rows = db.prepare(`SELECT ${SUMMARY} FROM contexts WHERE ${where} ORDER BY updated_at DESC, id DESC LIMIT ?`).all(...params, limit + 1) as ContextRow[];
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { contexts: page.map(summary), next_cursor: more && last !== undefined ? encodeCursor([last.updated_at, last.id]) : null };
    },

    update(tenantId, _actor, id, patch) {
      if (patch.name === undefined && patch.description === undefined && patch.metadata === undefined) {
        throw new AppError('VALIDATION_FAILED', 'nothing to change: give at least one of name, description, metadata');
      }
      return write(() => {
        const row = require(tenantId, id);
        const next = {
          name: patch.name ?? row.name,
          description: patch.description ?? row.description,
          metadata: patch.metadata === undefined ? row.metadata : JSON.stringify(patch.metadata),
        };
        db.prepare('UPDATE contexts SET name = ?, description = ?, metadata = ?, updated_at = ? WHERE seq = ?').run(next.name, next.description, next.metadata, now().toISOString(), row.seq);
        const updated = require(tenantId, row.id);
        indexContext(updated, tenantId);
        return summary(updated);
      });
    },

    append(tenantId, actor, id, input) {
      return write(() => {
        const row = require(tenantId, id);
        const at = now().toISOString();
        const result = db
          .prepare('INSERT INTO context_items (tenant_id, context_id, role, content, metadata, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(tenantId, row.id, input.role, input.content, JSON.stringify(input.metadata ?? {}), actor, at);
        const itemId = Number(result.lastInsertRowid);
        insertDoc.run(itemId, tenantId, row.id, itemId, input.content);
        db.prepare('UPDATE contexts SET item_count = item_count + 1, updated_at = ? WHERE seq = ?').run(at, row.seq);
        return item(db.prepare<[number], ItemRow>('SELECT id, role, content, metadata, created_by, created_at FROM context_items WHERE id = ?').get(itemId) as ItemRow);
      });
    },

    delete(tenantId, id) {
      write(() => {
        const row = require(tenantId, id);
        for (const itemId of db.prepare('SELECT id FROM context_items WHERE context_id = ?').pluck().all(row.id) as number[]) deleteDoc.run(itemId);
        deleteDoc.run(-row.seq);
        db.prepare('DELETE FROM contexts WHERE seq = ?').run(row.seq);
      });
    },
  };
}
