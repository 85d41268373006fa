// The policy simulator: "can subject X do action Y on Z?" for a user, an API key or a role, answered by the mesh's own authorizer with the reason and the matching grant.
import { useState } from 'react';
import type { SimulationAnswer, SimulationQuestion } from '../../../../shared/ipc/contracts/roles';
import { Section } from '../../components/section';
import { AsyncView, Empty } from '../../components/status';
import { useAccessStore } from './store';

type SubjectKind = 'user' | 'key' | 'role';

interface Choice {
  value: string;
  label: string;
}

function useSubjects(kind: SubjectKind): Choice[] {
  const users = useAccessStore((s) => s.users);
  const keys = useAccessStore((s) => s.keys);
  const roles = useAccessStore((s) => s.roles);
  if (kind === 'user') return users.status === 'ready' ? users.value.map((u) => ({ value: u.username, label: `${u.username} (${u.role})` })) : [];
  if (kind === 'key') return keys.status === 'ready' ? keys.value.map((k) => ({ value: k.id, label: `${k.name} — ${k.id} (${k.role}, ${k.status})` })) : [];
  return roles.status === 'ready' ? roles.value.map((r) => ({ value: r.name, label: r.name })) : [];
}

function Verdict({ answer }: { answer: SimulationAnswer }): React.JSX.Element {
  return (
    <div className={answer.allowed ? 'verdict verdict-allowed' : 'verdict verdict-denied'} data-testid="verdict">
      <p className="verdict-title">{answer.allowed ? 'Allowed' : 'Denied'}</p>
      <dl className="pairs">
        <dt>Reason</dt>
        <dd data-testid="verdict-reason">{answer.reason}</dd>
        <dt>Matched grant</dt>
        <dd>{answer.matched_permission === null ? 'none' : <code>{answer.matched_permission}</code>}</dd>
        <dt>Role</dt>
        <dd>{answer.role ?? 'none'}</dd>
      </dl>
    </div>
  );
}

export function SimulatorSection(): React.JSX.Element {
  const catalog = useAccessStore((s) => s.catalog);
  const simulation = useAccessStore((s) => s.simulation);
  const simulate = useAccessStore((s) => s.simulate);
  const refreshSubjects = useAccessStore((s) => s.refreshSubjects);
  const [kind, setKind] = useState<SubjectKind>('user');
  const [subject, setSubject] = useState('');
  const [resource, setResource] = useState('contexts');
  const [action, setAction] = useState('read');
  const [tool, setTool] = useState('');
  const [asked, setAsked] = useState<SimulationQuestion | null>(null);
  const subjects = useSubjects(kind);
  const chosen = subjects.some((s) => s.value === subject) ? subject : '';
  return (
    <Section title="Policy simulator">
      <p className="muted">Can this subject do this? The answer comes from the same authorizer every REST, MCP and console request goes through.</p>
      {catalog.status === 'ready' && (
        <form
          className="inline-form simulator-form"
          aria-label="Simulate a request"
          onSubmit={(event) => {
            event.preventDefault();
            if (chosen === '') return;
            const question = { subject: `${kind}:${chosen}`, resource, action, ...(resource === 'tools' && tool !== '' ? { target: tool } : {}) };
            setAsked(question);
            void simulate(question);
          }}
        >
          <div className="field">
            <label htmlFor="sim-kind">Subject kind</label>
            <select
              id="sim-kind"
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as SubjectKind);
                void refreshSubjects();
              }}
            >
              <option value="user">User</option>
              <option value="key">API key</option>
              <option value="role">Role</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="sim-subject">Subject</label>
            <select id="sim-subject" value={chosen} onChange={(e) => setSubject(e.target.value)}>
              <option value="">{subjects.length === 0 ? 'None to choose' : 'Choose…'}</option>
              {subjects.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sim-resource">Resource</label>
            <select id="sim-resource" value={resource} onChange={(e) => setResource(e.target.value)}>
              {catalog.value.resources.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sim-action">Action</label>
            <select id="sim-action" value={action} onChange={(e) => setAction(e.target.value)}>
              {catalog.value.actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          {resource === 'tools' && (
            <div className="field">
              <label htmlFor="sim-tool">Tool (optional)</label>
              <select id="sim-tool" value={tool} onChange={(e) => setTool(e.target.value)}>
                <option value="">any tool</option>
                {catalog.value.tools.map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          <button type="submit" className="primary" disabled={chosen === ''}>
            Check
          </button>
        </form>
      )}
      <div aria-live="polite">
        {simulation.status === 'idle' ? (
          <Empty>Choose a subject and a permission, then Check.</Empty>
        ) : (
          <AsyncView value={simulation} loading="Asking the authorizer…" errorTitle="The simulator could not answer" onRetry={() => asked !== null && void simulate(asked)}>
            {(answer) => <Verdict answer={answer} />}
          </AsyncView>
        )}
      </div>
    </Section>
  );
}
