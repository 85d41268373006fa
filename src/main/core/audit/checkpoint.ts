// Signed checkpoints: when pruning moves the audit chain's verification base, an HMAC over it (key kept encrypted in the secret store) lets verify tell a real base from a forged one.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { SecretStore } from '../crypto/secret-store';
import type { MetaStore } from '../storage/meta';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import type { ChainAnchor } from './chain';

/** Secret-store name of the HMAC key (tenant 'default': the chain is one for the whole installation). */
export const CHECKPOINT_KEY_NAME = 'audit-checkpoint-key';
/** meta key of the checkpoint that vouches for the current base (meta audit_base). */
export const META_AUDIT_CHECKPOINT = 'audit_checkpoint';

const KEY_BYTES = 32;
const HEX64 = /^[0-9a-f]{64}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** What a checkpoint says: pruning removed everything up to event `seq` (whose hash is `hash`), older than `pruned_before`. */
export interface CheckpointBody {
  seq: number;
  hash: string;
  /** The retention cutoff: events before it were eligible for removal. */
  pruned_before: string;
  /** Events this pruning removed. */
  removed_count: number;
  created_at: string;
}

export interface Checkpoint extends CheckpointBody {
  /** HMAC-SHA256 (hex) of the body under the checkpoint key. */
  sig: string;
}

/** Where the checkpoint key comes from: the key (undefined when none was ever created), or why it cannot be read. */
export type CheckpointKey = { key: Buffer | undefined } | { unavailable: string };

export function loadCheckpointKey(secrets: SecretStore): Buffer | undefined {
  return secrets.get(DEFAULT_TENANT_ID, CHECKPOINT_KEY_NAME);
}

/**
 * The key, created on first use. Call inside a write transaction (BEGIN IMMEDIATE), so that two processes pruning or
 * exporting at the same moment cannot each create (and overwrite) their own.
 */
export function ensureCheckpointKey(secrets: SecretStore): Buffer {
  const existing = loadCheckpointKey(secrets);
  if (existing !== undefined) return existing;
  const key = randomBytes(KEY_BYTES);
  secrets.put(DEFAULT_TENANT_ID, CHECKPOINT_KEY_NAME, key);
  return key;
}

/** Runs `work` with the checkpoint key, creating it if needed under the write lock. */
export function withCheckpointKey<T>(db: Database, secrets: SecretStore, work: (key: Buffer) => T): T {
  return db.transaction(() => work(ensureCheckpointKey(secrets))).immediate();
}

/** One unambiguous text per body (no field can hold a newline: numbers, hex and ISO timestamps only). */
function signedText(body: CheckpointBody): string {
  return `devmesh/audit-checkpoint/v1\n${body.seq}\n${body.hash}\n${body.pruned_before}\n${body.removed_count}\n${body.created_at}`;
}

export function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

/** Constant-time comparison of two hex MACs. */
export function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return a.length === 64 && b.length === 64 && x.length === y.length && timingSafeEqual(x, y);
}

export function signCheckpoint(key: Buffer, body: CheckpointBody): Checkpoint {
  return { ...body, sig: hmacHex(key, signedText(body)) };
}

/** The stored checkpoint, or undefined when absent or not even well-formed. */
export function parseCheckpoint(text: string | undefined): Checkpoint | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Record<string, unknown>;
  const wellFormed =
    Number.isSafeInteger(c.seq) && (c.seq as number) > 0 && typeof c.hash === 'string' && HEX64.test(c.hash) &&
    typeof c.pruned_before === 'string' && ISO.test(c.pruned_before) && Number.isSafeInteger(c.removed_count) && (c.removed_count as number) >= 0 &&
    typeof c.created_at === 'string' && ISO.test(c.created_at) && typeof c.sig === 'string' && HEX64.test(c.sig);
  if (!wellFormed) return undefined;
  return { seq: c.seq as number, hash: c.hash as string, pruned_before: c.pruned_before as string, removed_count: c.removed_count as number, created_at: c.created_at as string, sig: c.sig as string };
}

export function readCheckpoint(meta: MetaStore): Checkpoint | undefined {
  return parseCheckpoint(meta.get(META_AUDIT_CHECKPOINT));
}

export function storeCheckpoint(meta: MetaStore, checkpoint: Checkpoint): void {
  meta.set(META_AUDIT_CHECKPOINT, JSON.stringify(checkpoint));
}

/**
 * Why `base` cannot be trusted, or undefined when a checkpoint signed with `key` vouches for exactly it. Deliberately
 * unspecific about which part failed (missing, altered or re-signed look the same to whoever forged it).
 */
export function distrustOfBase(base: ChainAnchor, stored: string | undefined, key: Buffer | undefined): string | undefined {
  const forged = `the verification base (event ${base.seq}, where pruning stopped) has no valid signed checkpoint: the base or its checkpoint was forged or altered`;
  if (key === undefined) return `${forged} (no checkpoint key exists)`;
  const checkpoint = parseCheckpoint(stored);
  if (checkpoint === undefined || checkpoint.seq !== base.seq || checkpoint.hash !== base.hash) return forged;
  const { sig, ...body } = checkpoint;
  return sameMac(signCheckpoint(key, body).sig, sig) ? undefined : forged;
}
