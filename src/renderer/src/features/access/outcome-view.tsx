// The last action's outcome in a section of the Access control page: a polite status line, or the error with its code.
import { ErrorState } from '../../components/status';
import type { Outcome } from './store';

export function OutcomeView({ outcome }: { outcome: Outcome }): React.JSX.Element | null {
  if (outcome === null) return null;
  if (outcome.kind === 'error') return <ErrorState title={outcome.title} error={outcome.error} />;
  return (
    <p role="status" className="notice notice-ok">
      {outcome.text}
    </p>
  );
}
