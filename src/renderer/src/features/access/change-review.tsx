// The diff preview shown before a role is saved: permissions added and removed, the description change, and who is affected.
import type { RoleDetails } from '../../../../shared/ipc/contracts/roles';
import { diffPermissions } from './permission-matrix-model';
import type { Draft } from './store';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function ChangeReview({ role, draft }: { role: RoleDetails; draft: Draft }): React.JSX.Element {
  const diff = diffPermissions(role.permissions, draft.permissions);
  const { users, api_keys, other_tenants } = role.holders;
  return (
    <div className="change-review" data-testid="change-review" role="region" aria-label={`Changes to role ${role.name}`}>
      <h3>Review changes to {role.name}</h3>
      <p data-testid="affected">
        Affects {plural(users.length, 'user', 'users')} and {plural(api_keys.length, 'API key', 'API keys')}
        {other_tenants > 0 && ` here, and ${plural(other_tenants, 'holder', 'holders')} in other tenants`} from their very next request.
      </p>
      {diff.added.length > 0 && (
        <div>
          <h4>Added</h4>
          <ul className="diff diff-added" aria-label="Added permissions">
            {diff.added.map((p) => (
              <li key={p}>
                <span aria-hidden="true">+ </span>
                <code>{p}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {diff.removed.length > 0 && (
        <div>
          <h4>Removed</h4>
          <ul className="diff diff-removed" aria-label="Removed permissions">
            {diff.removed.map((p) => (
              <li key={p}>
                <span aria-hidden="true">− </span>
                <code>{p}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {draft.description !== role.description && (
        <p>
          Description: “{role.description}” → “{draft.description}”
        </p>
      )}
    </div>
  );
}
