// The last action's outcome in a section: a polite status line, or the error with its code.
import type { ShownError } from '../lib/ipc';
import { ErrorState } from './status';

/** What a section's last action did: a line to announce, or a failure to show; null before anything was done. */
export type Outcome = { kind: 'ok'; text: string } | { kind: 'error'; title: string; error: ShownError } | null;

export function OutcomeView({ outcome }: { outcome: Outcome }): React.JSX.Element | null {
  if (outcome === null) return null;
  if (outcome.kind === 'error') return <ErrorState title={outcome.title} error={outcome.error} />;
  return (
    <p role="status" className="notice notice-ok">
      {outcome.text}
    </p>
  );
}
