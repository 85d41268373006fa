// Issuing: a server certificate (SAN editor, validity, optional CN) and a client certificate (CN, bound to a role or to a user, validity).
import { useEffect, useState } from 'react';
import type { RoleOption } from '../../../../shared/ipc/contracts/roles';
import { Section } from '../../components/section';
import { shownError, unwrap } from '../../lib/ipc';
import { useCertsStore, type CertAction } from './store';

function FormError({ action }: { action: CertAction }): React.JSX.Element | null {
  const failure = useCertsStore((s) => s.failure);
  if (failure?.action !== action) return null;
  return (
    <p role="alert" className="form-error">
      {failure.error.message} <span className="code">({failure.error.code})</span>
    </p>
  );
}

/** Days as typed: empty means the service's default. */
function daysOf(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

const DEFAULT_SANS = ['localhost', '127.0.0.1', '::1'];

export function IssueServerForm(): React.JSX.Element {
  const run = useCertsStore((s) => s.run);
  const busy = useCertsStore((s) => s.busy);
  const select = useCertsStore((s) => s.select);
  const [sans, setSans] = useState<string[]>(DEFAULT_SANS);
  const [days, setDays] = useState('');
  const [commonName, setCommonName] = useState('');

  return (
    <Section title="Issue a server certificate">
      <form
        className="cert-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run('issueServer', () => window.mesh.certsIssueServer({ sans, ...(daysOf(days) === undefined ? {} : { days: daysOf(days) }), ...(commonName.trim() === '' ? {} : { commonName }) }), (c) => `Issued server certificate ${c.serial}`).then((c) => {
            if (c !== undefined) select(c.serial);
          });
        }}
      >
        <fieldset className="san-editor">
          <legend>Subject alternative names (DNS names and IP addresses)</legend>
          <ul>
            {sans.map((san, i) => (
              <li key={i}>
                <input type="text" aria-label={`SAN ${i + 1}`} value={san} spellCheck={false} autoComplete="off" onChange={(e) => setSans(sans.map((s, j) => (j === i ? e.target.value : s)))} />
                <button type="button" aria-label={`Remove SAN ${i + 1} (${san || 'empty'})`} disabled={sans.length <= 1} onClick={() => setSans(sans.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => setSans([...sans, ''])}>
            Add SAN
          </button>
        </fieldset>
        <div className="field">
          <label htmlFor="server-cn">Common name (optional)</label>
          <input id="server-cn" type="text" value={commonName} placeholder="the first SAN" onChange={(e) => setCommonName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="server-days">Valid for (days)</label>
          <input id="server-days" type="number" min={1} max={397} value={days} placeholder="397" onChange={(e) => setDays(e.target.value)} />
        </div>
        <FormError action="issueServer" />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy !== null}>
            {busy === 'issueServer' ? 'Issuing…' : 'Issue server certificate'}
          </button>
        </div>
      </form>
    </Section>
  );
}

export function IssueClientForm(): React.JSX.Element {
  const run = useCertsStore((s) => s.run);
  const busy = useCertsStore((s) => s.busy);
  const select = useCertsStore((s) => s.select);
  const [commonName, setCommonName] = useState('');
  const [binding, setBinding] = useState<'role' | 'user'>('role');
  const [role, setRole] = useState('viewer');
  const [username, setUsername] = useState('');
  const [days, setDays] = useState('');
  const [roles, setRoles] = useState<RoleOption[] | { error: string } | null>(null);

  useEffect(() => {
    let live = true;
    unwrap(() => window.mesh.rolesList()).then(
      (value) => live && setRoles(value.roles),
      (error: unknown) => live && setRoles({ error: shownError(error).message }),
    );
    return () => {
      live = false;
    };
  }, []);

  return (
    <Section title="Issue a client certificate">
      <form
        className="cert-form"
        onSubmit={(event) => {
          event.preventDefault();
          const bound = binding === 'role' ? { role } : { username };
          void run('issueClient', () => window.mesh.certsIssueClient({ commonName, ...bound, ...(daysOf(days) === undefined ? {} : { days: daysOf(days) }) }), (c) => `Issued client certificate ${c.serial}`).then((c) => {
            if (c !== undefined) select(c.serial);
          });
        }}
      >
        <div className="field">
          <label htmlFor="client-cn">Common name</label>
          <input id="client-cn" type="text" required value={commonName} onChange={(e) => setCommonName(e.target.value)} />
        </div>
        <fieldset className="binding">
          <legend>Acts as (mTLS)</legend>
          <label>
            <input type="radio" name="client-binding" checked={binding === 'role'} onChange={() => setBinding('role')} /> A role
          </label>
          <label>
            <input type="radio" name="client-binding" checked={binding === 'user'} onChange={() => setBinding('user')} /> A user
          </label>
        </fieldset>
        {binding === 'role' ? (
          <div className="field">
            <label htmlFor="client-role">Role</label>
            {Array.isArray(roles) ? (
              <select id="client-role" value={role} onChange={(e) => setRole(e.target.value)}>
                {roles.map((r) => (
                  <option key={r.name} value={r.name}>
                    {r.name}
                  </option>
                ))}
              </select>
            ) : (
              <input id="client-role" type="text" value={role} onChange={(e) => setRole(e.target.value)} aria-describedby="client-role-help" />
            )}
            {roles !== null && !Array.isArray(roles) && (
              <p id="client-role-help" className="help">
                The roles could not be listed ({roles.error}); type one.
              </p>
            )}
          </div>
        ) : (
          <div className="field">
            <label htmlFor="client-user">Username</label>
            <input id="client-user" type="text" value={username} onChange={(e) => setUsername(e.target.value)} />
          </div>
        )}
        <div className="field">
          <label htmlFor="client-days">Valid for (days)</label>
          <input id="client-days" type="number" min={1} max={825} value={days} placeholder="397" onChange={(e) => setDays(e.target.value)} />
        </div>
        <FormError action="issueClient" />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy !== null}>
            {busy === 'issueClient' ? 'Issuing…' : 'Issue client certificate'}
          </button>
        </div>
      </form>
    </Section>
  );
}

export { FormError };
