// The permission matrix: rows are resources, columns are actions, both with a "*" wildcard; a cell a broader grant already covers shows as implied (and says by what).
import type { PermissionCatalog } from '../../../../shared/ipc/contracts/roles';
import { ANY, cellPermission, cellState, setGranted, toolPermission, type CellState } from './permission-matrix-model';

interface EditorProps {
  permissions: string[];
  readOnly: boolean;
  onChange: (permissions: string[]) => void;
}

/**
 * One checkbox, named by the permission it stands for. An implied cell is disabled (untick the broader grant instead); a read-only
 * one stays focusable (aria-disabled) so its grants still read clearly and can be explored from the keyboard.
 */
function GrantBox({ permission, state, readOnly, onChange }: { permission: string; state: CellState; readOnly: boolean; onChange: (granted: boolean) => void }): React.JSX.Element {
  const implied = state.kind === 'implied';
  return (
    <input
      type="checkbox"
      className={implied ? 'grant grant-implied' : 'grant'}
      aria-label={implied ? `${permission} (granted by ${state.by})` : permission}
      title={implied ? `granted by ${state.by}` : permission}
      checked={state.kind !== 'none'}
      disabled={implied}
      aria-disabled={readOnly && !implied ? true : undefined}
      onClick={(e) => {
        if (readOnly) e.preventDefault();
      }}
      onChange={(e) => {
        if (!readOnly) onChange(e.target.checked);
      }}
    />
  );
}

const label = (part: string, everything: string) => (part === ANY ? everything : part);

export function PermissionMatrix({ catalog, permissions, readOnly, onChange }: EditorProps & { catalog: PermissionCatalog }): React.JSX.Element {
  const actions = [ANY, ...catalog.actions];
  const resources = [ANY, ...catalog.resources];
  return (
    <div className="table-wrap">
      <table className="matrix" data-testid="permission-matrix">
        <caption className="offscreen">Permissions by resource and action; * is every resource or every action, manage implies every action.</caption>
        <thead>
          <tr>
            <th scope="col">Resource</th>
            {actions.map((a) => (
              <th key={a} scope="col">
                {label(a, 'all (*)')}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {resources.map((r) => (
            <tr key={r}>
              <th scope="row">{label(r, 'every resource (*)')}</th>
              {actions.map((a) => {
                const permission = cellPermission(r, a);
                return (
                  <td key={a}>
                    <GrantBox permission={permission} state={cellState(permissions, permission)} readOnly={readOnly} onChange={(granted) => onChange(setGranted(permissions, permission, granted))} />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ToolGrants({ catalog, permissions, readOnly, onChange }: EditorProps & { catalog: PermissionCatalog }): React.JSX.Element {
  return (
    <fieldset className="tool-grants" data-testid="tool-grants">
      <legend>Per-tool grants (tools:execute:&lt;tool&gt;)</legend>
      <ul>
        {catalog.tools.map((tool) => {
          const permission = toolPermission(tool.name);
          return (
            <li key={tool.name}>
              <label>
                <GrantBox permission={permission} state={cellState(permissions, permission)} readOnly={readOnly} onChange={(granted) => onChange(setGranted(permissions, permission, granted))} />
                <code>{tool.name}</code> <span className="muted">{tool.title}</span>
              </label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

/** Grants outside the matrix and the tool list (written through the REST API or CLI), shown so none is hidden; they can be removed here. */
export function OtherGrants({ others, permissions, readOnly, onChange }: EditorProps & { others: string[] }): React.JSX.Element | null {
  if (others.length === 0) return null;
  return (
    <div className="other-grants">
      <h3>Other grants</h3>
      <ul>
        {others.map((p) => (
          <li key={p}>
            <code>{p}</code>
            {!readOnly && (
              <button type="button" onClick={() => onChange(setGranted(permissions, p, false))}>
                Remove {p}
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
