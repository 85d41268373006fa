// The loading, error and empty states every page uses, so none of them ever shows a blank screen.
import type { Async } from '../lib/async';
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

/** One async value as a page shows it: loading, the error with "Try again", or `children` with the value. */
export function AsyncView<T>({ value, loading, errorTitle, onRetry, children }: { value: Async<T>; loading: string; errorTitle: string; onRetry: () => void; children: (ready: T) => React.ReactNode }): React.JSX.Element | null {
  if (value.status === 'idle' || value.status === 'loading') return <Loading label={loading} />;
  if (value.status === 'error') return <ErrorState title={errorTitle} error={value.error} onRetry={onRetry} />;
  return <>{children(value.value)}</>;
}
