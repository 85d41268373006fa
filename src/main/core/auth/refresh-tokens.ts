// Refresh tokens: opaque dmr_<id>_<secret>, stored as keyed hashes, rotated on every use; presenting a spent one revokes its whole family.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { writeTransaction } from '../storage/database';
import { keyedHash, newOpaqueToken, parseOpaqueToken, sameHash } from './tokens';

export type RefreshOutcome =
  | { ok: true; userId: string; tenantId: string; familyId: string; token: string }
  | { ok: false; reason: 'malformed' | 'unknown' | 'expired' | 'revoked' | 'reused'; familyId?: string; userId?: string };

export interface RefreshTokenService {
  /** Starts a new family (a login). */
  issue(userId: string, tenantId: string): string;
  /** Spends `raw` and returns its successor in the same family; a spent token's reuse revokes the family. */
  rotate(raw: string): RefreshOutcome;
  /** Revokes the family of `raw` (logout); false when it is not a known token. */
  revokeFamilyOf(raw: string): { revoked: boolean; userId?: string; familyId?: string };
  revokeAllForUser(userId: string): number;
  /** Revokes every refresh token; returns how many live sessions (token families) that ended. */
  revokeAll(): number;
}

interface Row {
  id: string;
  tenant_id: string;
  family_id: string;
  user_id: string;
  token_hash: Buffer;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}

export interface RefreshTokenDeps {
  db: Database;
  pepper: Uint8Array;
  ttlSeconds: number;
  now?: () => Date;
}

export function createRefreshTokenService({ db, pepper, ttlSeconds, now = () => new Date() }: RefreshTokenDeps): RefreshTokenService {
  const insert = db.prepare('INSERT INTO refresh_tokens (id, tenant_id, family_id, user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const select = db.prepare<[string], Row>('SELECT id, tenant_id, family_id, user_id, token_hash, expires_at, used_at, revoked_at FROM refresh_tokens WHERE id = ?');
  const revokeFamily = db.prepare('UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE family_id = ?');

  function mint(userId: string, tenantId: string, familyId: string): string {
    const token = newOpaqueToken('dmr');
    const at = now();
    insert.run(token.id, tenantId, familyId, userId, keyedHash(pepper, token), at.toISOString(), new Date(at.getTime() + ttlSeconds * 1000).toISOString());
    return token.raw;
  }

  function find(raw: string): Row | undefined | 'malformed' {
    const token = parseOpaqueToken('dmr', raw);
    if (token === undefined) return 'malformed';
    const row = select.get(token.id);
    return row !== undefined && sameHash(row.token_hash, keyedHash(pepper, token)) ? row : undefined;
  }

  return {
    issue: (userId, tenantId) => mint(userId, tenantId, randomUUID()),
    rotate(raw) {
      // One IMMEDIATE transaction: two concurrent uses of the same token cannot both succeed.
      return db.transaction((): RefreshOutcome => {
        const row = find(raw);
        if (row === 'malformed') return { ok: false, reason: 'malformed' };
        if (row === undefined) return { ok: false, reason: 'unknown' };
        const at = now().toISOString();
        if (row.used_at !== null) {
          revokeFamily.run(at, row.family_id);
          return { ok: false, reason: 'reused', familyId: row.family_id, userId: row.user_id };
        }
        if (row.revoked_at !== null) return { ok: false, reason: 'revoked', familyId: row.family_id, userId: row.user_id };
        if (row.expires_at <= at) return { ok: false, reason: 'expired', familyId: row.family_id, userId: row.user_id };
        db.prepare('UPDATE refresh_tokens SET used_at = ? WHERE id = ?').run(at, row.id);
        return { ok: true, userId: row.user_id, tenantId: row.tenant_id, familyId: row.family_id, token: mint(row.user_id, row.tenant_id, row.family_id) };
      }).immediate();
    },
    revokeFamilyOf(raw) {
      const row = find(raw);
      if (row === undefined || row === 'malformed') return { revoked: false };
      revokeFamily.run(now().toISOString(), row.family_id);
      return { revoked: true, userId: row.user_id, familyId: row.family_id };
    },
    revokeAllForUser: (userId) => db.prepare('UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE user_id = ? AND revoked_at IS NULL').run(now().toISOString(), userId).changes,
    revokeAll: () =>
      writeTransaction(db, () => {
        const at = now().toISOString();
        const live = db.prepare('SELECT count(DISTINCT family_id) FROM refresh_tokens WHERE revoked_at IS NULL AND used_at IS NULL AND expires_at > ?').pluck().get(at) as number;
        db.prepare('UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL').run(at);
        return live;
      }),
  };
}
