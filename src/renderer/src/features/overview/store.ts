// The Overview page's store: the mesh's status and overview (loaded together), and the "Verify now" run.
import { create } from 'zustand';
import type { MeshStatus } from '../../../../shared/ipc/contract';
import type { AuditVerifyResult } from '../../../../shared/ipc/contracts/audit';
import type { Overview } from '../../../../shared/ipc/contracts/overview';
import { IDLE, LOADING, type Async } from '../../lib/async';
import { shownError, unwrap } from '../../lib/ipc';

export interface OverviewData {
  status: MeshStatus;
  overview: Overview;
}

interface OverviewState {
  data: Async<OverviewData>;
  verify: Async<AuditVerifyResult>;
  /** Loads (or reloads) everything; a reload keeps the shown data until the new data is in. */
  load(): Promise<void>;
  verifyNow(): Promise<void>;
}

export const useOverviewStore = create<OverviewState>()((set, get) => ({
  data: IDLE,
  verify: IDLE,
  async load() {
    if (get().data.status !== 'ready') set({ data: LOADING });
    try {
      const [status, overview] = await Promise.all([unwrap(() => window.mesh.meshStatus()), unwrap(() => window.mesh.overviewGet())]);
      set({ data: { status: 'ready', value: { status, overview } } });
    } catch (error) {
      set({ data: { status: 'error', error: shownError(error) } });
    }
  },
  async verifyNow() {
    set({ verify: LOADING });
    try {
      const result = await unwrap(() => window.mesh.auditVerify());
      set({ verify: { status: 'ready', value: result } });
    } catch (error) {
      set({ verify: { status: 'error', error: shownError(error) } });
    }
  },
}));
