// The form: client, role (only those the operator may hand out), and an optional key name.
import { MCP_CLIENT_TITLES, MCP_CLIENTS, type McpClient } from '../../../../shared/mcp-clients';
import { Loading, ErrorState } from '../../components/status';
import { useConnectStore } from './store';

export function ConnectFormView(): React.JSX.Element {
  const roles = useConnectStore((s) => s.roles);
  const form = useConnectStore((s) => s.form);
  const busy = useConnectStore((s) => s.setup.status === 'loading');
  const edit = useConnectStore((s) => s.edit);
  const submit = useConnectStore((s) => s.submit);
  const loadRoles = useConnectStore((s) => s.loadRoles);

  if (roles.status === 'idle' || roles.status === 'loading') return <Loading label="Loading roles…" />;
  if (roles.status === 'error') return <ErrorState title="The roles could not be loaded" error={roles.error} onRetry={() => void loadRoles()} />;

  return (
    <form
      className="card connect-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="field">
        <label htmlFor="connect-client">Client</label>
        <select id="connect-client" value={form.client} onChange={(e) => edit({ client: e.target.value as McpClient })}>
          {MCP_CLIENTS.map((c) => (
            <option key={c} value={c}>
              {MCP_CLIENT_TITLES[c]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="connect-role">Role of a new key</label>
        <select id="connect-role" value={form.role} onChange={(e) => edit({ role: e.target.value })} aria-describedby="connect-role-help">
          {roles.value.map((r) => (
            <option key={r.name} value={r.name} disabled={!r.assignable}>
              {r.name}
              {r.assignable ? '' : ' (above your role)'}
            </option>
          ))}
        </select>
        <p id="connect-role-help" className="help">
          {roles.value.find((r) => r.name === form.role)?.description ?? ''}
        </p>
      </div>
      <div className="field">
        <label htmlFor="connect-key-name">Key name (optional)</label>
        <input id="connect-key-name" type="text" value={form.keyName} placeholder={`mcp-${form.client}`} autoComplete="off" spellCheck={false} onChange={(e) => edit({ keyName: e.target.value })} aria-describedby="connect-key-name-help" />
        <p id="connect-key-name-help" className="help">
          An active key with this name is reused.
        </p>
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Setting up…' : 'Get key and setup'}
        </button>
      </div>
    </form>
  );
}
