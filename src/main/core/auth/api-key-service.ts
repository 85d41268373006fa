// API keys: dmk_<id>_<secret> with a 256-bit secret, stored as a peppered HMAC, looked up by id; revocation is read on every use.
import type { Database } from 'better-sqlite3';
import type { ApiKeyDto } from '../../../shared/api/api-keys';
import { parseDuration } from '../../../shared/duration';
import { AppError } from '../../../shared/errors';
import { createChangeEpoch, createEpochCache, type ChangeEpoch } from '../storage/change-epoch';
import { writeTransaction } from '../storage/database';
import { keyedHash, newOpaqueToken, parseOpaqueToken, sameHash } from './tokens';

export interface ApiKeyRecord {
  id: string;
  tenant_id: string;
  name: string;
  role: string;
  owner_id: string | null;
  owner: string | null;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ApiKeyService {
  /** Creates a key; the raw key is in the result and nowhere else, ever. */
  create(input: { name: string; role: string; tenantId: string; ownerId: string | null; createdBy: string; expiresInSeconds?: number }): { record: ApiKeyRecord; key: string };
  get(id: string): ApiKeyRecord | undefined;
  list(filter: { tenantId?: string; ownerId?: string }): ApiKeyRecord[];
  /** Marks the key revoked (idempotent); false when there is no such key. */
  revoke(id: string): boolean;
  /** Revokes every live key (lockdown); returns how many. */
  revokeAll(): number;
  /** The key's record when `raw` is a live key (exists, matches, not revoked, not expired); undefined otherwise. */
  authenticate(raw: string): ApiKeyRecord | undefined;
  /** Writes buffered last-used times (they are kept in memory so a request costs no database write). */
  flushLastUsed(): void;
}

export const MIN_KEY_LIFETIME_SECONDS = 60;
export const MAX_KEY_LIFETIME_SECONDS = 10 * 366 * 86400;

/** "30d", "12h" or seconds, between a minute and ten years; VALIDATION_FAILED naming `field` otherwise. */
export function keyLifetimeSeconds(value: string | number, field: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds < MIN_KEY_LIFETIME_SECONDS || seconds > MAX_KEY_LIFETIME_SECONDS) {
    throw new AppError('VALIDATION_FAILED', `${field} ${JSON.stringify(value)} must be a duration from 1 minute to 10 years, like 30d, 12h or 90m`);
  }
  return seconds;
}

/** Whether a key still works: revoked and expired keys are refused. */
export function apiKeyStatus(r: Pick<ApiKeyRecord, 'revoked_at' | 'expires_at'>, at: Date = new Date()): 'active' | 'revoked' | 'expired' {
  if (r.revoked_at !== null) return 'revoked';
  return r.expires_at !== null && r.expires_at <= at.toISOString() ? 'expired' : 'active';
}

/** A key as the API and CLI show it: never its hash, never its secret. */
export function apiKeyDto(r: ApiKeyRecord): ApiKeyDto {
  return { id: r.id, name: r.name, role: r.role, tenant: r.tenant_id, owner: r.owner, created_by: r.created_by, created_at: r.created_at, expires_at: r.expires_at, last_used_at: r.last_used_at, revoked_at: r.revoked_at };
}

interface Row extends ApiKeyRecord {
  key_hash: Buffer;
}

const COLUMNS = 'k.id, k.tenant_id, k.name, k.role, k.key_hash, k.owner_id, u.username AS owner, k.created_by, k.created_at, k.expires_at, k.last_used_at, k.revoked_at';

export interface ApiKeyServiceDeps {
  db: Database;
  pepper: Uint8Array;
  /** Shared change detector: a verified key is served from memory until anything changes (a revocation included). */
  epoch?: ChangeEpoch;
  now?: () => Date;
}

export function createApiKeyService({ db, pepper, epoch = createChangeEpoch(db), now = () => new Date() }: ApiKeyServiceDeps): ApiKeyService {
  /** raw key -> its row, filled only after the keyed hash matched; emptied by any commit anywhere, so revocation still counts at once. */
  const verified = createEpochCache<string, Row>(epoch);
  const selectForAuth = db.prepare<[string], Row>(
    'SELECT id, tenant_id, name, role, key_hash, owner_id, NULL AS owner, created_by, created_at, expires_at, last_used_at, revoked_at FROM api_keys WHERE id = ?',
  );
  const select = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.owner_id WHERE k.id = ?`);
  const insert = db.prepare(
    'INSERT INTO api_keys (id, tenant_id, name, role, key_hash, owner_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const lastUsed = new Map<string, string>();

  function record(row: Row): ApiKeyRecord {
    const { key_hash: _hash, ...rest } = row;
    const pending = lastUsed.get(row.id);
    return pending !== undefined && (rest.last_used_at === null || pending > rest.last_used_at) ? { ...rest, last_used_at: pending } : rest;
  }

  return {
    create({ name, role, tenantId, ownerId, createdBy, expiresInSeconds }) {
      const token = newOpaqueToken('dmk');
      const at = now();
      const expiresAt = expiresInSeconds === undefined ? null : new Date(at.getTime() + expiresInSeconds * 1000).toISOString();
      try {
        insert.run(token.id, tenantId, name, role, keyedHash(pepper, token), ownerId, createdBy, at.toISOString(), expiresAt);
        verified.clear();
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new AppError('NOT_FOUND', 'no such tenant or owner');
        throw error;
      }
      return { record: record(select.get(token.id) as Row), key: token.raw };
    },
    get(id) {
      const row = select.get(id);
      return row === undefined ? undefined : record(row);
    },
    list({ tenantId, ownerId }) {
      const where: string[] = [];
      const params: string[] = [];
      if (tenantId !== undefined) {
        where.push('k.tenant_id = ?');
        params.push(tenantId);
      }
      if (ownerId !== undefined) {
        where.push('k.owner_id = ?');
        params.push(ownerId);
      }
      const sql = `SELECT ${COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.owner_id ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY k.created_at DESC`;
      return (db.prepare(sql).all(...params) as Row[]).map(record);
    },
    revoke(id) {
      const result = db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(now().toISOString(), id);
      verified.clear();
      return result.changes > 0;
    },
    revokeAll() {
      const count = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE revoked_at IS NULL').run(now().toISOString()).changes;
      verified.clear();
      return count;
    },
    authenticate(raw) {
      let row = verified.get(raw);
      if (row === undefined) {
        const token = parseOpaqueToken('dmk', raw);
        if (token === undefined) return undefined;
        // A revocation by anyone (another process included) empties the cache, so it counts from the very next request.
        row = selectForAuth.get(token.id);
        if (row === undefined || !sameHash(row.key_hash, keyedHash(pepper, token))) return undefined;
        verified.set(raw, row);
      }
      const at = now().toISOString();
      if (row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= at)) return undefined;
      lastUsed.set(row.id, at);
      return record(row);
    },
    flushLastUsed() {
      if (lastUsed.size === 0) return;
      const update = db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)');
      const entries = [...lastUsed];
      lastUsed.clear();
      writeTransaction(db, () => {
        for (const [id, at] of entries) update.run(at, id, at);
      });
    },
  };
}
