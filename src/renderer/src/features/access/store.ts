// The Access control page's store: roles, the selected role with its unsaved draft (edited locally until reviewed and saved), role assignment and the policy simulator.
import { create } from 'zustand';
import type { Outcome } from '../../components/outcome-view';
import type { ListedApiKey, UserRow } from '../../../../shared/ipc/contracts/keys';
import type { PermissionCatalog, RoleDetails, RoleOption, SimulationAnswer, SimulationQuestion } from '../../../../shared/ipc/contracts/roles';
import { IDLE, LOADING, type Async } from '../../lib/async';
import { shownError, unwrap } from '../../lib/ipc';
import { diffPermissions, isEmptyDiff, normalizePermissions } from './permission-matrix-model';

export interface Draft {
  permissions: string[];
  description: string;
}

interface AccessState {
  roles: Async<RoleOption[]>;
  catalog: Async<PermissionCatalog>;
  users: Async<UserRow[]>;
  keys: Async<ListedApiKey[]>;
  selected: string | null;
  details: Async<RoleDetails>;
  /** The selected role as edited here, not yet saved. */
  draft: Draft | null;
  /** The diff preview is showing (Save applies it). */
  reviewing: boolean;
  saving: boolean;
  roleOutcome: Outcome;
  holderOutcome: Outcome;
  simulation: Async<SimulationAnswer>;
  load(): Promise<void>;
  select(name: string): Promise<void>;
  edit(draft: Draft): void;
  review(): void;
  backToEditing(): void;
  discard(): void;
  save(): Promise<void>;
  createRole(name: string, description: string): Promise<boolean>;
  deleteRole(name: string): Promise<void>;
  assignRole(user: Pick<UserRow, 'id' | 'username' | 'role'>, role: string): Promise<void>;
  simulate(question: SimulationQuestion): Promise<void>;
  /** Users and keys change elsewhere (CLI, REST, the Keys page): the simulator's pickers reload them. */
  refreshSubjects(): Promise<void>;
  reset(): void;
}

/** True when the draft differs from the saved role. */
export function isDirty(details: Async<RoleDetails>, draft: Draft | null): boolean {
  if (draft === null || details.status !== 'ready') return false;
  return !isEmptyDiff(diffPermissions(details.value.permissions, draft.permissions)) || draft.description !== details.value.description;
}

async function settle<T>(call: () => Promise<T>): Promise<Async<T>> {
  try {
    return { status: 'ready', value: await call() };
  } catch (error) {
    return { status: 'error', error: shownError(error) };
  }
}

export const useAccessStore = create<AccessState>()((set, get) => {
  const loadRoles = async () => set({ roles: await settle(async () => (await unwrap(() => window.mesh.rolesList())).roles) });
  const loadUsers = async () => set({ users: await settle(async () => (await unwrap(() => window.mesh.usersList())).users) });
  const loadKeys = async () => set({ keys: await settle(async () => (await unwrap(() => window.mesh.keysList())).api_keys) });
  async function loadDetails(name: string): Promise<void> {
    const details = await settle(() => unwrap(() => window.mesh.rolesGet({ name })));
    // A slow answer for a role no longer selected is dropped.
    if (get().selected !== name) return;
    set({ details, draft: details.status === 'ready' ? { permissions: [...details.value.permissions], description: details.value.description } : null, reviewing: false });
  }

  return {
    roles: IDLE,
    catalog: IDLE,
    users: IDLE,
    keys: IDLE,
    selected: null,
    details: IDLE,
    draft: null,
    reviewing: false,
    saving: false,
    roleOutcome: null,
    holderOutcome: null,
    simulation: IDLE,
    async load() {
      set({ roles: LOADING, catalog: LOADING, users: LOADING, keys: LOADING });
      await Promise.all([
        loadRoles(),
        loadUsers(),
        loadKeys(),
        settle(() => unwrap(() => window.mesh.rolesCatalog())).then((catalog) => set({ catalog })),
      ]);
      const { selected } = get();
      if (selected !== null) await loadDetails(selected);
    },
    async select(name) {
      set({ selected: name, details: LOADING, draft: null, reviewing: false, roleOutcome: null, holderOutcome: null });
      await loadDetails(name);
    },
    edit: (draft) => set({ draft, reviewing: false }),
    review: () => set({ reviewing: true }),
    backToEditing: () => set({ reviewing: false }),
    discard() {
      const { details } = get();
      if (details.status === 'ready') set({ draft: { permissions: [...details.value.permissions], description: details.value.description }, reviewing: false, roleOutcome: null });
    },
    async save() {
      const { selected, draft, details } = get();
      if (selected === null || draft === null || details.status !== 'ready') return;
      set({ saving: true });
      try {
        const permissions = normalizePermissions(draft.permissions);
        const saved = await unwrap(() => window.mesh.rolesUpdate({ name: selected, permissions, description: draft.description }));
        set({ roleOutcome: { kind: 'ok', text: `Saved role ${saved.name} (version ${saved.version}).` } });
        await Promise.all([loadDetails(selected), loadRoles()]);
      } catch (error) {
        set({ roleOutcome: { kind: 'error', title: `Role ${selected} was not saved`, error: shownError(error) } });
      } finally {
        set({ saving: false });
      }
    },
    async createRole(name, description) {
      try {
        const role = await unwrap(() => window.mesh.rolesCreate({ name, permissions: [], ...(description === '' ? {} : { description }) }));
        await loadRoles();
        await get().select(role.name);
        set({ roleOutcome: { kind: 'ok', text: `Created role ${role.name}. Tick its permissions, then review and save.` } });
        return true;
      } catch (error) {
        set({ roleOutcome: { kind: 'error', title: 'The role was not created', error: shownError(error) } });
        return false;
      }
    },
    async deleteRole(name) {
      try {
        await unwrap(() => window.mesh.rolesDelete({ name }));
        set({ selected: null, details: IDLE, draft: null, reviewing: false, roleOutcome: { kind: 'ok', text: `Deleted role ${name}.` } });
        await loadRoles();
      } catch (error) {
        set({ roleOutcome: { kind: 'error', title: `Role ${name} was not deleted`, error: shownError(error) } });
      }
    },
    async assignRole(user, role) {
      try {
        await unwrap(() => window.mesh.usersSetRole({ id: user.id, role }));
        set({ holderOutcome: { kind: 'ok', text: `${user.username}: role ${user.role} → ${role}.` } });
      } catch (error) {
        set({ holderOutcome: { kind: 'error', title: `The role of ${user.username} was not changed`, error: shownError(error) } });
      }
      await loadUsers();
      const { selected } = get();
      if (selected !== null) {
        // Keep unsaved edits: only the holders are refreshed.
        const details = await settle(() => unwrap(() => window.mesh.rolesGet({ name: selected })));
        const current = get().details;
        if (get().selected === selected && details.status === 'ready' && current.status === 'ready') set({ details: { status: 'ready', value: { ...current.value, holders: details.value.holders } } });
      }
    },
    async simulate(question) {
      set({ simulation: LOADING });
      set({ simulation: await settle(() => unwrap(() => window.mesh.rolesSimulate(question))) });
    },
    async refreshSubjects() {
      await Promise.all([loadUsers(), loadKeys(), loadRoles()]);
    },
    reset: () => set({ selected: null, details: IDLE, draft: null, reviewing: false, roleOutcome: null, holderOutcome: null, simulation: IDLE }),
  };
});
