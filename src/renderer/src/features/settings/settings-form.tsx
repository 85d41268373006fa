// One section of settings: its fields with validation before saving, the changes it would make (before → after), one Save, and what the save did.
import { useState } from 'react';
import type { SettingName, SettingsView, SettingValues } from '../../../../shared/ipc/contracts/settings';
import { Section } from '../../components/section';
import { useUnsavedGuard } from '../../shell/navigation';
import { ErrorState } from '../../components/status';
import { FieldInput, fieldId } from './field-input';
import { fieldProblem, formatValue, fromDraft, sameValue, toDraft, type Draft, type FieldSpec } from './fields';
import { SettingMeta } from './setting-meta';
import { useSettingsStore, type SectionId } from './store';

interface SettingsFormProps {
  id: SectionId;
  title: string;
  saveLabel: string;
  fields: FieldSpec[];
  view: SettingsView;
  /** Start-up settings: the servers use them from their next start. */
  startup?: boolean;
  children?: React.ReactNode;
}

function labelOf(fields: FieldSpec[], key: string): string {
  return fields.find((f) => f.key === key)?.label ?? key;
}

function OutcomeLine({ id, fields }: { id: SectionId; fields: FieldSpec[] }): React.JSX.Element | null {
  const outcome = useSettingsStore((s) => s.outcomes[id]);
  if (outcome === undefined || outcome === null) return null;
  if (outcome.kind === 'error') return <ErrorState title={outcome.title} error={outcome.error} />;
  const { change, reset } = outcome;
  const lines = Object.keys(change.after).map((key) => `${labelOf(fields, key)}: ${formatValue((change.before as Record<string, unknown>)[key])} → ${formatValue((change.after as Record<string, unknown>)[key])}`);
  const verb = reset ? 'Reset to the environment' : 'Saved';
  const summary = change.restart_required.length > 0 ? `${verb} for the next start: restart the mesh to apply.` : `${verb} and applied now, no restart needed.`;
  return (
    <div role="status" className="notice notice-ok settings-outcome">
      <p>{summary}</p>
      <ul>
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}

export function SettingsForm({ id, title, saveLabel, fields, view, startup = false, children }: SettingsFormProps): React.JSX.Element {
  const save = useSettingsStore((s) => s.save);
  const reset = useSettingsStore((s) => s.reset);
  const busy = useSettingsStore((s) => s.busy !== null);
  const outcome = useSettingsStore((s) => s.outcomes[id]);
  const [drafts, setDrafts] = useState<Record<string, Draft>>(() => Object.fromEntries(fields.map((f) => [f.key, toDraft(f, view.values[f.key])])));
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [tried, setTried] = useState(false);
  const [blocked, setBlocked] = useState(false);

  const problems = Object.fromEntries(fields.map((f) => [f.key, fieldProblem(f, drafts[f.key] as Draft)])) as Record<string, string | undefined>;
  const changes = fields.filter((f) => problems[f.key] === undefined && !sameValue(fromDraft(f, drafts[f.key] as Draft), view.values[f.key]));
  const serverField = outcome?.kind === 'error' ? outcome.field : undefined;
  const edited = fields.some((f) => !sameValue(drafts[f.key], toDraft(f, view.values[f.key])));
  useUnsavedGuard(`settings:${id}`, edited ? `the ${title} settings` : null);
  const pending = startup ? fields.filter((f) => view.restart_pending.includes(f.key)) : [];

  function edit(key: SettingName, next: Draft): void {
    setDrafts((d) => ({ ...d, [key]: next }));
    setTouched((t) => new Set(t).add(key));
    setBlocked(false);
  }

  return (
    <Section title={title} className="settings-section">
      {children}
      <form
        noValidate
        aria-label={title}
        onSubmit={(event) => {
          event.preventDefault();
          setTried(true);
          const invalid = fields.find((f) => problems[f.key] !== undefined);
          if (invalid !== undefined) {
            setBlocked(true);
            // After the re-render that marks the fields: the first invalid input (an origin entry inside the list) gets focus.
            requestAnimationFrame(() => {
              const target = document.getElementById(fieldId(invalid));
              (target?.matches('input, select') === true ? target : target?.querySelector<HTMLElement>('[aria-invalid="true"]'))?.focus();
            });
            return;
          }
          if (changes.length === 0) return;
          void save(id, Object.fromEntries(changes.map((f) => [f.key, fromDraft(f, drafts[f.key] as Draft)])) as Partial<SettingValues>);
        }}
      >
        <div className="settings-fields">
          {fields.map((f) => {
            const shown = tried || touched.has(f.key);
            const problem = shown ? problems[f.key] : undefined;
            const serverProblem = serverField === f.key && outcome?.kind === 'error' ? outcome.error.message : undefined;
            const message = f.kind.type === 'origins' ? serverProblem : (problem ?? serverProblem);
            return (
              <div key={f.key} className={`setting setting-${f.kind.type}`} data-testid={`setting-${f.key}`}>
                <FieldInput spec={f} draft={drafts[f.key] as Draft} problem={message} showProblems={shown} tried={tried} onChange={(next) => edit(f.key, next)} />
                {f.help !== undefined && (
                  <p id={`${fieldId(f)}-help`} className="help">
                    {f.help}
                  </p>
                )}
                {message !== undefined && (
                  <p id={`${fieldId(f)}-problem`} className="field-problem">
                    {message}
                  </p>
                )}
                <SettingMeta name={f.key} view={view} startup={startup} busy={busy} onReset={() => void reset(id, [f.key])} />
              </div>
            );
          })}
        </div>
        {pending.length > 0 && (
          <p className="notice notice-warn" data-testid={`restart-${id}`}>
            Restart the mesh to apply: {pending.map((f) => `${f.label} (running ${formatValue((view.running as Record<string, unknown>)[f.key])}, saved ${formatValue(view.values[f.key])})`).join('; ')}.
          </p>
        )}
        <div className="settings-changes" aria-live="polite">
          {changes.length === 0 ? (
            <p className="muted">No unsaved changes.</p>
          ) : (
            <>
              <p className="settings-changes-title">Changes to save{startup ? ' (they apply at the next start)' : ' (they apply at once)'}:</p>
              <ul>
                {changes.map((f) => (
                  <li key={f.key}>
                    {f.label}: {formatValue(view.values[f.key])} → {formatValue(fromDraft(f, drafts[f.key] as Draft))}
                  </li>
                ))}
              </ul>
            </>
          )}
          {blocked && (
            <p role="alert" className="field-problem">
              Nothing was saved: fix the fields marked above first.
            </p>
          )}
        </div>
        <div className="settings-actions">
          <button type="submit" className="primary" disabled={busy || (changes.length === 0 && !Object.values(problems).some((p) => p !== undefined))}>
            {saveLabel}
          </button>
        </div>
      </form>
      <OutcomeLine id={id} fields={fields} />
    </Section>
  );
}
