// The Access control page: roles, the permission matrix editor with a diff preview before save, role assignment and the policy simulator.
import { useEffect } from 'react';
import { useUnsavedGuard } from '../../shell/navigation';
import { PageHeading } from '../../shell/page-heading';
import { RoleEditor } from './role-editor';
import { RolesList } from './roles-list';
import { SimulatorSection } from './simulator-section';
import { isDirty, useAccessStore } from './store';
import '../../styles/certs.css';
import '../../styles/connect.css';
import '../../styles/access.css';

export function AccessPage(): React.JSX.Element {
  const load = useAccessStore((s) => s.load);
  const reset = useAccessStore((s) => s.reset);
  const editing = useAccessStore((s) => (isDirty(s.details, s.draft) ? s.selected : null));
  useUnsavedGuard('access:role', editing === null ? null : `the edits to role ${editing}`);
  useEffect(() => {
    void load();
    // Leaving the page (asked first when there are unsaved edits) drops them and the last answers: coming back shows the roles as saved.
    return () => reset();
  }, [load, reset]);
  return (
    <>
      <div className="page-title">
        <PageHeading>Access control</PageHeading>
        <p className="muted">Roles are one policy for the whole mesh. Every change is authorized and audited as the console operator, and counts from the holders' very next request.</p>
      </div>
      <div className="access-page" data-testid="access-page">
        <div className="access-roles">
          <RolesList />
          <RoleEditor />
        </div>
        <SimulatorSection />
      </div>
    </>
  );
}
