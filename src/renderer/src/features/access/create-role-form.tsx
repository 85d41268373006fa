// Creating a custom role: a name spelled as the core requires (checked here as you type, and again by the main process), an optional description.
import { useState } from 'react';
import { roleName } from '../../../../shared/api/common';
import { useAccessStore } from './store';

/** The core's own rule for role names, so the form says what is wrong before asking. */
function nameProblem(name: string): string | null {
  const parsed = roleName.safeParse(name);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'invalid role name');
}

export function CreateRoleForm(): React.JSX.Element {
  const createRole = useAccessStore((s) => s.createRole);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="create-role"
      aria-label="Create a role"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const why = nameProblem(name);
        setProblem(why);
        if (why !== null) return;
        setBusy(true);
        void createRole(name, description.trim()).then((ok) => {
          setBusy(false);
          if (ok) {
            setName('');
            setDescription('');
          }
        });
      }}
    >
      <div className="field">
        <label htmlFor="new-role-name">New role name</label>
        <input
          id="new-role-name"
          type="text"
          required
          maxLength={64}
          value={name}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={problem !== null}
          aria-describedby={problem === null ? 'new-role-hint' : 'new-role-problem'}
          onChange={(e) => {
            setName(e.target.value);
            if (problem !== null) setProblem(nameProblem(e.target.value));
          }}
        />
        {problem === null ? (
          <span id="new-role-hint" className="hint">
            e.g. ci-reader: lower-case letters, digits, - and _
          </span>
        ) : (
          <span id="new-role-problem" className="form-error" role="alert">
            Invalid role name: {problem}
          </span>
        )}
      </div>
      <div className="field">
        <label htmlFor="new-role-description">Description (optional)</label>
        <input id="new-role-description" type="text" maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create role'}
      </button>
    </form>
  );
}
