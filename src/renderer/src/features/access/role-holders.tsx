// Who holds the selected role: its users (each with a role picker, plus a picker to give the role to another user) and the API keys created with it.
import { useState } from 'react';
import type { UserRow } from '../../../../shared/ipc/contracts/keys';
import type { RoleDetails } from '../../../../shared/ipc/contracts/roles';
import { Empty } from '../../components/status';
import { OutcomeView } from '../../components/outcome-view';
import { useAccessStore } from './store';
import { RoleSelect } from '../../components/role-select';

function AssignForm({ role, users, assignable }: { role: RoleDetails; users: UserRow[]; assignable: boolean }): React.JSX.Element {
  const assignRole = useAccessStore((s) => s.assignRole);
  const others = users.filter((u) => u.role !== role.name);
  const [userId, setUserId] = useState('');
  if (!assignable) return <p className="muted">Role {role.name} grants more than your own role, so you cannot give it to anyone.</p>;
  if (others.length === 0) return <Empty>Every user already holds {role.name}.</Empty>;
  const chosen = others.find((u) => u.id === userId);
  return (
    <form
      className="inline-form"
      aria-label={`Give role ${role.name} to a user`}
      onSubmit={(event) => {
        event.preventDefault();
        if (chosen === undefined) return;
        void assignRole(chosen, role.name).then(() => setUserId(''));
      }}
    >
      <div className="field">
        <label htmlFor="assign-user">Give {role.name} to</label>
        <select id="assign-user" value={userId} onChange={(e) => setUserId(e.target.value)}>
          <option value="">Choose a user…</option>
          {others.map((u) => (
            <option key={u.id} value={u.id}>
              {u.username} (now {u.role})
            </option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={chosen === undefined}>
        Assign role
      </button>
    </form>
  );
}

export function RoleHolders({ role }: { role: RoleDetails }): React.JSX.Element {
  const users = useAccessStore((s) => s.users);
  const roles = useAccessStore((s) => s.roles);
  const outcome = useAccessStore((s) => s.holderOutcome);
  const assignRole = useAccessStore((s) => s.assignRole);
  const roleOptions = roles.status === 'ready' ? roles.value : [];
  const assignable = roleOptions.find((r) => r.name === role.name)?.assignable ?? false;
  const { holders } = role;
  return (
    <div className="role-holders" data-testid="role-holders">
      <h3>Users with {role.name}</h3>
      <OutcomeView outcome={outcome} />
      {holders.users.length === 0 ? (
        <Empty>No user holds {role.name}.</Empty>
      ) : (
        <ul className="holder-list" aria-label={`Users with ${role.name}`}>
          {holders.users.map((u) => (
            <li key={u.id} data-testid={`holder-${u.username}`}>
              <span>
                {u.username}
                {u.disabled && <span className="badge badge-bad">disabled</span>}
              </span>
              <RoleSelect id={`holder-role-${u.id}`} label={`Role of ${u.username}`} roles={roleOptions} value={role.name} onChange={(next) => void assignRole({ id: u.id, username: u.username, role: role.name }, next)} />
            </li>
          ))}
        </ul>
      )}
      {users.status === 'ready' && <AssignForm role={role} users={users.value} assignable={assignable} />}
      {users.status === 'error' && <p className="form-error">The users could not be loaded: {users.error.message}</p>}
      <h3>API keys with {role.name}</h3>
      <p className="muted">An API key keeps the role it was created with; to change it, create a new key and revoke the old one (Keys &amp; identities).</p>
      {holders.api_keys.length === 0 ? (
        <Empty>No API key holds {role.name}.</Empty>
      ) : (
        <ul className="holder-list" aria-label={`API keys with ${role.name}`}>
          {holders.api_keys.map((k) => (
            <li key={k.id} data-testid={`holder-key-${k.id}`}>
              <span>
                {k.name} <code>{k.id}</code>
              </span>
              <span className={k.status === 'active' ? 'badge badge-ok' : 'badge badge-warn'}>{k.status}</span>
            </li>
          ))}
        </ul>
      )}
      {holders.other_tenants > 0 && <p className="muted">Also held by {holders.other_tenants} user(s) or key(s) in other tenants.</p>}
    </div>
  );
}
