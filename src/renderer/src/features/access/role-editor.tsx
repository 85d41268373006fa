// The selected role: its description and permission matrix, edited locally until "Review changes" shows the diff and "Save" applies it; built-in roles are shown read-only.
import type { PermissionCatalog, RoleDetails } from '../../../../shared/ipc/contracts/roles';
import { Section } from '../../components/section';
import { AsyncView, Empty } from '../../components/status';
import { ChangeReview } from './change-review';
import { DeleteRole } from './delete-role';
import { OutcomeView } from '../../components/outcome-view';
import { OtherGrants, PermissionMatrix, ToolGrants } from './permission-matrix';
import { otherPermissions } from './permission-matrix-model';
import { RoleHolders } from './role-holders';
import { isDirty, useAccessStore, type Draft } from './store';

function EditorActions({ dirty }: { dirty: boolean }): React.JSX.Element {
  const reviewing = useAccessStore((s) => s.reviewing);
  const saving = useAccessStore((s) => s.saving);
  const review = useAccessStore((s) => s.review);
  const back = useAccessStore((s) => s.backToEditing);
  const discard = useAccessStore((s) => s.discard);
  const save = useAccessStore((s) => s.save);
  if (reviewing) {
    return (
      <div className="editor-actions">
        <button type="button" className="primary" disabled={saving} onClick={() => void save()}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={back}>
          Back to editing
        </button>
        <button type="button" onClick={discard}>
          Cancel
        </button>
      </div>
    );
  }
  return (
    <div className="editor-actions">
      <button type="button" className="primary" disabled={!dirty} onClick={review}>
        Review changes
      </button>
      <button type="button" disabled={!dirty} onClick={discard}>
        Cancel
      </button>
      {dirty && <span className="muted">Unsaved changes</span>}
    </div>
  );
}

function Editor({ role, draft, catalog }: { role: RoleDetails; draft: Draft; catalog: PermissionCatalog }): React.JSX.Element {
  const edit = useAccessStore((s) => s.edit);
  const reviewing = useAccessStore((s) => s.reviewing);
  const details = useAccessStore((s) => s.details);
  const readOnly = role.read_only_reason !== null;
  const onChange = (permissions: string[]) => edit({ ...draft, permissions });
  const props = { permissions: draft.permissions, readOnly: readOnly || reviewing, onChange };
  const others = otherPermissions(draft.permissions, catalog.resources, catalog.actions, catalog.tools.map((t) => t.name));
  return (
    <div className="role-editor" data-testid="role-editor">
      {readOnly ? (
        <p className="notice" data-testid="read-only">
          Read-only: {role.read_only_reason}.
        </p>
      ) : (
        <div className="field description-field">
          <label htmlFor="role-description">Description</label>
          <input id="role-description" type="text" maxLength={500} value={draft.description} disabled={reviewing} onChange={(e) => edit({ ...draft, description: e.target.value })} />
        </div>
      )}
      {readOnly && role.description !== '' && <p className="muted">{role.description}</p>}
      {draft.permissions.length === 0 && <Empty>{role.name} grants nothing yet{readOnly ? '.' : ': tick permissions below.'}</Empty>}
      <PermissionMatrix catalog={catalog} {...props} />
      <ToolGrants catalog={catalog} {...props} />
      <OtherGrants others={others} {...props} />
      {reviewing && <ChangeReview role={role} draft={draft} />}
      {!readOnly && <EditorActions dirty={isDirty(details, draft)} />}
    </div>
  );
}

export function RoleEditor(): React.JSX.Element {
  const selected = useAccessStore((s) => s.selected);
  const details = useAccessStore((s) => s.details);
  const draft = useAccessStore((s) => s.draft);
  const catalog = useAccessStore((s) => s.catalog);
  const outcome = useAccessStore((s) => s.roleOutcome);
  const select = useAccessStore((s) => s.select);
  const load = useAccessStore((s) => s.load);
  if (selected === null) {
    return (
      <Section title="Permissions" className="editor-card">
        <OutcomeView outcome={outcome} />
        <Empty>Choose a role to see and edit its permissions, or create one.</Empty>
      </Section>
    );
  }
  const role = details.status === 'ready' ? details.value : null;
  return (
    <div className="editor-column">
      <Section title={`Role ${selected}`} className="editor-card" actions={role !== null && !role.builtin ? <DeleteRole role={role} /> : undefined}>
        <OutcomeView outcome={outcome} />
        <AsyncView value={details} loading={`Loading role ${selected}…`} errorTitle={`Role ${selected} could not be loaded`} onRetry={() => void select(selected)}>
          {(value) => (
            <AsyncView value={catalog} loading="Loading the permission catalog…" errorTitle="The permission catalog could not be loaded" onRetry={() => void load()}>
              {(cat) => draft !== null && <Editor role={value} draft={draft} catalog={cat} />}
            </AsyncView>
          )}
        </AsyncView>
      </Section>
      {role !== null && (
        <Section title={`Holders of ${role.name}`}>
          <RoleHolders role={role} />
        </Section>
      )}
    </div>
  );
}
