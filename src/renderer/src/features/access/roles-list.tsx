// The roles list: every role as a button that selects it (built-in ones marked read-only), and the create form.
import { useState } from 'react';
import type { RoleOption } from '../../../../shared/ipc/contracts/roles';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Section } from '../../components/section';
import { AsyncView, Empty } from '../../components/status';
import { CreateRoleForm } from './create-role-form';
import { isDirty, useAccessStore } from './store';

function RoleButtons({ roles }: { roles: RoleOption[] }): React.JSX.Element {
  const selected = useAccessStore((s) => s.selected);
  const select = useAccessStore((s) => s.select);
  const dirty = useAccessStore((s) => isDirty(s.details, s.draft));
  /** A role chosen while the current one has unsaved edits: asked first, since choosing drops them. */
  const [pending, setPending] = useState<string | null>(null);
  if (roles.length === 0) return <Empty>No roles yet.</Empty>;
  const choose = (name: string) => (dirty ? setPending(name) : void select(name));
  return (
    <>
      {pending !== null && selected !== null && (
        <ConfirmDialog
          title={`Discard the unsaved changes to ${selected}?`}
          confirmLabel="Discard changes"
          onCancel={() => setPending(null)}
          onConfirm={() => {
            setPending(null);
            void select(pending);
          }}
        >
          <p>Opening {pending} drops the edits made here; nothing of them has been saved.</p>
        </ConfirmDialog>
      )}
      <ul className="role-list" aria-label="Roles">
        {roles.map((r) => (
          <li key={r.name}>
            <button type="button" className="role-item" aria-current={selected === r.name ? 'true' : undefined} data-testid={`role-${r.name}`} onClick={() => choose(r.name)}>
              <span className="role-item-name">{r.name}</span>
              {r.builtin ? <span className="badge badge-neutral">built-in · read-only</span> : <span className="badge badge-ok">custom</span>}
              {r.description !== '' && <span className="role-item-description muted">{r.description}</span>}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

export function RolesList(): React.JSX.Element {
  const roles = useAccessStore((s) => s.roles);
  const load = useAccessStore((s) => s.load);
  return (
    <Section title="Roles" className="roles-card">
      <AsyncView value={roles} loading="Loading roles…" errorTitle="The roles could not be loaded" onRetry={() => void load()}>
        {(value) => <RoleButtons roles={value} />}
      </AsyncView>
      <CreateRoleForm />
    </Section>
  );
}
