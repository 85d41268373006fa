// The "Connect an agent" page's store: the roles to pick from, the form, and the setup the mesh returned (its raw key kept only until the user hides it or leaves).
import { create } from 'zustand';
import type { ConnectSetup } from '../../../../shared/ipc/contracts/connect';
import type { RoleOption } from '../../../../shared/ipc/contracts/roles';
import type { McpClient } from '../../../../shared/mcp-clients';
import { IDLE, LOADING, type Async } from '../../lib/async';
import { shownError, unwrap } from '../../lib/ipc';

export interface ConnectForm {
  client: McpClient;
  role: string;
  /** Empty: the default, mcp-<client>. */
  keyName: string;
}

interface ConnectState {
  roles: Async<RoleOption[]>;
  form: ConnectForm;
  setup: Async<ConnectSetup>;
  loadRoles(): Promise<void>;
  edit(change: Partial<ConnectForm>): void;
  submit(): Promise<void>;
  /** Drops the raw key from memory (the user stored it, or left the page): it cannot be shown again. */
  forgetKey(): void;
}

const DEFAULT_FORM: ConnectForm = { client: 'claude-code', role: 'user', keyName: '' };

export const useConnectStore = create<ConnectState>()((set, get) => ({
  roles: IDLE,
  form: DEFAULT_FORM,
  setup: IDLE,
  async loadRoles() {
    set({ roles: LOADING });
    try {
      const { roles } = await unwrap(() => window.mesh.rolesList());
      set({ roles: { status: 'ready', value: roles } });
    } catch (error) {
      set({ roles: { status: 'error', error: shownError(error) } });
    }
  },
  edit(change) {
    set({ form: { ...get().form, ...change } });
  },
  async submit() {
    const { client, role, keyName } = get().form;
    set({ setup: LOADING });
    try {
      const setup = await unwrap(() => window.mesh.connectSetup({ client, role, ...(keyName === '' ? {} : { key_name: keyName }) }));
      set({ setup: { status: 'ready', value: setup } });
    } catch (error) {
      set({ setup: { status: 'error', error: shownError(error) } });
    }
  },
  forgetKey() {
    const { setup } = get();
    if (setup.status !== 'ready' || setup.value.api_key === undefined) return;
    const { api_key: _dropped, ...rest } = setup.value;
    set({ setup: { status: 'ready', value: rest } });
  },
}));
