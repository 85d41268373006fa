// Verifies a JSON-lines audit export offline: every line's own hash, the links between lines, the trailer's counts, digest and chain head, and its signature when the key is at hand.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseLine, type LineParts } from './chain';
import { sameMac, hmacHex } from './checkpoint';
import { exportSignedText, exportTrailerSchema, type ExportTrailer } from './export';
import type { VerifyResult } from './types';

export interface ExportVerifyResult extends VerifyResult {
  trailer: ExportTrailer | undefined;
  /** valid / invalid under the key; unchecked: no key for its installation here; absent: the export was not signed. */
  signature: 'valid' | 'invalid' | 'unchecked' | 'absent';
  /** Why the signature was not checked. */
  signature_note?: string;
  /** Places where events are not in the file (other tenants' events, when the export was for one tenant). */
  gaps: number;
  /** The first event links to the chain's base, so nothing before it is missing. */
  from_base: boolean;
  /** The last event is the chain head the trailer names, so nothing after it was cut off. */
  to_head: boolean;
}

/** The key that signed an export, looked up by the trailer's installation id; a string says why there is none. */
export type ExportKeyLookup = (trailer: ExportTrailer) => Buffer | string;

export interface ExportVerifier {
  /** Feed the file line by line (without newlines). */
  line(text: string): void;
  finish(): ExportVerifyResult;
}

export function createExportVerifier(keyFor?: ExportKeyLookup): ExportVerifier {
  const digest = createHash('sha256');
  let held: string | undefined; // the trailer is the last line: each line is checked once the next one arrives
  let lineNo = 0;
  let checked = 0;
  let first: LineParts | undefined;
  let prev: LineParts | undefined;
  let gaps = 0;
  let firstGap: number | undefined;
  let failure: { seq: number; reason: string } | undefined;

  function event(text: string, no: number): void {
    if (failure !== undefined) return;
    const parts = parseLine(text);
    const expected = prev === undefined ? 0 : prev.seq + 1;
    if (parts === undefined) {
      failure = { seq: expected, reason: `line ${no} is not an audit event line (altered or inserted)` };
      return;
    }
    if (!parts.intact) {
      failure = { seq: parts.seq, reason: `event ${parts.seq} (line ${no}) was modified after it was written` };
      return;
    }
    if (prev !== undefined) {
      if (parts.seq <= prev.seq) {
        failure = { seq: parts.seq, reason: `event ${parts.seq} (line ${no}) is out of order or repeated` };
        return;
      }
      if (parts.seq === expected && parts.prevHash !== prev.hash) {
        failure = { seq: parts.seq, reason: `event ${parts.seq} (line ${no}) does not link to the event before it (deleted, inserted or reordered)` };
        return;
      }
      if (parts.seq > expected) {
        gaps += 1;
        firstGap ??= expected;
      }
    }
    digest.update(`${text}\n`);
    first ??= parts;
    prev = parts;
    checked += 1;
  }

  function result(trailer: ExportTrailer | undefined, fail: { seq: number; reason: string } | undefined, extra: Partial<ExportVerifyResult> = {}): ExportVerifyResult {
    return {
      ok: fail === undefined,
      checked,
      first_bad_seq: fail?.seq ?? null,
      ...(fail === undefined ? {} : { reason: fail.reason }),
      trailer,
      signature: 'absent',
      gaps,
      from_base: false,
      to_head: false,
      ...extra,
    };
  }

  return {
    line(text) {
      if (text === '') return;
      lineNo += 1;
      if (held !== undefined) event(held, lineNo - 1);
      held = text;
    },
    finish() {
      const next = prev === undefined ? 1 : prev.seq + 1;
      if (failure !== undefined) return result(undefined, failure);
      let parsed: unknown;
      try {
        parsed = held === undefined ? undefined : JSON.parse(held);
      } catch {
        parsed = undefined;
      }
      const trailerParse = exportTrailerSchema.safeParse(parsed);
      if (!trailerParse.success) return result(undefined, { seq: next, reason: 'the export has no valid trailer line (cut off, or the trailer was altered)' });
      const trailer = trailerParse.data;
      const lastHash = prev?.hash ?? null;
      // A hole in an export that claims to be complete: name the first missing event (as verify does for the database).
      if (trailer.complete && firstGap !== undefined) return result(trailer, { seq: firstGap, reason: `event ${firstGap} is missing from the export` });
      if (trailer.count !== checked || trailer.first_seq !== (first?.seq ?? null) || trailer.last_seq !== (prev?.seq ?? null) || trailer.last_hash !== lastHash) {
        return result(trailer, { seq: Math.min(next, (trailer.last_seq ?? 0) + 1), reason: `the trailer lists ${trailer.count} events (${trailer.first_seq ?? '-'}..${trailer.last_seq ?? '-'}) but the file holds ${checked}: events were removed, added or cut off` });
      }
      if (digest.digest('hex') !== trailer.lines_sha256) return result(trailer, { seq: first?.seq ?? 0, reason: 'the lines do not match the digest in the trailer' });
      const fromBase = first !== undefined && first.seq === trailer.base.seq + 1;
      if (fromBase && first?.prevHash !== trailer.base.hash) return result(trailer, { seq: first?.seq ?? 0, reason: `event ${first?.seq} does not link to the chain's base` });
      const toHead = prev !== undefined && prev.seq === trailer.head.seq;
      if (toHead && prev?.hash !== trailer.head.hash) return result(trailer, { seq: prev?.seq ?? 0, reason: `event ${prev?.seq} differs from the chain head in the trailer` });

      let signature: ExportVerifyResult['signature'] = 'absent';
      let note: string | undefined;
      if (trailer.signature !== null) {
        const key = keyFor?.(trailer) ?? 'no key was given';
        if (typeof key === 'string') {
          signature = 'unchecked';
          note = key;
        } else {
          const { signature: sig, ...unsigned } = trailer;
          signature = sameMac(hmacHex(key, exportSignedText(unsigned)), sig) ? 'valid' : 'invalid';
        }
      }
      const extra = { signature, gaps, from_base: fromBase, to_head: toHead, ...(note === undefined ? {} : { signature_note: note }) };
      if (signature === 'invalid') return result(trailer, { seq: first?.seq ?? next, reason: 'the export signature does not match: the trailer or the lines were altered (or it was signed by another installation)' }, extra);
      return result(trailer, undefined, extra);
    },
  };
}

/** Verifies an export file, streaming it (exports can be larger than memory). */
export async function verifyExportFile(path: string, keyFor?: ExportKeyLookup): Promise<ExportVerifyResult> {
  const verifier = createExportVerifier(keyFor);
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) verifier.line(line);
  return verifier.finish();
}

/** The same for an export held in memory. */
export function verifyExportText(text: string, keyFor?: ExportKeyLookup): ExportVerifyResult {
  const verifier = createExportVerifier(keyFor);
  for (const line of text.split('\n')) verifier.line(line);
  return verifier.finish();
}
