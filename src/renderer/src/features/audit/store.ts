// The Audit page's store: the applied filter, the rows (history pages + the live stream, newest first), the open event, chain verification and exports.
import { create } from 'zustand';
import type { AuditExportOutcome, AuditFilter, AuditVerifyResult } from '../../../../shared/ipc/contracts/audit';
import type { AuditEventDto } from '../../../../shared/api/audit';
import { IDLE, LOADING, type Async } from '../../lib/async';
import { shownError, unwrap, type ShownError } from '../../lib/ipc';
import { useNavigation } from '../../shell/navigation';
import { createRowBuffer, type RowBuffer } from './row-buffer';

/** Rows held at most; past it the oldest go (scrolling down loads them again). */
export const MAX_ROWS = 200_000;
/** Load the next older page when the view comes this close to the end. */
export const PREFETCH_ROWS = 500;

export type LiveState = { status: 'connecting' } | { status: 'live' } | { status: 'stopped'; error: ShownError };

interface AuditState {
  filter: AuditFilter;
  rows: RowBuffer;
  /** Bumped on every change of `rows` (the buffer changes in place). */
  version: number;
  /** How many rows the last change put on top (the table keeps a scrolled view still by that much). */
  addedOnTop: number;
  history: Async<{ done: boolean }>;
  loadingOlder: boolean;
  /** Loading an older page failed (the rows held stay). */
  olderError: ShownError | null;
  live: LiveState;
  received: number;
  selected: number | null;
  detail: Async<{ event: AuditEventDto; raw: string }>;
  verify: Async<AuditVerifyResult>;
  exporting: 'jsonl' | 'csv' | null;
  exported: { outcome: AuditExportOutcome } | { error: ShownError } | null;
  /** An event to open once the page has loaded (set by "Show in Audit" elsewhere). */
  opening: number | null;
  start(filter?: AuditFilter): Promise<void>;
  stop(): void;
  loadOlder(): Promise<void>;
  open(seq: number): Promise<void>;
  close(): void;
  verifyNow(): Promise<void>;
  exportTrail(format: 'jsonl' | 'csv'): Promise<void>;
}

export const useAuditStore = create<AuditState>()((set, get) => {
  let unsubscribe: (() => void) | undefined;
  // Each start gets a generation, so answers to an earlier filter are dropped.
  let generation = 0;

  const subscribe = (filter: AuditFilter, after: number, mine: number): void => {
    unsubscribe?.();
    unsubscribe = window.mesh.onAuditEvents({ ...filter, after }, (result) => {
      if (mine !== generation) return;
      if (!result.ok) {
        set({ live: { status: 'stopped', error: result.error } });
        return;
      }
      const { rows } = get();
      const added = rows.addLive(result.value);
      rows.trim(MAX_ROWS);
      set((s) => ({ version: s.version + 1, addedOnTop: added, received: s.received + added, live: { status: 'live' } }));
    });
  };

  return {
    filter: {},
    rows: createRowBuffer(),
    version: 0,
    addedOnTop: 0,
    history: IDLE,
    loadingOlder: false,
    olderError: null,
    live: { status: 'connecting' },
    received: 0,
    selected: null,
    detail: IDLE,
    verify: IDLE,
    exporting: null,
    exported: null,
    opening: null,

    async start(filter = get().filter) {
      generation += 1;
      const mine = generation;
      unsubscribe?.();
      unsubscribe = undefined;
      set((s) => ({ filter, rows: createRowBuffer(), version: s.version + 1, addedOnTop: 0, history: LOADING, loadingOlder: false, olderError: null, live: { status: 'connecting' }, received: 0 }));
      try {
        const page = await unwrap(() => window.mesh.auditQuery({ ...filter }));
        if (mine !== generation) return;
        get().rows.addOlder(page.rows);
        set((s) => ({ version: s.version + 1, addedOnTop: 0, history: { status: 'ready', value: { done: page.next_cursor === null } } }));
        // From the head the search started at: what committed meanwhile comes through the stream (repeats are dropped).
        subscribe(filter, page.head, mine);
        set({ live: { status: 'live' } });
        const { opening } = get();
        if (opening !== null) {
          set({ opening: null });
          void get().open(opening);
        }
      } catch (error) {
        if (mine === generation) set({ history: { status: 'error', error: shownError(error) }, live: { status: 'stopped', error: shownError(error) } });
      }
    },

    stop() {
      generation += 1;
      unsubscribe?.();
      unsubscribe = undefined;
    },

    async loadOlder() {
      const { history, loadingOlder, rows, filter } = get();
      if (loadingOlder || history.status !== 'ready' || history.value.done) return;
      const cursor = rows.oldestSeq();
      if (cursor === undefined) return;
      const mine = generation;
      set({ loadingOlder: true, olderError: null });
      try {
        const page = await unwrap(() => window.mesh.auditQuery({ ...filter, cursor }));
        if (mine !== generation) return;
        rows.addOlder(page.rows);
        set((s) => ({ version: s.version + 1, addedOnTop: 0, loadingOlder: false, history: { status: 'ready', value: { done: page.next_cursor === null } } }));
      } catch (error) {
        if (mine === generation) set({ loadingOlder: false, olderError: shownError(error) });
      }
    },

    async open(seq) {
      set({ selected: seq, detail: LOADING });
      try {
        const detail = await unwrap(() => window.mesh.auditEvent({ seq }));
        if (get().selected === seq) set({ detail: { status: 'ready', value: detail } });
      } catch (error) {
        if (get().selected === seq) set({ detail: { status: 'error', error: shownError(error) } });
      }
    },

    close() {
      set({ selected: null, detail: IDLE });
    },

    async verifyNow() {
      set({ verify: LOADING });
      try {
        set({ verify: { status: 'ready', value: await unwrap(() => window.mesh.auditVerify()) } });
      } catch (error) {
        set({ verify: { status: 'error', error: shownError(error) } });
      }
    },

    async exportTrail(format) {
      const { since, until } = get().filter;
      set({ exporting: format, exported: null });
      try {
        const outcome = await unwrap(() => window.mesh.auditExport({ format, since, until }));
        set({ exporting: null, exported: { outcome } });
      } catch (error) {
        set({ exporting: null, exported: { error: shownError(error) } });
      }
    },
  };
});

/** Opens the Audit page filtered (e.g. to one subject), with one event's drawer open: the Overview's way into the trail. */
export function showInAudit(filter: AuditFilter, seq: number): void {
  useAuditStore.setState({ filter, opening: seq, selected: null, detail: IDLE });
  useNavigation.getState().go('audit');
}
