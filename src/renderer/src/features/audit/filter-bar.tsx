// The audit filters: type, subject, result, resource, time range and free text — checked as typed, applied with Enter or "Apply" (history and live stream alike).
import { useState } from 'react';
import { checkDraft, draftOf, EMPTY_DRAFT, type FilterDraft, type FilterErrors } from './filter';
import { useAuditStore } from './store';

/** Suggestions for the type field: the types among the newest rows held, gathered when the field gets focus. */
const SUGGESTION_SCAN = 5_000;

function typesHeld(): string[] {
  const { rows } = useAuditStore.getState();
  const types = new Set<string>();
  for (let i = 0; i < Math.min(rows.length, SUGGESTION_SCAN); i += 1) {
    const row = rows.at(i);
    if (row !== undefined) types.add(row.event_type);
  }
  return [...types].sort();
}

function Field({ id, label, error, children }: { id: string; label: string; error: string | undefined; children: React.ReactNode }): React.JSX.Element {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {error !== undefined && (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

export function FilterBar(): React.JSX.Element {
  const start = useAuditStore((s) => s.start);
  // The filter the page opens with (empty, or one set by "Show in Audit").
  const [draft, setDraft] = useState<FilterDraft>(() => draftOf(useAuditStore.getState().filter));
  const [errors, setErrors] = useState<FilterErrors>({});
  const [suggestions, setSuggestions] = useState<string[]>([]);

  const text = (key: 'event_type' | 'subject' | 'resource' | 'q' | 'since' | 'until') => ({
    id: `audit-filter-${key}`,
    value: draft[key],
    'aria-invalid': errors[key] !== undefined,
    'aria-describedby': errors[key] === undefined ? undefined : `audit-filter-${key}-error`,
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [key]: event.target.value }),
  });

  const apply = (next: FilterDraft): void => {
    const checked = checkDraft(next);
    setErrors(checked.errors);
    if (Object.keys(checked.errors).length === 0) void start(checked.filter);
  };

  return (
    <form
      className="audit-filters"
      aria-label="Filter events"
      onSubmit={(event) => {
        event.preventDefault();
        apply(draft);
      }}
    >
      <Field id="audit-filter-event_type" label="Type" error={errors.event_type}>
        <input {...text('event_type')} list="audit-known-types" placeholder="any" autoComplete="off" spellCheck={false} onFocus={() => setSuggestions(typesHeld())} />
        <datalist id="audit-known-types">
          {suggestions.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </Field>
      <Field id="audit-filter-subject" label="Subject" error={errors.subject}>
        <input {...text('subject')} placeholder="e.g. user:alice" autoComplete="off" spellCheck={false} />
      </Field>
      <Field id="audit-filter-result" label="Result" error={undefined}>
        <select id="audit-filter-result" value={draft.result} onChange={(event) => setDraft({ ...draft, result: event.target.value as FilterDraft['result'] })}>
          <option value="">any</option>
          <option value="success">success</option>
          <option value="failure">failure</option>
          <option value="denied">denied</option>
        </select>
      </Field>
      <Field id="audit-filter-resource" label="Resource" error={errors.resource}>
        <input {...text('resource')} placeholder="exact, e.g. contexts:read" autoComplete="off" spellCheck={false} />
      </Field>
      <Field id="audit-filter-since" label="From" error={errors.since}>
        <input {...text('since')} type="datetime-local" step="1" />
      </Field>
      <Field id="audit-filter-until" label="To" error={errors.until}>
        <input {...text('until')} type="datetime-local" step="1" />
      </Field>
      <Field id="audit-filter-q" label="Text" error={errors.q}>
        <input {...text('q')} type="search" placeholder="in subject, resource, metadata…" autoComplete="off" spellCheck={false} />
      </Field>
      <div className="audit-filter-actions">
        <button type="submit" className="primary">
          Apply
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(EMPTY_DRAFT);
            apply(EMPTY_DRAFT);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
