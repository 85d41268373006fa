// Follows the audit trail as it grows: wakes on this process's commits at once and polls the database for other processes' (CLI) commits, delivering lines in chain order.
import type { AuditService } from './audit-service';
import type { LineReader, StoredLine } from './lines';

export interface FollowOptions {
  reader: LineReader;
  /** This process's audit service: its commits wake the follower at once instead of at the next poll. */
  audit?: AuditService | undefined;
  /** Only this tenant's events (all when undefined). */
  tenantId?: string | undefined;
  /** Deliver events with a seq above this. */
  after: number;
  /** How often to look for commits made by other processes. */
  pollMs?: number;
  /** Receives each page of new lines; the next page waits for the returned promise (backpressure). */
  deliver: (lines: StoredLine[]) => void | Promise<void>;
  onError?: (error: unknown) => void;
}

export interface Follower {
  /** Stops at the next turn; `done` resolves then. */
  stop(): void;
  readonly done: Promise<void>;
}

export const DEFAULT_POLL_MS = 500;

/**
 * Reading from the database (rather than forwarding subscribed events) keeps one order for everything: seqs are
 * assigned under the write lock, so anything committed later, by any process, has a higher seq than what was read.
 */
export function followAudit({ reader, audit, tenantId, after: start, pollMs = DEFAULT_POLL_MS, deliver, onError }: FollowOptions): Follower {
  let stopped = false;
  let dirty = true;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const poke = (): void => {
    dirty = true;
    wake?.();
  };
  const unsubscribe = audit?.subscribe(poke);

  async function loop(): Promise<void> {
    let after = start;
    try {
      while (!stopped) {
        if (!dirty) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, pollMs);
          });
          wake = undefined;
          clearTimeout(timer);
        }
        if (stopped) break;
        dirty = false;
        const through = reader.head();
        while (!stopped && after < through) {
          const page = reader.page(after, { tenantId, through });
          if (page.lines.length > 0) await deliver(page.lines);
          after = page.done ? through : page.scannedThrough;
        }
      }
    } catch (error) {
      if (!stopped) onError?.(error);
    } finally {
      unsubscribe?.();
    }
  }

  // Started on the next turn, so the caller holds the follower before the first delivery (or error) reaches it.
  const done = Promise.resolve().then(loop);
  return {
    stop() {
      stopped = true;
      wake?.();
    },
    done,
  };
}
