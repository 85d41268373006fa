// The audit hash chain: each event's hash covers its fields, its position (seq) and the previous event's hash.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The stored columns that the hash covers, in a fixed order. `metadata` is the stored JSON text, byte for byte. */
export interface ChainedFields {
  seq: number;
  tenant_id: string;
  timestamp: string;
  event_type: string;
  subject: string;
  action: string;
  resource: string;
  result: string;
  error: string | null;
  metadata: string | null;
  trace_id: string | null;
  ip: string | null;
  user_agent: string | null;
  prev_hash: string;
}

export function eventHash(e: ChainedFields): string {
  // An array, not an object: no key-order ambiguity and no field can run into the next.
  const canonical = JSON.stringify([
    e.seq, e.tenant_id, e.timestamp, e.event_type, e.subject, e.action, e.resource, e.result,
    e.error, e.metadata, e.trace_id, e.ip, e.user_agent, e.prev_hash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Where verification starts: the genesis, or a checkpoint left by retention pruning. */
export interface ChainAnchor {
  seq: number;
  hash: string;
}

export const GENESIS_ANCHOR: ChainAnchor = { seq: 0, hash: GENESIS_HASH };

export function parseAnchor(value: string | undefined): ChainAnchor | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value);
  return match === null ? undefined : { seq: Number(match[1]), hash: match[2] as string };
}

export function formatAnchor(anchor: ChainAnchor): string {
  return `${anchor.seq}:${anchor.hash}`;
}
