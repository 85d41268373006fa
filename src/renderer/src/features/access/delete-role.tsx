// Deleting a custom role, confirmed in the modal dialog; the core refuses while anyone holds it, and that message is shown as is.
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import type { RoleDetails } from '../../../../shared/ipc/contracts/roles';
import { useAccessStore } from './store';

export function DeleteRole({ role }: { role: RoleDetails }): React.JSX.Element {
  const deleteRole = useAccessStore((s) => s.deleteRole);
  const [asking, setAsking] = useState(false);
  const held = role.holders.users.length + role.holders.api_keys.length + role.holders.other_tenants;
  return (
    <>
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        Delete role {role.name}
      </button>
      {asking && (
        <ConfirmDialog
          title={`Delete role ${role.name}?`}
          confirmLabel="Delete role"
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            void deleteRole(role.name);
          }}
        >
          <p>
            {held === 0
              ? `Nobody holds ${role.name}. Deleting it cannot be undone (its versions stay in the history).`
              : `${role.name} is still held by ${held} user(s) or key(s), so the mesh will refuse; give them another role first.`}
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
