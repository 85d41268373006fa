// API keys: the create form (name, role, expiry), the new key shown once with copy and a warning, and the table with revoke.
import { useState } from 'react';
import type { CreatedApiKey, ListedApiKey } from '../../../../shared/ipc/contracts/keys';
import { RawKeyNotice } from '../../components/raw-key-notice';
import { Section } from '../../components/section';
import { AsyncView, Empty, ErrorState } from '../../components/status';
import { formatDateTime } from '../../lib/format';
import { ConfirmButton } from './confirm-button';
import { OutcomeView } from '../../components/outcome-view';
import { RoleSelect } from '../../components/role-select';
import { useKeysStore, type NewKeyForm } from './store';

const STATUS_BADGE: Record<ListedApiKey['status'], string> = { active: 'badge-ok', expired: 'badge-warn', revoked: 'badge-bad' };
const EXPIRIES = [
  ['', 'Never'],
  ['1d', '1 day'],
  ['7d', '7 days'],
  ['30d', '30 days'],
  ['90d', '90 days'],
  ['365d', '1 year'],
] as const;

function NewKeyNotice({ created }: { created: CreatedApiKey }): React.JSX.Element {
  const forgetKey = useKeysStore((s) => s.forgetKey);
  return (
    <RawKeyNotice apiKey={created.key} onHide={forgetKey}>
      Created API key {created.id} &quot;{created.name}&quot; (role {created.role}
      {created.expires_at === null ? ', never expires' : `, expires ${formatDateTime(created.expires_at)}`}). The mesh keeps only a hash of it; once you hide it or leave this page nobody can show it again.
    </RawKeyNotice>
  );
}

function NewKeyFormView(): React.JSX.Element {
  const roles = useKeysStore((s) => s.roles);
  const createKey = useKeysStore((s) => s.createKey);
  const [form, setForm] = useState<NewKeyForm>({ name: '', role: 'user', expiresIn: '' });
  const [busy, setBusy] = useState(false);
  if (roles.status !== 'ready') return <></>;
  return (
    <form
      className="inline-form"
      aria-label="Create an API key"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        void createKey(form).then((ok) => {
          setBusy(false);
          if (ok) setForm({ ...form, name: '' });
        });
      }}
    >
      <div className="field">
        <label htmlFor="key-name">Key name</label>
        <input id="key-name" type="text" required maxLength={100} value={form.name} autoComplete="off" spellCheck={false} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="key-role">Role</label>
        <RoleSelect id="key-role" roles={roles.value} value={form.role} onChange={(role) => setForm({ ...form, role })} />
      </div>
      <div className="field">
        <label htmlFor="key-expiry">Expires after</label>
        <select id="key-expiry" value={form.expiresIn} onChange={(e) => setForm({ ...form, expiresIn: e.target.value })}>
          {EXPIRIES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

function KeyTable({ keys }: { keys: ListedApiKey[] }): React.JSX.Element {
  const revokeKey = useKeysStore((s) => s.revokeKey);
  if (keys.length === 0) return <Empty>No API keys yet. Create one above, or from the Connect an agent page.</Empty>;
  return (
    <div className="table-wrap">
      <table data-testid="keys-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="offscreen">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id} data-testid={`key-${k.id}`}>
              <th scope="row">{k.name}</th>
              <td>
                <code>{k.id}</code>
              </td>
              <td>{k.role}</td>
              <td>
                <span className={`badge ${STATUS_BADGE[k.status]}`}>{k.status}</span>
              </td>
              <td>{k.expires_at === null ? 'never' : formatDateTime(k.expires_at)}</td>
              <td>{k.last_used_at === null ? 'never' : formatDateTime(k.last_used_at)}</td>
              <td>
                {k.status === 'active' && (
                  <ConfirmButton label={`Revoke ${k.name}`} title={`Revoke "${k.name}"?`} confirmLabel="Revoke key" busyLabel="Revoking…" onConfirm={() => revokeKey(k)}>
                    <p>
                      Key <code>{k.id}</code> ({k.role}) stops working at once: every agent using it is refused. This cannot be undone.
                    </p>
                  </ConfirmButton>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ApiKeysSection(): React.JSX.Element {
  const keys = useKeysStore((s) => s.keys);
  const roles = useKeysStore((s) => s.roles);
  const created = useKeysStore((s) => s.created);
  const outcome = useKeysStore((s) => s.keyOutcome);
  const load = useKeysStore((s) => s.load);
  return (
    <Section title="API keys">
      {roles.status === 'error' && <ErrorState title="The roles could not be loaded" error={roles.error} onRetry={() => void load()} />}
      <NewKeyFormView />
      {created !== null && <NewKeyNotice created={created} />}
      <OutcomeView outcome={outcome} />
      <AsyncView value={keys} loading="Loading API keys…" errorTitle="The API keys could not be loaded" onRetry={() => void load()}>
        {(value) => <KeyTable keys={value} />}
      </AsyncView>
    </Section>
  );
}
