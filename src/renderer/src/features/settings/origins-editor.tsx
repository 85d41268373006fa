// The CORS origins editor: one input per exact origin with its own validation message, add and remove, keyboard first.
import { useRef } from 'react';
import { Empty } from '../../components/status';
import { originEntryProblems } from './fields';

/** `showProblems`: entries typed into show their problem; `tried` (a save was attempted): empty entries too, not before — a new entry starts empty. */
export function OriginsEditor({ id, origins, showProblems, tried, onChange }: { id: string; origins: string[]; showProblems: boolean; tried: boolean; onChange: (next: string[]) => void }): React.JSX.Element {
  const list = useRef<HTMLOListElement>(null);
  const problems = originEntryProblems(origins);
  const focusEntry = (index: number) => requestAnimationFrame(() => list.current?.querySelectorAll<HTMLInputElement>('input')[index]?.focus());
  return (
    <div className="origins-editor" id={id}>
      {origins.length === 0 ? (
        <Empty>No origins: a request that carries an Origin header (a web page) is refused by both servers. Agents and scripts are not affected.</Empty>
      ) : (
        <ol ref={list} className="origins-list">
          {origins.map((origin, index) => {
            const entryId = `${id}-${index}`;
            const problem = showProblems && (tried || origin !== '') ? problems[index] : undefined;
            return (
              <li key={index} className="origin-entry">
                <label htmlFor={entryId} className="offscreen">
                  Origin {index + 1}
                </label>
                <input
                  id={entryId}
                  type="text"
                  value={origin}
                  placeholder="http://localhost:5173"
                  spellCheck={false}
                  autoComplete="off"
                  aria-invalid={problem !== undefined}
                  aria-describedby={problem === undefined ? undefined : `${entryId}-problem`}
                  onChange={(e) => onChange(origins.map((o, i) => (i === index ? e.target.value : o)))}
                />
                <button
                  type="button"
                  aria-label={`Remove origin ${index + 1}${origin === '' ? '' : ` (${origin})`}`}
                  onClick={() => {
                    onChange(origins.filter((_, i) => i !== index));
                    if (origins.length > 1) focusEntry(Math.max(0, index - 1));
                  }}
                >
                  Remove
                </button>
                {problem !== undefined && (
                  <p id={`${entryId}-problem`} className="field-problem">
                    {problem}
                  </p>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <button
        type="button"
        onClick={() => {
          onChange([...origins, '']);
          focusEntry(origins.length);
        }}
      >
        Add origin
      </button>
    </div>
  );
}
