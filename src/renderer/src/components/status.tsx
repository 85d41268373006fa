// The loading, error and empty states every page uses, so none of them ever shows a blank screen.
import type { ShownError } from '../lib/ipc';

export function Loading({ label }: { label: string }): React.JSX.Element {
  return (
    <p role="status" className="state state-loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function ErrorState({ title, error, onRetry }: { title: string; error: ShownError; onRetry?: () => void }): React.JSX.Element {
  return (
    <div role="alert" className="state state-error">
      <p className="state-title">{title}</p>
      <p>
        {error.message} <span className="code">({error.code})</span>
      </p>
      {onRetry !== undefined && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }): React.JSX.Element {
  return <p className="state state-empty">{children}</p>;
}
