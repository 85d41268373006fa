// The "Keys & identities" page's store: API keys (a new key's raw value kept only until hidden or the page is left), users, JWT rotation and lockdown.
import { create } from 'zustand';
import type { Outcome } from '../../components/outcome-view';
import type { CreatedApiKey, ListedApiKey, LockdownOutcome, MasterKeyRotation, UserRow } from '../../../../shared/ipc/contracts/keys';
import type { RoleOption } from '../../../../shared/ipc/contracts/roles';
import { IDLE, LOADING, type Async } from '../../lib/async';
import { shownError, unwrap } from '../../lib/ipc';

export interface NewKeyForm {
  name: string;
  role: string;
  /** Empty: never expires. */
  expiresIn: string;
}

export interface NewUserForm {
  username: string;
  password: string;
  role: string;
}

interface KeysState {
  roles: Async<RoleOption[]>;
  keys: Async<ListedApiKey[]>;
  users: Async<UserRow[]>;
  /** The key just created, with its raw value: shown once. */
  created: CreatedApiKey | null;
  keyOutcome: Outcome;
  userOutcome: Outcome;
  jwt: Async<{ kid: string; previous_valid_until: string | null }>;
  masterKey: Async<MasterKeyRotation>;
  lockdown: Async<LockdownOutcome>;
  load(): Promise<void>;
  createKey(form: NewKeyForm): Promise<boolean>;
  revokeKey(key: ListedApiKey): Promise<void>;
  forgetKey(): void;
  createUser(form: NewUserForm): Promise<boolean>;
  setRole(user: UserRow, role: string): Promise<void>;
  setDisabled(user: UserRow, disabled: boolean): Promise<void>;
  resetPassword(user: UserRow, password: string): Promise<boolean>;
  rotateJwt(): Promise<void>;
  rotateMasterKey(): Promise<void>;
  runLockdown(adminsOnly: boolean): Promise<void>;
  /** Leaving the page: the raw key and the last outcomes are forgotten. */
  reset(): void;
}

function sessions(n: number): string {
  return `${n} session${n === 1 ? '' : 's'} ended`;
}

export const useKeysStore = create<KeysState>()((set) => {
  async function loadKeys(): Promise<void> {
    try {
      set({ keys: { status: 'ready', value: (await unwrap(() => window.mesh.keysList())).api_keys } });
    } catch (error) {
      set({ keys: { status: 'error', error: shownError(error) } });
    }
  }
  async function loadUsers(): Promise<void> {
    try {
      set({ users: { status: 'ready', value: (await unwrap(() => window.mesh.usersList())).users } });
    } catch (error) {
      set({ users: { status: 'error', error: shownError(error) } });
    }
  }
  async function loadRoles(): Promise<void> {
    try {
      set({ roles: { status: 'ready', value: (await unwrap(() => window.mesh.rolesList())).roles } });
    } catch (error) {
      set({ roles: { status: 'error', error: shownError(error) } });
    }
  }
  /** Runs a user action, announces what it did and reloads the list; false when it failed (shown). */
  async function userAction(title: string, run: () => Promise<string>): Promise<boolean> {
    try {
      const text = await run();
      set({ userOutcome: { kind: 'ok', text } });
      return true;
    } catch (error) {
      set({ userOutcome: { kind: 'error', title, error: shownError(error) } });
      return false;
    } finally {
      await loadUsers();
    }
  }

  return {
    roles: IDLE,
    keys: IDLE,
    users: IDLE,
    created: null,
    keyOutcome: null,
    userOutcome: null,
    jwt: IDLE,
    masterKey: IDLE,
    lockdown: IDLE,
    async load() {
      set({ roles: LOADING, keys: LOADING, users: LOADING });
      await Promise.all([loadRoles(), loadKeys(), loadUsers()]);
    },
    async createKey({ name, role, expiresIn }) {
      set({ keyOutcome: null, created: null });
      try {
        const created = await unwrap(() => window.mesh.keysCreate({ name, role, ...(expiresIn === '' ? {} : { expires_in: expiresIn }) }));
        set({ created });
        return true;
      } catch (error) {
        set({ keyOutcome: { kind: 'error', title: 'The key was not created', error: shownError(error) } });
        return false;
      } finally {
        await loadKeys();
      }
    },
    async revokeKey(key) {
      try {
        await unwrap(() => window.mesh.keysRevoke({ id: key.id }));
        set({ keyOutcome: { kind: 'ok', text: `Revoked ${key.id} "${key.name}": it is refused from its very next request.` } });
      } catch (error) {
        set({ keyOutcome: { kind: 'error', title: `${key.name} was not revoked`, error: shownError(error) } });
      }
      await loadKeys();
    },
    forgetKey() {
      set({ created: null });
    },
    createUser: (form) => userAction('The user was not created', async () => `Created ${(await unwrap(() => window.mesh.usersCreate(form))).username} (role ${form.role}).`),
    async setRole(user, role) {
      await userAction(`The role of ${user.username} was not changed`, async () => {
        await unwrap(() => window.mesh.usersSetRole({ id: user.id, role }));
        return `${user.username}: role ${user.role} → ${role}.`;
      });
    },
    async setDisabled(user, disabled) {
      await userAction(`${user.username} was not ${disabled ? 'disabled' : 'enabled'}`, async () => {
        const { sessions_ended } = await unwrap(() => window.mesh.usersSetDisabled({ id: user.id, disabled }));
        return disabled ? `${user.username} disabled: logins, tokens and owned keys stop working; ${sessions(sessions_ended)}.` : `${user.username} enabled.`;
      });
    },
    resetPassword: (user, password) =>
      userAction(`The password of ${user.username} was not reset`, async () => {
        const { sessions_ended } = await unwrap(() => window.mesh.usersResetPassword({ id: user.id, password }));
        return `${user.username}: password reset (a lockout is lifted); ${sessions(sessions_ended)}.`;
      }),
    async rotateJwt() {
      set({ jwt: LOADING });
      try {
        set({ jwt: { status: 'ready', value: await unwrap(() => window.mesh.authRotateJwtKey()) } });
      } catch (error) {
        set({ jwt: { status: 'error', error: shownError(error) } });
      }
    },
    async rotateMasterKey() {
      set({ masterKey: LOADING });
      try {
        set({ masterKey: { status: 'ready', value: await unwrap(() => window.mesh.masterKeyRotate()) } });
      } catch (error) {
        set({ masterKey: { status: 'error', error: shownError(error) } });
      }
    },
    async runLockdown(adminsOnly) {
      set({ lockdown: LOADING, created: null });
      try {
        set({ lockdown: { status: 'ready', value: await unwrap(() => window.mesh.incidentLockdown({ admins_only: adminsOnly })) } });
      } catch (error) {
        set({ lockdown: { status: 'error', error: shownError(error) } });
      }
      await Promise.all([loadKeys(), loadUsers()]);
    },
    reset() {
      set({ created: null, keyOutcome: null, userOutcome: null, jwt: IDLE, masterKey: IDLE, lockdown: IDLE });
    },
  };
});

/** Roles the operator may hand out, for a select. */
export function assignable(roles: Async<RoleOption[]>): RoleOption[] {
  return roles.status === 'ready' ? roles.value.filter((r) => r.assignable) : [];
}
