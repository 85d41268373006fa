// A role picker: every role, those above the operator's own disabled with the reason.
import type { RoleOption } from '../../../shared/ipc/contracts/roles';

export function RoleSelect({ id, roles, value, onChange, label }: { id: string; roles: RoleOption[]; value: string; onChange: (role: string) => void; label?: string }): React.JSX.Element {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-label={label}>
      {roles.map((r) => (
        <option key={r.name} value={r.name} disabled={!r.assignable}>
          {r.name}
          {r.assignable ? '' : ' (above your role)'}
        </option>
      ))}
    </select>
  );
}
