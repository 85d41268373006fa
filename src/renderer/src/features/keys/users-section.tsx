// Users: the create form, and the table with role select, disable/enable and password reset (both confirmed in the modal dialog).
import { useState } from 'react';
import type { RoleOption } from '../../../../shared/ipc/contracts/roles';
import type { UserRow } from '../../../../shared/ipc/contracts/keys';
import { Section } from '../../components/section';
import { AsyncView, Empty } from '../../components/status';
import { formatDateTime } from '../../lib/format';
import { ConfirmButton } from './confirm-button';
import { OutcomeView } from '../../components/outcome-view';
import { RoleSelect } from '../../components/role-select';
import { useKeysStore, type NewUserForm } from './store';

function NewUserFormView({ roles }: { roles: RoleOption[] }): React.JSX.Element {
  const createUser = useKeysStore((s) => s.createUser);
  const [form, setForm] = useState<NewUserForm>({ username: '', password: '', role: 'user' });
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="inline-form"
      aria-label="Create a user"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        void createUser(form).then((ok) => {
          setBusy(false);
          if (ok) setForm({ ...form, username: '', password: '' });
        });
      }}
    >
      <div className="field">
        <label htmlFor="user-name">Username</label>
        <input id="user-name" type="text" required maxLength={64} value={form.username} autoComplete="off" spellCheck={false} onChange={(e) => setForm({ ...form, username: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="user-password">Password</label>
        <input id="user-password" type="password" required value={form.password} autoComplete="new-password" onChange={(e) => setForm({ ...form, password: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="user-role">Role</label>
        <RoleSelect id="user-role" roles={roles} value={form.role} onChange={(role) => setForm({ ...form, role })} />
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create user'}
        </button>
      </div>
    </form>
  );
}

function ResetPassword({ user }: { user: UserRow }): React.JSX.Element {
  const resetPassword = useKeysStore((s) => s.resetPassword);
  const outcome = useKeysStore((s) => s.userOutcome);
  const [password, setPassword] = useState('');
  const [tried, setTried] = useState(false);
  const id = `reset-${user.id}`;
  return (
    <ConfirmButton
      label="Reset password"
      title={`Reset the password of ${user.username}?`}
      confirmLabel="Set password"
      busyLabel="Setting…"
      confirmDisabled={password === ''}
      onConfirm={async () => {
        setTried(true);
        return resetPassword(user, password);
      }}
      onClose={() => {
        setPassword('');
        setTried(false);
      }}
    >
      <p>Their sessions end and a lockout is lifted; they sign in with the new password from now on.</p>
      <div className="field">
        <label htmlFor={id}>New password for {user.username}</label>
        <input id={id} type="password" required autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      {/* The page behind the modal is inert: a refusal (e.g. too short) is shown here, with the password kept to fix. */}
      {tried && outcome?.kind === 'error' && <OutcomeView outcome={outcome} />}
    </ConfirmButton>
  );
}

function UserTable({ users, roles }: { users: UserRow[]; roles: RoleOption[] }): React.JSX.Element {
  const setRole = useKeysStore((s) => s.setRole);
  const setDisabled = useKeysStore((s) => s.setDisabled);
  if (users.length === 0) return <Empty>No users yet.</Empty>;
  return (
    <div className="table-wrap">
      <table data-testid="users-table">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="offscreen">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-testid={`user-${u.username}`}>
              <th scope="row">{u.username}</th>
              <td>
                <RoleSelect id={`role-${u.id}`} label={`Role of ${u.username}`} roles={roles} value={u.role} onChange={(role) => void setRole(u, role)} />
              </td>
              <td>
                {u.disabled ? <span className="badge badge-bad">disabled</span> : <span className="badge badge-ok">active</span>}
                {u.locked_until !== null && ` locked until ${formatDateTime(u.locked_until)}`}
              </td>
              <td>{formatDateTime(u.created_at)}</td>
              <td className="row-actions">
                {u.disabled ? (
                  <button type="button" onClick={() => void setDisabled(u, false)}>
                    Enable {u.username}
                  </button>
                ) : (
                  <ConfirmButton label={`Disable ${u.username}`} title={`Disable ${u.username}?`} confirmLabel="Disable user" busyLabel="Disabling…" onConfirm={() => setDisabled(u, true)}>
                    <p>Their sessions end and their API keys stop working until they are enabled again.</p>
                  </ConfirmButton>
                )}
                <ResetPassword user={u} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function UsersSection(): React.JSX.Element {
  const users = useKeysStore((s) => s.users);
  const roles = useKeysStore((s) => s.roles);
  const outcome = useKeysStore((s) => s.userOutcome);
  const load = useKeysStore((s) => s.load);
  return (
    <Section title="Users">
      {roles.status === 'ready' && <NewUserFormView roles={roles.value} />}
      <OutcomeView outcome={outcome} />
      <AsyncView value={users} loading="Loading users…" errorTitle="The users could not be loaded" onRetry={() => void load()}>
        {(value) => roles.status === 'ready' && <UserTable users={value} roles={roles.value} />}
      </AsyncView>
    </Section>
  );
}
