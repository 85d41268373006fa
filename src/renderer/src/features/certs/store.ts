// The Certificates page's store: the list (with the current CA and serving choice), the selected certificate, and the outcome of the last action.
import { create } from 'zustand';
import type { Certificate, CertificateList } from '../../../../shared/ipc/contracts/certs';
import type { IpcResult } from '../../../../shared/ipc/contract';
import { IDLE, LOADING, type Async } from '../../lib/async';
import { shownError, unwrap, type ShownError } from '../../lib/ipc';

/** Which action a message belongs to, so the form that made it shows it inline. */
export type CertAction = 'createCa' | 'rotateCa' | 'issueServer' | 'issueClient' | 'revoke' | 'use' | 'export' | 'trust' | 'saveCa';

interface CertsState {
  list: Async<CertificateList>;
  selected: string | null;
  busy: CertAction | null;
  /** The last action's failure, shown next to the form that made it. */
  failure: { action: CertAction; error: ShownError } | null;
  /** The last action's success, announced politely. */
  notice: string | null;
  load(): Promise<void>;
  select(serial: string | null): void;
  /** Runs an action; on success reloads the list, announces `done`'s message (if any) and returns the value; on failure keeps the message and returns undefined. */
  run<T>(action: CertAction, call: () => Promise<IpcResult<T>>, done?: (value: T) => string | null): Promise<T | undefined>;
  clearFailure(): void;
}

export const useCertsStore = create<CertsState>()((set, get) => ({
  list: IDLE,
  selected: null,
  busy: null,
  failure: null,
  notice: null,
  async load() {
    if (get().list.status !== 'ready') set({ list: LOADING });
    try {
      const value = await unwrap(() => window.mesh.certsList());
      set({ list: { status: 'ready', value } });
    } catch (error) {
      set({ list: { status: 'error', error: shownError(error) } });
    }
  },
  select(serial) {
    set({ selected: serial, failure: null });
  },
  async run(action, call, done) {
    set({ busy: action, failure: null, notice: null });
    try {
      const value = await unwrap(call);
      set({ busy: null, notice: done?.(value) ?? null });
      await get().load();
      return value;
    } catch (error) {
      set({ busy: null, failure: { action, error: shownError(error) } });
      return undefined;
    }
  },
  clearFailure() {
    set({ failure: null });
  },
}));

export function certificateOf(list: CertificateList, serial: string | null): Certificate | undefined {
  return serial === null ? undefined : list.certificates.find((c) => c.serial === serial);
}
