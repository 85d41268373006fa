// The audit hash chain over log lines: each line ends with the SHA-256 of everything before it, which includes its seq and the previous line's hash.
import { hash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

const HASH_MARK = ',"hash":"';
const PREV_MARK = ',"prev_hash":"';
const LINE_START = /^\{"audit_event":true,"seq":(\d+),/;

/** Builds the line for event `seq` from its body (see lineBodyOf) and the previous hash; the line's own hash comes last. */
export function chainLine(seq: number, lineBody: string, prevHash: string): { line: string; hash: string } {
  const prefix = `{"audit_event":true,"seq":${seq}${lineBody}${PREV_MARK}${prevHash}"`;
  const digest = hash('sha256', prefix, 'hex');
  return { line: `${prefix}${HASH_MARK}${digest}"}`, hash: digest };
}

/** A line taken apart by its fixed layout; undefined when the layout itself was altered. */
export interface LineParts {
  seq: number;
  prevHash: string;
  hash: string;
  /** Whether the stored hash matches the bytes before it. */
  intact: boolean;
}

export function parseLine(line: string): LineParts | undefined {
  const start = LINE_START.exec(line);
  const at = line.length - (HASH_MARK.length + 64 + 2);
  if (start === null || at < 0 || line.slice(at, at + HASH_MARK.length) !== HASH_MARK || !line.endsWith('"}')) return undefined;
  const prefix = line.slice(0, at);
  const prevAt = prefix.length - (PREV_MARK.length + 64 + 1);
  if (prevAt < 0 || prefix.slice(prevAt, prevAt + PREV_MARK.length) !== PREV_MARK || !prefix.endsWith('"')) return undefined;
  const stored = line.slice(at + HASH_MARK.length, at + HASH_MARK.length + 64);
  return {
    seq: Number(start[1]),
    prevHash: prefix.slice(prevAt + PREV_MARK.length, prefix.length - 1),
    hash: stored,
    intact: hash('sha256', prefix, 'hex') === stored,
  };
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
