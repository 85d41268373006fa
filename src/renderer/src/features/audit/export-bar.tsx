// Export to a file the operator picks: JSON lines (the stored lines verbatim, verifiable offline) or CSV, over the filter's time range, with what was written.
import { ErrorState } from '../../components/status';
import { useAuditStore } from './store';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function ExportBar(): React.JSX.Element {
  const exporting = useAuditStore((s) => s.exporting);
  const exported = useAuditStore((s) => s.exported);
  const exportTrail = useAuditStore((s) => s.exportTrail);
  const ranged = useAuditStore((s) => s.filter.since !== undefined || s.filter.until !== undefined);
  return (
    <div className="audit-export">
      <p className="muted">
        Exports every event {ranged ? 'in the chosen time range' : 'of the trail'} (other filters do not apply: a verifiable export leaves no event out), signed with this installation's checkpoint key.
      </p>
      <div className="button-row">
        <button type="button" onClick={() => void exportTrail('jsonl')} disabled={exporting !== null}>
          {exporting === 'jsonl' ? 'Exporting…' : 'Export JSONL'}
        </button>
        <button type="button" onClick={() => void exportTrail('csv')} disabled={exporting !== null}>
          {exporting === 'csv' ? 'Exporting…' : 'Export CSV'}
        </button>
      </div>
      <div aria-live="polite">
        {exported !== null && 'outcome' in exported && exported.outcome.saved && (
          <p role="status" data-testid="audit-exported">
            Saved {exported.outcome.count.toLocaleString()} events ({size(exported.outcome.bytes)}{exported.outcome.signed ? ', signed' : ''}) to <span className="mono">{exported.outcome.path}</span>
          </p>
        )}
      </div>
      {exported !== null && 'error' in exported && <ErrorState title="The export failed" error={exported.error} />}
    </div>
  );
}
