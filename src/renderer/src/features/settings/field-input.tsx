// One setting's editor, by kind: a number or host input, a checkbox, a select, or the origins list — labelled, with its validation message tied to it.
import type { Draft, FieldSpec } from './fields';
import { OriginsEditor } from './origins-editor';

export function fieldId(spec: FieldSpec): string {
  return `setting-${spec.key.replace(/[._]/g, '-')}`;
}

export function FieldInput({ spec, draft, problem, showProblems, tried, onChange }: { spec: FieldSpec; draft: Draft; problem: string | undefined; showProblems: boolean; tried: boolean; onChange: (next: Draft) => void }): React.JSX.Element {
  const id = fieldId(spec);
  const describedBy = [spec.help === undefined ? undefined : `${id}-help`, problem === undefined ? undefined : `${id}-problem`].filter(Boolean).join(' ') || undefined;
  const { kind } = spec;
  if (kind.type === 'bool') {
    return (
      <div className="setting-check">
        <input id={id} type="checkbox" checked={draft === true} aria-describedby={describedBy} onChange={(e) => onChange(e.target.checked)} />
        <label htmlFor={id}>{spec.label}</label>
      </div>
    );
  }
  if (kind.type === 'origins') {
    return (
      <>
        <span className="setting-label" id={`${id}-label`}>
          {spec.label}
        </span>
        <OriginsEditor id={id} origins={draft as string[]} showProblems={showProblems} tried={tried} onChange={onChange} />
      </>
    );
  }
  return (
    <>
      <label htmlFor={id} className="setting-label">
        {spec.label}
      </label>
      {kind.type === 'select' ? (
        <select id={id} value={String(draft)} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)}>
          {kind.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type="text"
          inputMode={kind.type === 'int' ? 'numeric' : undefined}
          value={String(draft)}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={problem !== undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </>
  );
}
